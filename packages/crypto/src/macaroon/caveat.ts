/**
 * Caveats: the restrictions a macaroon carries (storj/common macaroon/types.proto), and whether one allows an
 * action (Storj's Caveat.Allows). The bytes are exactly what Storj's pico encoder writes, field for field and
 * in the same order, because the tail chain signs these bytes: a caveat made here must verify at a Storj
 * satellite and back.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { equalBytes, startsWithBytes } from '@dcsim/common/bytes';
import { CryptoError } from '../errors.js';
import { ActionType, type Action } from './action.js';

export interface AllowedPath {
  bucket: Uint8Array;
  /** Encrypted object key prefix (raw bytes, as the satellite sees keys); absent = the whole bucket. */
  encryptedPathPrefix?: Uint8Array;
}

export interface Caveat {
  disallowReads?: boolean;
  disallowWrites?: boolean;
  disallowLists?: boolean;
  disallowDeletes?: boolean;
  // Object Lock flags (fields 5-9, 11-15): dcsim has no object lock, but keeps them so caveats round-trip.
  disallowLocks?: boolean;
  disallowPutRetention?: boolean;
  disallowGetRetention?: boolean;
  disallowPutLegalHold?: boolean;
  disallowGetLegalHold?: boolean;
  disallowBypassGovernanceRetention?: boolean;
  disallowPutBucketObjectLockConfiguration?: boolean;
  disallowGetBucketObjectLockConfiguration?: boolean;
  disallowPutBucketNotificationConfiguration?: boolean;
  disallowGetBucketNotificationConfiguration?: boolean;
  /** If any: every request must fall inside one of them. */
  allowedPaths?: AllowedPath[];
  notAfter?: Date;
  notBefore?: Date;
  /** Objects uploaded under this caveat must expire within this many milliseconds. */
  maxObjectTtlMs?: number;
  /** Random bytes, so the same restrictions can be issued (and revoked) many times over. */
  nonce?: Uint8Array;
  /** Set by decodeCaveat when the bytes held fields this code does not know: the satellite must refuse such a caveat. */
  hasUnknownFields?: boolean;
}

export type CaveatFlag = {
  [K in keyof Caveat]-?: Caveat[K] extends boolean | undefined ? (K extends 'hasUnknownFields' ? never : K) : never;
}[keyof Caveat];

/** The boolean fields: protobuf field number, property, and the name Storj's JSON prints. */
export const CAVEAT_FLAGS: readonly (readonly [number, CaveatFlag, string])[] = [
  [1, 'disallowReads', 'disallow_reads'],
  [2, 'disallowWrites', 'disallow_writes'],
  [3, 'disallowLists', 'disallow_lists'],
  [4, 'disallowDeletes', 'disallow_deletes'],
  [5, 'disallowLocks', 'disallow_locks'],
  [6, 'disallowPutRetention', 'disallow_put_retention'],
  [7, 'disallowGetRetention', 'disallow_get_retention'],
  [8, 'disallowPutLegalHold', 'disallow_put_legal_hold'],
  [9, 'disallowGetLegalHold', 'disallow_get_legal_hold'],
  [11, 'disallowBypassGovernanceRetention', 'disallow_bypass_governance_retention'],
  [12, 'disallowPutBucketObjectLockConfiguration', 'disallow_put_bucket_object_lock_configuration'],
  [13, 'disallowGetBucketObjectLockConfiguration', 'disallow_get_bucket_object_lock_configuration'],
  [14, 'disallowPutBucketNotificationConfiguration', 'disallow_put_bucket_notification_configuration'],
  [15, 'disallowGetBucketNotificationConfiguration', 'disallow_get_bucket_notification_configuration'],
];

const FIELD_ALLOWED_PATHS = 10;
const FIELD_NOT_AFTER = 20;
const FIELD_NOT_BEFORE = 21;
const FIELD_MAX_OBJECT_TTL = 22;
const FIELD_NONCE = 30;

/** google.protobuf.Timestamp / Duration as they are on the wire (nanosecond precision, unlike Date). */
export interface ProtoTime {
  seconds: bigint;
  nanos: number;
}

/** A caveat exactly as decoded, times unconverted: what `uplink access inspect` prints from. */
export type CaveatMessage = Omit<Caveat, 'notAfter' | 'notBefore' | 'maxObjectTtlMs'> & {
  notAfter?: ProtoTime;
  notBefore?: ProtoTime;
  maxObjectTtl?: ProtoTime;
};

export class CaveatError extends CryptoError {
  override name = 'CaveatError';
}

// Encoding

export function encodeCaveat(c: Caveat): Uint8Array {
  const w = new BinaryWriter();
  // Storj writes fields in the order of its generated Encode: 1-9, the paths (10), 11-15, then 20-30.
  for (const [field, name] of CAVEAT_FLAGS) {
    if (field === 11) writePaths(w, c.allowedPaths ?? []);
    if (c[name]) w.tag(field, WireType.Varint).bool(true);
  }
  if (c.notAfter) writeTime(w, FIELD_NOT_AFTER, timestampOf(c.notAfter));
  if (c.notBefore) writeTime(w, FIELD_NOT_BEFORE, timestampOf(c.notBefore));
  if (c.maxObjectTtlMs !== undefined) writeTime(w, FIELD_MAX_OBJECT_TTL, durationOf(c.maxObjectTtlMs));
  if (c.nonce?.length) w.tag(FIELD_NONCE, WireType.LengthDelimited).bytes(c.nonce);
  return w.finish();
}

function writePaths(w: BinaryWriter, paths: AllowedPath[]): void {
  for (const p of paths) {
    // Written even when empty (pico's AlwaysMessage); proto3 leaves empty bytes out.
    w.tag(FIELD_ALLOWED_PATHS, WireType.LengthDelimited).fork();
    if (p.bucket.length) w.tag(1, WireType.LengthDelimited).bytes(p.bucket);
    if (p.encryptedPathPrefix?.length) w.tag(2, WireType.LengthDelimited).bytes(p.encryptedPathPrefix);
    w.join();
  }
}

function writeTime(w: BinaryWriter, field: number, t: ProtoTime): void {
  w.tag(field, WireType.LengthDelimited).fork();
  if (t.seconds !== 0n) w.tag(1, WireType.Varint).int64(t.seconds);
  if (t.nanos !== 0) w.tag(2, WireType.Varint).int32(t.nanos);
  w.join();
}

/** Go's time.Time → Timestamp: whole seconds rounded down, nanos always in [0, 1e9). */
function timestampOf(d: Date): ProtoTime {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new CaveatError('caveat time is an invalid Date');
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1e6 };
}

/** Go's time.Duration → Duration: seconds and nanos both truncated toward zero (same sign). */
function durationOf(ms: number): ProtoTime {
  if (!Number.isFinite(ms)) throw new CaveatError('max object TTL must be a finite number of milliseconds');
  const nanosTotal = BigInt(Math.trunc(ms * 1e6));
  const seconds = nanosTotal / 1_000_000_000n;
  return { seconds, nanos: Number(nanosTotal - seconds * 1_000_000_000n) };
}

// Decoding

const FLAG_BY_FIELD = new Map<number, CaveatFlag>(CAVEAT_FLAGS.map(([field, name]) => [field, name]));

/**
 * Decodes the wire message, keeping times exact. Unknown fields set `hasUnknownFields`; bad bytes throw. A
 * satellite decodes every caveat of every request, so this is a plain loop with no closures per field.
 */
export function decodeCaveatMessage(bytes: Uint8Array): CaveatMessage {
  const c: CaveatMessage = {};
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, type] = r.tag();
      const flag = FLAG_BY_FIELD.get(field);
      if (flag) c[flag] = varint(r, field, type).bool();
      else if (field === FIELD_ALLOWED_PATHS) (c.allowedPaths ??= []).push(readPath(r, messageEnd(r, field, type), c));
      else if (field === FIELD_NOT_AFTER) c.notAfter = readTime(r, messageEnd(r, field, type), c);
      else if (field === FIELD_NOT_BEFORE) c.notBefore = readTime(r, messageEnd(r, field, type), c);
      else if (field === FIELD_MAX_OBJECT_TTL) c.maxObjectTtl = readTime(r, messageEnd(r, field, type), c);
      else if (field === FIELD_NONCE) c.nonce = message(r, field, type).slice();
      else skipUnknown(r, field, type, c);
    }
  } catch (err) {
    throw err instanceof CaveatError ? err : new CaveatError(`invalid caveat: ${(err as Error).message}`);
  }
  return c;
}

/** Decodes a caveat into plain values (times as Date and milliseconds). */
export function decodeCaveat(bytes: Uint8Array): Caveat {
  const { notAfter, notBefore, maxObjectTtl, ...rest } = decodeCaveatMessage(bytes);
  const c: Caveat = rest;
  if (notAfter) c.notAfter = timestampToDate(notAfter);
  if (notBefore) c.notBefore = timestampToDate(notBefore);
  if (maxObjectTtl) c.maxObjectTtlMs = Number(durationNanos(maxObjectTtl) / 1_000_000n);
  return c;
}

// A known field with the wrong wire type is an error, as in Storj's decoder.
function expectType(field: number, type: WireType, want: WireType): void {
  if (type !== want) throw new CaveatError(`invalid caveat: field ${field} has wire type ${type}, want ${want}`);
}

function varint(r: BinaryReader, field: number, type: WireType): BinaryReader {
  expectType(field, type, WireType.Varint);
  return r;
}

function message(r: BinaryReader, field: number, type: WireType): Uint8Array {
  expectType(field, type, WireType.LengthDelimited);
  return r.bytes();
}

/** Where an embedded message ends; its fields are read from the same reader (no reader per message). */
function messageEnd(r: BinaryReader, field: number, type: WireType): number {
  expectType(field, type, WireType.LengthDelimited);
  const end = r.uint32() + r.pos;
  if (end > r.len) throw new CaveatError(`invalid caveat: field ${field} runs past the end`);
  return end;
}

/** The embedded message's fields must end exactly at its end. */
function checkEnd(r: BinaryReader, end: number): void {
  if (r.pos !== end) throw new CaveatError('invalid caveat: an embedded message overruns its length');
}

/** A field this code does not know is skipped and reported: the satellite refuses such caveats. */
function skipUnknown(r: BinaryReader, field: number, type: WireType, c: { hasUnknownFields?: boolean }): void {
  r.skip(type, field);
  c.hasUnknownFields = true;
}

function readPath(r: BinaryReader, end: number, c: CaveatMessage): AllowedPath {
  const p: AllowedPath = { bucket: new Uint8Array(0) };
  while (r.pos < end) {
    const [field, type] = r.tag();
    if (field === 1) p.bucket = message(r, field, type).slice();
    else if (field === 2) p.encryptedPathPrefix = message(r, field, type).slice();
    else skipUnknown(r, field, type, c);
  }
  checkEnd(r, end);
  return p;
}

function readTime(r: BinaryReader, end: number, c: CaveatMessage): ProtoTime {
  const t: ProtoTime = { seconds: 0n, nanos: 0 };
  while (r.pos < end) {
    const [field, type] = r.tag();
    if (field === 1) t.seconds = BigInt(varint(r, field, type).int64());
    else if (field === 2) t.nanos = varint(r, field, type).int32();
    else skipUnknown(r, field, type, c);
  }
  checkEnd(r, end);
  return t;
}

const MAX_DATE_MS = 8.64e15;

/** Timestamp → Date (millisecond precision, rounded down). Out-of-range times clamp, so comparisons stay valid. */
function timestampToDate(t: ProtoTime): Date {
  const total = t.seconds * 1_000_000_000n + BigInt(t.nanos);
  let ms = total / 1_000_000n;
  if (total < 0n && total % 1_000_000n !== 0n) ms -= 1n; // floor, not truncation
  const clamped = ms > BigInt(MAX_DATE_MS) ? MAX_DATE_MS : ms < BigInt(-MAX_DATE_MS) ? -MAX_DATE_MS : Number(ms);
  return new Date(clamped);
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Duration → nanoseconds as Go's time.Duration holds them (saturating on overflow, as Storj's decoder does). */
export function durationNanos(t: ProtoTime): bigint {
  const total = t.seconds * 1_000_000_000n + BigInt(t.nanos);
  if (total > INT64_MAX || (t.seconds > 0n && total < 0n)) return INT64_MAX;
  if (total < INT64_MIN || (t.seconds < 0n && total > 0n)) return INT64_MIN;
  return total;
}

// Allows

/**
 * Why a caveat refuses an action, in words a user can act on; undefined when it allows it. Storj's
 * Caveat.Allows, branch for branch:
 * - outside the not_before..not_after window: refused;
 * - reading bucket metadata (a Read without an object key) is always allowed, filtered only by the buckets
 *   of the allowed paths;
 * - otherwise the operation's disallow flag decides, and then (for all but ProjectInfo) the request must be
 *   inside one allowed path: same bucket, and the encrypted key starts with the encrypted prefix (bytes).
 */
export function caveatRefusal(c: Caveat, action: Action): string | undefined {
  const t = action.time.getTime();
  if (Number.isNaN(t)) return 'the request has no valid time';
  if (c.notAfter && t > c.notAfter.getTime()) return `access expired at ${c.notAfter.toISOString()} (not_after)`;
  if (c.notBefore && c.notBefore.getTime() > t) return `access not valid before ${c.notBefore.toISOString()} (not_before)`;

  const paths = c.allowedPaths ?? [];
  if (action.op === ActionType.Read && !action.encryptedPath?.length) {
    // No bucket: a bucket listing, which the satellite filters by the allowed buckets afterwards.
    if (paths.length === 0 || !action.bucket?.length) return undefined;
    return paths.some((p) => equalBytes(p.bucket, action.bucket!)) ? undefined : 'bucket not in the allowed paths (allowed_paths)';
  }

  const refusal = operationRefusal(c, action.op);
  if (refusal) return refusal;

  if (paths.length > 0 && action.op !== ActionType.ProjectInfo) {
    const bucket = action.bucket ?? new Uint8Array(0);
    const path = action.encryptedPath ?? new Uint8Array(0);
    const inside = paths.some((p) => equalBytes(p.bucket, bucket) && startsWithBytes(path, p.encryptedPathPrefix ?? new Uint8Array(0)));
    if (!inside) return 'path not in the allowed paths (allowed_paths)';
  }
  return undefined;
}

/** Storj's Caveat.Allows. */
export function allows(c: Caveat, action: Action): boolean {
  return caveatRefusal(c, action) === undefined;
}

const denied = (what: string, flag: string) => `${what} not allowed (${flag})`;

function operationRefusal(c: Caveat, op: ActionType): string | undefined {
  switch (op) {
    case ActionType.Read:
      return c.disallowReads ? denied('reads are', 'disallow_reads') : undefined;
    case ActionType.Write:
      return c.disallowWrites ? denied('writes are', 'disallow_writes') : undefined;
    case ActionType.List:
      return c.disallowLists ? denied('lists are', 'disallow_lists') : undefined;
    case ActionType.Delete:
      return c.disallowDeletes ? denied('deletes are', 'disallow_deletes') : undefined;
    case ActionType.ProjectInfo:
      return undefined;
    case ActionType.Lock:
      return c.disallowLocks ? denied('object lock is', 'disallow_locks') : undefined;
    case ActionType.PutObjectRetention:
      return c.disallowPutRetention ? denied('setting retention is', 'disallow_put_retention') : undefined;
    case ActionType.GetObjectRetention:
      // Storj: whoever may set retention may also read it.
      return c.disallowPutRetention && c.disallowGetRetention ? denied('reading retention is', 'disallow_get_retention') : undefined;
    case ActionType.PutObjectLegalHold:
      return c.disallowPutLegalHold ? denied('setting legal hold is', 'disallow_put_legal_hold') : undefined;
    case ActionType.GetObjectLegalHold:
      return c.disallowGetLegalHold ? denied('reading legal hold is', 'disallow_get_legal_hold') : undefined;
    case ActionType.BypassGovernanceRetention:
      return c.disallowBypassGovernanceRetention
        ? denied('bypassing governance retention is', 'disallow_bypass_governance_retention')
        : undefined;
    case ActionType.PutBucketObjectLockConfiguration:
      return c.disallowPutBucketObjectLockConfiguration
        ? denied('setting object lock configuration is', 'disallow_put_bucket_object_lock_configuration')
        : undefined;
    case ActionType.GetBucketObjectLockConfiguration:
      return c.disallowGetBucketObjectLockConfiguration
        ? denied('reading object lock configuration is', 'disallow_get_bucket_object_lock_configuration')
        : undefined;
    case ActionType.PutBucketNotificationConfiguration:
      return c.disallowPutBucketNotificationConfiguration
        ? denied('setting notification configuration is', 'disallow_put_bucket_notification_configuration')
        : undefined;
    case ActionType.GetBucketNotificationConfiguration:
      return c.disallowGetBucketNotificationConfiguration
        ? denied('reading notification configuration is', 'disallow_get_bucket_notification_configuration')
        : undefined;
    default:
      return `unknown operation ${op as number}`;
  }
}
