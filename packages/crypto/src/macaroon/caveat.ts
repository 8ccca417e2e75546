/**
 * Caveats: the restrictions a macaroon carries (storj/common macaroon/types.proto), protobuf-encoded
 * field for field as Storj's pico encoder does, so caveats made here verify at a Storj satellite and back.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export interface AllowedPath {
  bucket: Uint8Array;
  encryptedPathPrefix?: Uint8Array;
}

export interface Caveat {
  disallowReads?: boolean;
  disallowWrites?: boolean;
  disallowLists?: boolean;
  disallowDeletes?: boolean;
  disallowPutRetention?: boolean;
  disallowGetRetention?: boolean;
  disallowPutLegalHold?: boolean;
  disallowGetLegalHold?: boolean;
  disallowBypassGovernanceRetention?: boolean;
  allowedPaths?: AllowedPath[];
  notAfter?: Date;
  notBefore?: Date;
  /** Milliseconds; objects uploaded under this caveat must expire within it. */
  maxObjectTtlMs?: number;
  nonce?: Uint8Array;
  /** Set by decodeCaveat when the bytes held fields this code does not know: such a caveat must be refused. */
  hasUnknownFields?: boolean;
}

export class CaveatError extends Error {
  override name = 'CaveatError';
}

const FLAGS = [
  [1, 'disallowReads'],
  [2, 'disallowWrites'],
  [3, 'disallowLists'],
  [4, 'disallowDeletes'],
  [5, 'disallowPutRetention'],
  [6, 'disallowGetRetention'],
  [7, 'disallowPutLegalHold'],
  [8, 'disallowGetLegalHold'],
  [9, 'disallowBypassGovernanceRetention'],
] as const;

function writeTime(w: BinaryWriter, field: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1e6;
  w.uint32((field << 3) | WireType.LengthDelimited).fork();
  if (seconds !== 0) w.uint32(8).int64(seconds);
  if (nanos !== 0) w.uint32(16).int32(nanos);
  w.join();
}

function readTime(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let seconds = 0;
  let nanos = 0;
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1) seconds = Number(r.int64());
    else if (f === 2) nanos = r.int32();
    else r.skip(t);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

export function encodeCaveat(c: Caveat): Uint8Array {
  const w = new BinaryWriter();
  for (const [field, name] of FLAGS) if (c[name]) w.uint32(field << 3).bool(true);
  for (const p of c.allowedPaths ?? []) {
    w.uint32(82).fork();
    if (p.bucket.length) w.uint32(10).bytes(p.bucket);
    if (p.encryptedPathPrefix?.length) w.uint32(18).bytes(p.encryptedPathPrefix);
    w.join();
  }
  if (c.notAfter) writeTime(w, 20, c.notAfter.getTime());
  if (c.notBefore) writeTime(w, 21, c.notBefore.getTime());
  if (c.maxObjectTtlMs !== undefined) writeTime(w, 22, c.maxObjectTtlMs);
  if (c.nonce?.length) w.uint32(242).bytes(c.nonce);
  return w.finish();
}

export function decodeCaveat(bytes: Uint8Array): Caveat {
  const c: Caveat = {};
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, type] = r.tag();
      const flag = FLAGS.find(([f]) => f === field);
      if (flag && type === WireType.Varint) c[flag[1]] = r.bool();
      else if (field === 10 && type === WireType.LengthDelimited) (c.allowedPaths ??= []).push(decodePath(r.bytes(), c));
      else if (field === 20 && type === WireType.LengthDelimited) c.notAfter = new Date(readTime(r.bytes()));
      else if (field === 21 && type === WireType.LengthDelimited) c.notBefore = new Date(readTime(r.bytes()));
      else if (field === 22 && type === WireType.LengthDelimited) c.maxObjectTtlMs = readTime(r.bytes());
      else if (field === 30 && type === WireType.LengthDelimited) c.nonce = r.bytes().slice();
      else {
        r.skip(type);
        c.hasUnknownFields = true;
      }
    }
  } catch (err) {
    throw new CaveatError(`invalid caveat encoding: ${(err as Error).message}`);
  }
  return c;
}

function decodePath(bytes: Uint8Array, owner: Caveat): AllowedPath {
  const r = new BinaryReader(bytes);
  const p: AllowedPath = { bucket: new Uint8Array(0) };
  while (r.pos < r.len) {
    const [f, t] = r.tag();
    if (f === 1 && t === WireType.LengthDelimited) p.bucket = r.bytes().slice();
    else if (f === 2 && t === WireType.LengthDelimited) p.encryptedPathPrefix = r.bytes().slice();
    else {
      r.skip(t);
      owner.hasUnknownFields = true;
    }
  }
  return p;
}
