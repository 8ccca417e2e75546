/**
 * The binary macaroon format (libmacaroons v2, as storj/common macaroon/serialize.go):
 * 0x02 ‖ packet(2, head) 0x00 ‖ for each caveat: packet(2, caveat) 0x00 ‖ 0x00 ‖ packet(6, tail),
 * where packet(t, data) = uvarint(t) ‖ uvarint(len) ‖ data.
 */
import { Macaroon } from './macaroon.js';

const VERSION = 2;
const FIELD_LOCATION = 1;
const FIELD_IDENTIFIER = 2;
const FIELD_SIGNATURE = 6;

export class MacaroonError extends Error {
  override name = 'MacaroonError';
}

function uvarint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

function packet(field: number, data: Uint8Array, out: number[]): void {
  uvarint(field, out);
  uvarint(data.length, out);
  for (const b of data) out.push(b);
}

export function serializeMacaroon(m: Macaroon): Uint8Array {
  const out: number[] = [VERSION];
  packet(FIELD_IDENTIFIER, m.head, out);
  out.push(0);
  for (const c of m.caveats) {
    packet(FIELD_IDENTIFIER, c, out);
    out.push(0);
  }
  out.push(0);
  packet(FIELD_SIGNATURE, m.tail, out);
  return new Uint8Array(out);
}

class Reader {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.data.length;
  }

  byte(): number {
    if (this.done) throw new MacaroonError('macaroon is truncated');
    return this.data[this.pos++];
  }

  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
    throw new MacaroonError('macaroon has an oversized length field');
  }

  packet(): { field: number; data: Uint8Array } {
    const field = this.uvarint();
    const length = this.uvarint();
    if (this.pos + length > this.data.length) throw new MacaroonError('macaroon packet extends past the end of the data');
    const data = this.data.slice(this.pos, this.pos + length);
    this.pos += length;
    return { field, data };
  }

  /** Packets up to the 0x00 that ends a section. */
  section(): { field: number; data: Uint8Array }[] {
    const packets = [];
    for (;;) {
      if (this.done) throw new MacaroonError('macaroon section extends past the end of the data');
      if (this.data[this.pos] === 0) {
        this.pos++;
        return packets;
      }
      packets.push(this.packet());
    }
  }
}

export function parseMacaroon(data: Uint8Array): Macaroon {
  if (data.length < 2) throw new MacaroonError('macaroon is empty');
  if (data[0] !== VERSION) throw new MacaroonError(`unsupported macaroon version ${data[0]}`);
  const r = new Reader(data);
  r.pos = 1;
  let header = r.section();
  if (header[0]?.field === FIELD_LOCATION) header = header.slice(1);
  if (header.length !== 1 || header[0].field !== FIELD_IDENTIFIER) throw new MacaroonError('invalid macaroon header');
  const caveats: Uint8Array[] = [];
  for (;;) {
    let section = r.section();
    if (section.length === 0) break;
    if (section[0].field === FIELD_LOCATION) section = section.slice(1);
    if (section.length !== 1 || section[0].field !== FIELD_IDENTIFIER) {
      throw new MacaroonError('invalid macaroon caveat (third-party caveats are not supported)');
    }
    caveats.push(section[0].data);
  }
  const sig = r.packet();
  if (sig.field !== FIELD_SIGNATURE) throw new MacaroonError('macaroon has no signature');
  if (sig.data.length !== 32) throw new MacaroonError(`macaroon signature is ${sig.data.length} bytes, want 32`);
  if (!r.done) throw new MacaroonError('macaroon has trailing data');
  return new Macaroon(header[0].data, caveats, sig.data);
}
