/**
 * The binary macaroon format (libmacaroons v2, as storj/common macaroon/serialize.go):
 *
 *   0x02 ‖ packet(2, head) 0x00 ‖ for each caveat: packet(2, caveat) 0x00 ‖ 0x00 ‖ packet(6, tail)
 *
 * where packet(t, data) = uvarint(t) ‖ uvarint(len) ‖ data, and a lone 0x00 (field type 0) ends a section.
 * Parsing follows Storj's: an optional location packet (1) is skipped, a caveat may carry a verification id
 * (4) which is dropped, fields within a section must increase, and the tail must be 32 bytes. Unlike Storj,
 * bytes after the tail are refused rather than ignored: nothing signs them.
 */
import { CryptoError } from '../errors.js';
import { Macaroon } from './macaroon.js';

const VERSION = 2;
const FIELD_EOS = 0;
const FIELD_LOCATION = 1;
const FIELD_IDENTIFIER = 2;
const FIELD_VERIFICATION_ID = 4;
const FIELD_SIGNATURE = 6;
const TAIL_SIZE = 32;

export class MacaroonError extends CryptoError {
  override name = 'MacaroonError';
}

export function serializeMacaroon(m: Macaroon): Uint8Array {
  const out: number[] = [VERSION];
  writePacket(out, FIELD_IDENTIFIER, m.head);
  out.push(FIELD_EOS);
  for (const c of m.caveats) {
    writePacket(out, FIELD_IDENTIFIER, c);
    out.push(FIELD_EOS);
  }
  out.push(FIELD_EOS);
  writePacket(out, FIELD_SIGNATURE, m.tail);
  return new Uint8Array(out);
}

function writePacket(out: number[], field: number, data: Uint8Array): void {
  writeUvarint(out, field);
  writeUvarint(out, data.length);
  for (const b of data) out.push(b);
}

function writeUvarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

interface Packet {
  field: number;
  data: Uint8Array;
}

export function parseMacaroon(bytes: Uint8Array): Macaroon {
  if (bytes.length < 2) throw new MacaroonError('macaroon is empty');
  if (bytes[0] !== VERSION) throw new MacaroonError(`unsupported macaroon version ${bytes[0]}, want ${VERSION}`);
  const r = new PacketReader(bytes, 1);

  const header = withoutLocation(r.section());
  if (header.length !== 1 || header[0].field !== FIELD_IDENTIFIER) throw new MacaroonError('invalid macaroon header');

  const caveats: Uint8Array[] = [];
  for (let section = r.section(); section.length > 0; section = r.section()) {
    const [id, ...rest] = withoutLocation(section);
    if (id?.field !== FIELD_IDENTIFIER) throw new MacaroonError(`macaroon caveat ${caveats.length + 1} has no identifier`);
    // A third-party caveat's verification id takes no part in Storj's chain: Storj drops it, and so do we.
    if (rest.length > 1 || (rest.length === 1 && rest[0].field !== FIELD_VERIFICATION_ID)) {
      throw new MacaroonError(`macaroon caveat ${caveats.length + 1} has unexpected fields`);
    }
    caveats.push(id.data);
  }

  const sig = r.packet();
  if (sig.field !== FIELD_SIGNATURE) throw new MacaroonError(`macaroon has field ${sig.field} where the signature belongs`);
  if (sig.data.length !== TAIL_SIZE) throw new MacaroonError(`macaroon signature is ${sig.data.length} bytes, want ${TAIL_SIZE}`);
  if (!r.done) throw new MacaroonError(`macaroon has ${r.remaining} bytes of trailing data`);
  return new Macaroon(header[0].data, caveats, sig.data);
}

function withoutLocation(section: Packet[]): Packet[] {
  return section[0]?.field === FIELD_LOCATION ? section.slice(1) : section;
}

class PacketReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Packets up to the end-of-section marker, which is consumed. */
  section(): Packet[] {
    const packets: Packet[] = [];
    for (;;) {
      if (this.done) throw new MacaroonError('macaroon is truncated: a section has no end');
      const p = this.packet();
      if (p.field === FIELD_EOS) return packets;
      if (packets.length > 0 && p.field <= packets[packets.length - 1].field) throw new MacaroonError('macaroon fields are out of order');
      packets.push(p);
    }
  }

  packet(): Packet {
    const field = this.uvarint();
    if (field === FIELD_EOS) return { field, data: new Uint8Array(0) };
    const length = this.uvarint();
    if (length > this.remaining) {
      throw new MacaroonError(`macaroon is truncated: a packet of ${length} bytes has ${this.remaining} left`);
    }
    const data = this.bytes.slice(this.pos, this.pos + length);
    this.pos += length;
    return { field, data };
  }

  /** Go's binary.Uvarint, limited to 31 bits as Storj's parseVarint is. */
  private uvarint(): number {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (this.done) throw new MacaroonError('macaroon is truncated inside a varint');
      const b = this.bytes[this.pos++];
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (value > 0x7fffffff) throw new MacaroonError('macaroon has an oversized varint');
        return value;
      }
    }
    throw new MacaroonError('macaroon has an overlong varint');
  }
}
