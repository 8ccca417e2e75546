/** Short forms of long values for log lines: enough to tell two apart, without dumping whole blobs. */
import { NODE_ID_SIZE, nodeIdString } from './nodeid.js';
import { PIECE_ID_SIZE, pieceIdToString } from './pieceid.js';

/** Hex of the first `max` bytes, and how long the value is: `0a1b…(32 bytes)`. Not for keys: they are never logged. */
export function shortHex(bytes: Uint8Array, max = 8): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex', 0, max);
  return bytes.length > max ? `${hex}…(${bytes.length} bytes)` : hex;
}

/** The first characters of an ID's text: `12vha9o…`. */
function shortId(text: string): string {
  return text.length > 8 ? `${text.slice(0, 7)}…` : text;
}

/** A node ID in a log line; an ID of the wrong length says so instead of throwing. */
export function shortNodeId(id: Uint8Array): string {
  return id.length === NODE_ID_SIZE ? shortId(nodeIdString(id)) : `<${id.length}-byte node ID>`;
}

/** A piece ID in a log line; an ID of the wrong length says so instead of throwing. */
export function shortPieceId(id: Uint8Array): string {
  return id.length === PIECE_ID_SIZE ? shortId(pieceIdToString(id)) : `<${id.length}-byte piece ID>`;
}
