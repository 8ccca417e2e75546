/** Node IDs print as base58check with the ID version (the last byte) as the version byte, as Storj. */
import { checkDecode, checkEncode } from '@dcsim/crypto/base58';

export class NodeIdError extends Error {
  override name = 'NodeIdError';
}

export function nodeIdString(id: Uint8Array): string {
  if (id.length !== 32) throw new NodeIdError(`node ID must be 32 bytes, got ${id.length}`);
  // A copy: Buffer.slice() would be a view, and the next line would change the caller's ID.
  const unversioned = new Uint8Array(id);
  const version = unversioned[31];
  unversioned[31] = 0;
  return checkEncode(unversioned, version);
}

export function parseNodeId(text: string): Uint8Array {
  let decoded;
  try {
    decoded = checkDecode(text);
  } catch (err) {
    throw new NodeIdError(`invalid node ID ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  if (decoded.payload.length !== 32) throw new NodeIdError(`invalid node ID ${JSON.stringify(text)}: ${decoded.payload.length} bytes, want 32`);
  const id = decoded.payload;
  id[31] = decoded.version;
  return id;
}

/** `nodeID@host:port`, the form satellites are addressed by in access grants. */
export function parseNodeUrl(url: string): { id: Uint8Array; address: string } {
  const at = url.indexOf('@');
  if (at < 0) throw new NodeIdError(`node URL ${JSON.stringify(url)} must look like <nodeID>@<host>:<port>`);
  return { id: parseNodeId(url.slice(0, at)), address: url.slice(at + 1) };
}

export function formatNodeUrl(id: Uint8Array, address: string): string {
  return `${nodeIdString(id)}@${address}`;
}
