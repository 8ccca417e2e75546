/**
 * Garbage collection on the node (Storj's storagenode/retain). The satellite sends a bloom filter of every piece
 * this node should hold as of the filter's creation date (Retain); the node keeps every piece the filter may
 * contain and moves the others to trash, but only pieces stored before `creation date - time skew`: a newer piece
 * may belong to an upload the satellite had not committed when it built the filter. False positives only keep
 * garbage a little longer; a piece in use is always in the filter, so it is never trashed.
 *
 * The request is checked when it arrives (it must be signed by this node's satellite and name this node), kept in
 * `retain.pb` so a restart does not lose it (one pending request: a newer one replaces it, as in Storj) and applied
 * by the `retain` chore, which the handler triggers at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BloomFilter, BloomFilterError } from '@dcsim/common/bloomfilter';
import { equalBytes } from '@dcsim/common/bytes';
import { formatDuration } from '@dcsim/common/duration';
import { shortNodeId } from '@dcsim/common/short';
import type { Clock } from '@dcsim/process';
import { Reason, RetainRequest, RpcError, fieldInvalid, fieldMissing, verifyRetainRequestSignature } from '@dcsim/protocol';
import type { Pieces } from './pieces.js';
import type { TrustedSatellite } from './trust.js';

/** Storj's `Retain.MaxTimeSkew`: pieces stored less than this before the filter's creation date are kept. */
export const DEFAULT_RETAIN_TIME_SKEW_MS = 72 * 3600_000;

const PENDING_FILE = 'retain.pb';

export interface RetainDeps {
  dir: string;
  nodeId: Uint8Array;
  satellite: TrustedSatellite;
  pieces: Pieces;
  clock: Clock;
  timeSkewMs: number;
  log: (line: string) => void;
}

export class Retain {
  private pending: RetainRequest | undefined;
  private last = 'no filter applied yet';

  constructor(private readonly deps: RetainDeps) {
    const file = this.pendingFile;
    if (!existsSync(file)) return;
    try {
      this.pending = RetainRequest.decode(readFileSync(file));
    } catch (err) {
      deps.log(`dropped the pending retain request in ${file}: it does not decode (${(err as Error).message})`);
    }
  }

  private get pendingFile(): string {
    return join(this.deps.dir, PENDING_FILE);
  }

  /** Checks a Retain request and queues it (replacing one not applied yet); throws an RpcError if it is refused. */
  async accept(request: RetainRequest): Promise<void> {
    const { satellite, nodeId } = this.deps;
    const key = satellite.publicKey;
    if (!key) throw new RpcError(Reason.NODE_NOT_READY, 'node has not checked in with its satellite yet: try again shortly');
    if (!equalBytes(request.storageNodeId, nodeId)) {
      const message = `retain request is for node ${shortNodeId(request.storageNodeId)}, not this node (${shortNodeId(nodeId)})`;
      throw new RpcError(Reason.RETAIN_WRONG_NODE, message);
    }
    if (!verifyRetainRequestSignature(key, request)) {
      throw new RpcError(Reason.RETAIN_SIGNATURE_INVALID, "retain request is not signed by this node's satellite");
    }
    if (!request.creationDate) throw fieldMissing('creation_date', 'retain request has no creation date');
    try {
      BloomFilter.fromBytes(request.filter);
    } catch (err) {
      if (err instanceof BloomFilterError) throw fieldInvalid('filter', `retain request filter: ${err.message}`);
      throw err;
    }
    const tmp = `${this.pendingFile}.tmp`;
    await writeFile(tmp, RetainRequest.encode(request).finish());
    await rename(tmp, this.pendingFile);
    this.pending = request;
  }

  /** The `retain` chore: applies the pending filter, if any; returns what it did. */
  async runOnce(): Promise<string> {
    const request = this.pending;
    if (!request) return `no new filter (last: ${this.last})`;
    const { pieces, clock, timeSkewMs, log } = this.deps;
    const filter = BloomFilter.fromBytes(request.filter);
    const createdBefore = new Date(request.creationDate!.getTime() - timeSkewMs);
    const candidates = pieces.retainCandidates(this.deps.satellite.id, createdBefore);
    const garbage = candidates.filter((id) => !filter.contains(id));
    const trashed = await pieces.trash(garbage, clock.date());
    if (this.pending === request) {
      this.pending = undefined;
      await unlink(this.pendingFile).catch(() => {});
    }
    const { pieces: kept } = pieces.counts();
    this.last =
      `filter of ${request.creationDate!.toISOString()}: moved ${trashed} piece(s) to trash, ${kept} kept ` +
      `(${candidates.length - garbage.length} of the ${candidates.length} stored before ${formatDuration(timeSkewMs)} earlier matched it)`;
    log(`garbage collection: ${this.last}`);
    return this.last;
  }
}
