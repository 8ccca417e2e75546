/** How pieces, nodes and sizes appear in file names and log lines. */
// The small encoding module only: the package index would load argon2 and ciphers into every node.
import { toBase32 } from '@dcsim/crypto/encoding';
import { nodeIdString } from '@dcsim/identity';

/** A piece ID as Storj prints it: unpadded RFC 4648 base32 (also the piece's file name). */
export const pieceIdText = (id: Uint8Array): string => toBase32(id);

/** The first characters of an ID, enough to tell pieces and nodes apart in a log. */
export function short(text: string): string {
  return text.length > 8 ? `${text.slice(0, 7)}…` : text;
}

export const shortPiece = (id: Uint8Array) => short(pieceIdText(id));

export function shortNode(id: Uint8Array): string {
  try {
    return short(nodeIdString(id));
  } catch {
    return `<${id.length}-byte id>`;
  }
}
