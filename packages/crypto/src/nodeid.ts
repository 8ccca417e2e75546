/**
 * Node ID strings (storj/common storj/node.go). A node ID is 32 bytes whose last byte is the identity
 * version. It prints as base58check with the version as the version byte and the last byte of the payload
 * zeroed; parsing puts the version back into the last byte. Storj knows only version 0, and maps an
 * unknown version to 0 both ways, so a string always parses to an ID ending in 0 (Storj's IDs do: they
 * carry proof-of-work zero bits at the end).
 */
import { checkDecode, checkEncode } from './base58.js';

export const NODE_ID_SIZE = 32;
const KNOWN_VERSIONS = new Set([0]);

export class NodeIdError extends Error {
  override name = 'NodeIdError';
}

export function nodeIdToString(id: Uint8Array): string {
  if (id.length !== NODE_ID_SIZE) throw new NodeIdError(`node ID is ${id.length} bytes, want ${NODE_ID_SIZE}`);
  const version = KNOWN_VERSIONS.has(id[NODE_ID_SIZE - 1]) ? id[NODE_ID_SIZE - 1] : 0;
  const unversioned = id.slice();
  unversioned[NODE_ID_SIZE - 1] = 0;
  return checkEncode(unversioned, version);
}

export function nodeIdFromString(text: string): Uint8Array {
  let decoded: { version: number; payload: Uint8Array };
  try {
    decoded = checkDecode(text);
  } catch (err) {
    throw new NodeIdError(`invalid node ID ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  if (decoded.payload.length !== NODE_ID_SIZE) {
    throw new NodeIdError(`invalid node ID ${JSON.stringify(text)}: ${decoded.payload.length} bytes, want ${NODE_ID_SIZE}`);
  }
  const id = decoded.payload.slice();
  id[NODE_ID_SIZE - 1] = KNOWN_VERSIONS.has(decoded.version) ? decoded.version : 0;
  return id;
}
