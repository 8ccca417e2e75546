/**
 * What a request wants to do, and whether a caveat allows it (storj/common macaroon/apikey.go Caveat.Allows).
 * The satellite builds an Action for every request; every caveat in the chain must allow it.
 */
import type { Caveat } from './caveat.js';

export enum ActionType {
  Read = 1,
  Write = 2,
  List = 3,
  Delete = 4,
  ProjectInfo = 5,
}

export interface Action {
  op: ActionType;
  bucket?: Uint8Array;
  encryptedPath?: Uint8Array;
  time: Date;
}

/** Why a caveat refuses an action, in words a user can act on; undefined when it allows it. */
export function caveatRefusal(c: Caveat, action: Action): string | undefined {
  const t = action.time.getTime();
  if (c.notAfter && t > c.notAfter.getTime()) return `access expired at ${c.notAfter.toISOString()} (not_after)`;
  if (c.notBefore && c.notBefore.getTime() > t) return `access not valid before ${c.notBefore.toISOString()} (not_before)`;

  const paths = c.allowedPaths ?? [];
  // Reading bucket metadata is allowed wherever the bucket is (Storj: "always allow reads for bucket metadata").
  if (action.op === ActionType.Read && !action.encryptedPath?.length) {
    if (paths.length === 0 || !action.bucket?.length) return undefined;
    return paths.some((p) => equal(p.bucket, action.bucket!)) ? undefined : 'bucket not in the allowed paths';
  }
  switch (action.op) {
    case ActionType.Read:
      if (c.disallowReads) return 'reads are not allowed (disallow_reads)';
      break;
    case ActionType.Write:
      if (c.disallowWrites) return 'writes are not allowed (disallow_writes)';
      break;
    case ActionType.List:
      if (c.disallowLists) return 'lists are not allowed (disallow_lists)';
      break;
    case ActionType.Delete:
      if (c.disallowDeletes) return 'deletes are not allowed (disallow_deletes)';
      break;
    case ActionType.ProjectInfo:
      return undefined;
    default:
      return `unknown operation ${action.op}`;
  }
  if (paths.length > 0) {
    const bucket = action.bucket ?? new Uint8Array(0);
    const path = action.encryptedPath ?? new Uint8Array(0);
    const inside = paths.some((p) => equal(p.bucket, bucket) && startsWith(path, p.encryptedPathPrefix ?? new Uint8Array(0)));
    if (!inside) return 'path not in the allowed paths (allowed_paths)';
  }
  return undefined;
}

export function caveatAllows(c: Caveat, action: Action): boolean {
  return caveatRefusal(c, action) === undefined;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= data.length && prefix.every((x, i) => x === data[i]);
}
