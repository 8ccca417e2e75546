/** How pieces, nodes and sizes appear in file names and log lines. */
import { nodeIdString } from '@dcsim/identity';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A piece ID as Storj prints it: unpadded RFC 4648 base32 (also the piece's file name). */
export function pieceIdText(id: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of id) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

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

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
