/**
 * Why a dcsim server refused a call, for programs. Every error a server returns on purpose carries one of
 * these reasons next to its gRPC status code (rpc-error.ts), so a client tells "bucket not found" from
 * "object not found" without reading the message: messages are for people and may be reworded at any time.
 *
 * Each reason travels with exactly one status code, the one listed here, so a client switching on the pair
 * sees one meaning per pair. A reason never changes meaning; a new case gets a new name. Names follow
 * gRPC's ErrorInfo convention (UPPER_SNAKE_CASE). Some reasons carry facts (ErrorInfo.metadata: string
 * values), named below; a `field` is named as in the .proto, dotted when nested (`limit.piece_id`).
 */
import { status } from '@grpc/grpc-js';

/** Whose reasons these are (ErrorInfo.domain): a client ignores reasons of any other domain. */
export const REASON_DOMAIN = 'dcsim';

/** Every reason, with the status code it travels with. */
export const REASON_CODES = {
  // ---- any RPC of any dcsim server ----
  /** The request's bytes do not decode (a truncated message, an int64 above 2^53-1); its handler never ran. */
  REQUEST_MALFORMED: status.INVALID_ARGUMENT,
  /** A required field is empty. Facts: field. */
  FIELD_MISSING: status.INVALID_ARGUMENT,
  /** A field holds more bytes or items, or a larger number, than the server accepts. Facts: field, max (the bound). */
  FIELD_TOO_LARGE: status.INVALID_ARGUMENT,
  /** A field's value is not acceptable otherwise (an ID of the wrong length, a number out of range...). Facts: field. */
  FIELD_INVALID: status.INVALID_ARGUMENT,

  // ---- Metainfo (satellite): the API key, on every call ----
  /** The request carries no API key. */
  API_KEY_MISSING: status.UNAUTHENTICATED,
  /** The API key is not a macaroon, has a caveat that does not decode, or has more caveats than the satellite accepts. */
  API_KEY_MALFORMED: status.UNAUTHENTICATED,
  /** No API key of this satellite has the key's head: it was deleted, or made for another satellite. */
  API_KEY_UNKNOWN: status.UNAUTHENTICATED,
  /** The key's signature chain does not verify: it was altered or forged. */
  API_KEY_INVALID: status.UNAUTHENTICATED,
  /** The key, or a key it was derived from, was revoked (RevokeApiKey). */
  API_KEY_REVOKED: status.UNAUTHENTICATED,
  /**
   * A caveat of the key forbids the request. Facts: caveat, the caveat field that refused, as in Storj's
   * macaroon.proto: `not_after` (the access expired), `not_before`, `disallow_reads`, `disallow_writes`,
   * `disallow_lists`, `disallow_deletes`, `allowed_paths`, or `unknown_fields` (a caveat this satellite cannot read).
   * CommitObject over an existing object also needs the delete permission (Storj's rule).
   */
  CAVEAT_REFUSED: status.PERMISSION_DENIED,
  /** RevokeApiKey: the key to revoke was not derived from the key making the request. */
  REVOKE_NOT_ALLOWED: status.PERMISSION_DENIED,

  // ---- Metainfo: buckets ----
  /** The bucket name breaks the naming rules (CreateBucket) or has a length no bucket has (any call). Facts: field. */
  BUCKET_NAME_INVALID: status.INVALID_ARGUMENT,
  /** The bucket does not exist in the key's project: any call naming a bucket. Facts: bucket. */
  BUCKET_NOT_FOUND: status.NOT_FOUND,
  /** CreateBucket: the project has a bucket of that name. Facts: bucket. */
  BUCKET_ALREADY_EXISTS: status.ALREADY_EXISTS,
  /** DeleteBucket without delete_all: the bucket holds objects. Facts: bucket. */
  BUCKET_NOT_EMPTY: status.FAILED_PRECONDITION,

  // ---- Metainfo: objects and uploads ----
  /**
   * No committed, unexpired object has this key (GetObject, DownloadObject, DeleteObject), or the object a read
   * began on was replaced or deleted and its grace is over (DownloadSegment).
   */
  OBJECT_NOT_FOUND: status.NOT_FOUND,
  /** The stream ID names no upload of the key's project: unknown, or the upload was abandoned and cleaned up. */
  UPLOAD_NOT_FOUND: status.NOT_FOUND,
  /** The stream ID names an upload that was already committed. */
  UPLOAD_ALREADY_COMMITTED: status.FAILED_PRECONDITION,
  /** CommitObject: a segment was begun but never committed, or a segment index is missing. */
  UPLOAD_INCOMPLETE: status.FAILED_PRECONDITION,

  // ---- Metainfo: segments ----
  /** The segment ID names no begun segment (CommitSegment, RetryBeginSegmentPieces): unknown, or abandoned. */
  SEGMENT_UPLOAD_NOT_FOUND: status.NOT_FOUND,
  /** The begun segment was committed or abandoned while this call ran. */
  SEGMENT_UPLOAD_ENDED: status.FAILED_PRECONDITION,
  /** DownloadSegment: the object has no segment at this position. */
  SEGMENT_NOT_FOUND: status.NOT_FOUND,
  /** CommitSegment: fewer valid upload results than the success threshold. Facts: valid, needed. */
  TOO_FEW_VALID_PIECES: status.INVALID_ARGUMENT,
  /** BeginSegment, RetryBeginSegmentPieces: not enough online nodes with room to choose from. Facts: needed, available. */
  NOT_ENOUGH_NODES: status.RESOURCE_EXHAUSTED,

  // ---- Metainfo: project limits (set with `satellite admin set-limits`); every one carries the facts limit and used ----
  /** The upload would take the project's stored bytes past its storage limit (Storj's "Exceeded Storage Limit"). Facts: limit, used. */
  STORAGE_LIMIT_EXCEEDED: status.RESOURCE_EXHAUSTED,
  /** The upload would take the project past its segment limit (Storj's "Exceeded Segments Limit"). Facts: limit, used. */
  SEGMENTS_LIMIT_EXCEEDED: status.RESOURCE_EXHAUSTED,
  /** The download would take the project's allocated egress this month past its limit ("Exceeded Usage Limit"). Facts: limit, used. */
  BANDWIDTH_LIMIT_EXCEEDED: status.RESOURCE_EXHAUSTED,
  /** CreateBucket: the project has as many buckets as its limit allows. Facts: limit, used. */
  BUCKETS_LIMIT_EXCEEDED: status.RESOURCE_EXHAUSTED,
  /** The project made more requests per second than its rate limit allows (Storj's "Too Many Requests"). Facts: limit. */
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,

  // ---- Contact (satellite): node check-ins ----
  /** The check-in's signature does not verify under the public key it carries. */
  CHECK_IN_SIGNATURE_INVALID: status.UNAUTHENTICATED,
  /** The node ID is not the hash of the public key the check-in carries. */
  NODE_ID_MISMATCH: status.UNAUTHENTICATED,
  /** The check-in's timestamp is too far from the satellite's clock (it may be a replay). */
  CLOCK_SKEWED: status.INVALID_ARGUMENT,

  // ---- GracefulExit (satellite): a node leaving ----
  /** The caller's node ID is not one the satellite knows (it never checked in). */
  NODE_UNKNOWN: status.NOT_FOUND,
  /** The request's signature does not verify under the public key of the node it names. */
  NODE_SIGNATURE_INVALID: status.UNAUTHENTICATED,
  /** A disqualified node cannot exit gracefully: its pieces are repaired instead. */
  NODE_DISQUALIFIED: status.FAILED_PRECONDITION,
  /** ReportTransfer from a node that has not started (or has already finished) its exit. */
  NODE_NOT_EXITING: status.FAILED_PRECONDITION,

  // ---- Piecestore (storage node): order limits, on every call ----
  /** The node has not yet learned its satellite's key (its first check-in has not succeeded): try again shortly. */
  NODE_NOT_READY: status.UNAVAILABLE,
  /** The order limit is from another satellite than the node's. */
  ORDER_LIMIT_WRONG_SATELLITE: status.PERMISSION_DENIED,
  /** The order limit's signature does not verify under the satellite's key. */
  ORDER_LIMIT_SIGNATURE_INVALID: status.PERMISSION_DENIED,
  /** The order limit is for another storage node. */
  ORDER_LIMIT_WRONG_NODE: status.PERMISSION_DENIED,
  /** The order limit's action (PUT, GET, DELETE...) does not allow this call. */
  ORDER_LIMIT_WRONG_ACTION: status.PERMISSION_DENIED,
  /** The order limit's expiration has passed: ask the satellite for new limits. */
  ORDER_LIMIT_EXPIRED: status.FAILED_PRECONDITION,
  /** The order limit was created later than the node's clock allows. */
  ORDER_LIMIT_NOT_YET_VALID: status.FAILED_PRECONDITION,
  /** Upload: the piece's expiration, in the order limit, has already passed. */
  ORDER_LIMIT_PIECE_EXPIRED: status.FAILED_PRECONDITION,
  /** The order limit's serial number was used before: each limit serves one call. */
  ORDER_LIMIT_SERIAL_USED: status.PERMISSION_DENIED,
  /** The transfer is larger than the order limit allows (Upload, Download). Facts: limit (its bytes). */
  ORDER_LIMIT_EXCEEDED: status.PERMISSION_DENIED,
  /** An order's serial differs from its limit's, its amount shrank, or it exceeds the limit. Facts: field. */
  ORDER_INVALID: status.INVALID_ARGUMENT,
  /** An order's signature does not verify under the order limit's uplink public key. */
  ORDER_SIGNATURE_INVALID: status.UNAUTHENTICATED,
  /** Upload, Download: the orders sent so far do not cover the bytes to move. Facts: allocated, moving. */
  ORDER_NOT_ENOUGH_ALLOCATED: status.INVALID_ARGUMENT,

  // ---- Piecestore: pieces ----
  /** Upload: the node holds a piece with this ID, or one is being uploaded. */
  PIECE_ALREADY_EXISTS: status.ALREADY_EXISTS,
  /** Upload: the messages are not an order limit first, then chunks, then `done`. */
  UPLOAD_MESSAGES_INVALID: status.INVALID_ARGUMENT,
  /** Upload: the `done` message disagrees with what the node received. Facts: field (`piece_id`, `piece_size` or `hash`). */
  PIECE_HASH_MISMATCH: status.INVALID_ARGUMENT,
  /** Download: the node has no piece with this ID. */
  PIECE_NOT_FOUND: status.NOT_FOUND,
  /** Download: the piece has expired. */
  PIECE_EXPIRED: status.NOT_FOUND,
  /** Download: the requested range lies outside the piece. */
  RANGE_OUTSIDE_PIECE: status.OUT_OF_RANGE,
  /** Upload: the node has no room for the piece (its configured capacity, or its disk, is full). */
  NODE_FULL: status.RESOURCE_EXHAUSTED,
  /** The node has gracefully exited this satellite: it serves none of its pieces and stores no new ones. */
  NODE_EXITED: status.FAILED_PRECONDITION,

  // ---- Piecestore: garbage collection (Retain, from the satellite) ----
  /** Retain: the request is for another storage node (its storage_node_id). */
  RETAIN_WRONG_NODE: status.PERMISSION_DENIED,
  /** Retain: the request's signature does not verify under the key of the node's satellite. */
  RETAIN_SIGNATURE_INVALID: status.PERMISSION_DENIED,

  // The admin socket (admin.proto)
  /** RunChore: the process has no chore with this name. */
  CHORE_NOT_FOUND: status.NOT_FOUND,
  /** Report: the process has no report with this name. Facts: report. */
  REPORT_NOT_FOUND: status.NOT_FOUND,
} as const satisfies Record<string, status>;

export type Reason = keyof typeof REASON_CODES;

/** The reasons by name, for `info.reason === Reason.BUCKET_NOT_FOUND`; each is documented in REASON_CODES. */
export const Reason = Object.freeze(Object.fromEntries(Object.keys(REASON_CODES).map((name) => [name, name]))) as {
  readonly [R in Reason]: R;
};

/** Facts a reason carries for programs (ErrorInfo.metadata), e.g. `{ field: 'encrypted_object_key', max: '4096' }`. */
export type ReasonFacts = Readonly<Record<string, string>>;

export function isReason(name: string): name is Reason {
  return Object.hasOwn(REASON_CODES, name);
}
