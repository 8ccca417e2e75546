/**
 * Node IDs and node URLs as text (storj/common storj/node.go, nodeurl.go).
 *
 * A node ID is 32 bytes whose last byte is the identity version. It prints as base58check with the version
 * as the version byte and the last byte of the payload zeroed; parsing puts the version back into the last
 * byte. Storj knows only version 0 and maps an unknown version to 0 both ways, so a string always parses
 * to an ID ending in 0 (Storj's IDs do: they end in proof-of-work zero bits, and dcsim's in the version).
 *
 * A node URL is `<node ID>@<host>:<port>`, optionally behind `storj://`. Storj's ParseNodeURL also takes a
 * URL without an ID, and Noise parameters after `?`; dcsim dials every peer over TLS pinned to its node ID
 * and has no Noise, so both an ID and an address are required here, as Storj's uplink requires the ID of a
 * satellite it does not know.
 */
import { checkDecode, checkEncode } from './base58.js';
import { CommonError } from './errors.js';
import { splitHostPort } from './hostport.js';

export const NODE_ID_SIZE = 32;
const KNOWN_VERSIONS = new Set([0]);

export class NodeIdError extends CommonError {
  override name = 'NodeIdError';
}

export class NodeUrlError extends CommonError {
  override name = 'NodeUrlError';
}

export function nodeIdString(id: Uint8Array): string {
  if (id.length !== NODE_ID_SIZE) throw new NodeIdError(`node ID is ${id.length} bytes, want ${NODE_ID_SIZE}`);
  const version = KNOWN_VERSIONS.has(id[NODE_ID_SIZE - 1]) ? id[NODE_ID_SIZE - 1] : 0;
  // A copy (Buffer.slice() would be a view): zeroing the version byte must not change the caller's ID.
  const unversioned = new Uint8Array(id);
  unversioned[NODE_ID_SIZE - 1] = 0;
  return checkEncode(unversioned, version);
}

export function parseNodeId(text: string): Uint8Array {
  let decoded: { version: number; payload: Uint8Array };
  try {
    decoded = checkDecode(text);
  } catch (err) {
    throw new NodeIdError(`invalid node ID ${JSON.stringify(text.slice(0, 100))}: ${(err as Error).message}`);
  }
  if (decoded.payload.length !== NODE_ID_SIZE) {
    throw new NodeIdError(`invalid node ID ${JSON.stringify(text)}: ${decoded.payload.length} bytes, want ${NODE_ID_SIZE}`);
  }
  const id = decoded.payload;
  id[NODE_ID_SIZE - 1] = KNOWN_VERSIONS.has(decoded.version) ? decoded.version : 0;
  return id;
}

/** Where a node is and who it must prove to be. */
export interface NodeUrl {
  id: Uint8Array;
  /** `host:port` */
  address: string;
}

export function parseNodeUrl(text: string): NodeUrl {
  const bad = (why: string) => new NodeUrlError(`invalid node URL ${JSON.stringify(text.slice(0, 200))}: ${why}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme && scheme[1].toLowerCase() !== 'storj') throw bad(`unknown scheme ${JSON.stringify(scheme[1])}`);
  const rest = scheme ? text.slice(scheme[0].length) : text;
  if (/[?#]/.test(rest)) throw bad('dcsim takes no parameters after the address (no Noise)');
  const at = rest.lastIndexOf('@');
  if (at < 0) throw bad('a node ID is required: want <node ID>@<host>:<port>');
  let id: Uint8Array;
  let address: string;
  try {
    id = parseNodeId(rest.slice(0, at));
    address = rest.slice(at + 1);
    splitHostPort(address);
  } catch (err) {
    throw bad((err as Error).message);
  }
  return { id, address };
}

/** `<node ID>@<host>:<port>`, what parseNodeUrl reads. */
export function formatNodeUrl(url: NodeUrl): string {
  return `${nodeIdString(url.id)}@${url.address}`;
}
