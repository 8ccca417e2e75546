/**
 * Fetching pieces of one segment from the nodes that hold them: k good pieces rebuild it. We start a
 * few more transfers than needed (slow or missing nodes are common), start another whenever one
 * fails, and cancel the rest once enough good pieces are in. Lower piece numbers go first: pieces
 * 0..k-1 are the data itself (the code is systematic), so when they all arrive nothing needs decoding.
 *
 * A bad piece (wrong hash, size or signature) is reported through `onBadPiece` and a log line naming
 * the node, then replaced by another one.
 *
 * Nodes accept each order limit once, so a transfer cancelled as surplus used up its limit. When the
 * limits run out while pieces are still wanted (a ranged read found some of its pieces bad, and the
 * good ones left were among those cancelled), the fetcher asks the satellite for fresh limits
 * (`refresh`: DownloadSegment again) and tries the pieces it holds no copy of and saw no failure from.
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import type { AddressedOrderLimit } from '@dcsim/protocol';
import type { NodeClients } from '@dcsim/piecestore-client';
import { downloadPiece, PieceError } from '@dcsim/piecestore-client';
import type { MemoryPool } from './memory-pool.js';
import { emit, type ProgressListener } from './progress.js';

/** A piece that failed verification, as reported to `onBadPiece`. */
export interface BadPiece {
  segment: number;
  pieceNum: number;
  nodeId: string;
  address: string;
  reason: string;
}

export interface FetchOptions {
  segment: number;
  pieceSize: number;
  /** Bytes of every piece to fetch; whole pieces (hash-verified) when absent. */
  range?: { offset: number; length: number };
  /** Transfers started beyond the number of pieces wanted. */
  extra: number;
  /** Memory the pieces are received into; pieces not handed out go back to it. */
  memory: MemoryPool;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onBadPiece?: (bad: BadPiece) => void;
  onBytes?: (bytes: number) => void;
  log?: (line: string) => void;
  /** Fresh order limits for the segment's pieces, once the ones given are used up. */
  refresh?: () => Promise<AddressedOrderLimit[]>;
}

/** Fresh limits asked for per segment read, at most: one round of them covers every cancelled transfer. */
const MAX_REFRESHES = 2;

export class PieceFetcher {
  private readonly waiting: AddressedOrderLimit[];
  readonly failures: PieceError[] = [];
  /** Piece numbers fetched (handed out) or failed: fresh limits for them are of no use. */
  private readonly settled = new Set<number>();
  private refreshes = 0;

  constructor(
    private readonly nodes: NodeClients,
    limits: AddressedOrderLimit[],
    private readonly options: FetchOptions,
  ) {
    this.waiting = usable(limits);
  }

  /**
   * Fetches up to `count` more good pieces, keyed by piece number, with `extra` transfers beyond
   * that. Returns fewer only when every node has been tried, with fresh limits too; the caller decides
   * whether that is enough.
   */
  async fetch(count: number, extra = this.options.extra): Promise<Map<number, Uint8Array>> {
    const got = new Map<number, Uint8Array>();
    if (count <= 0) return got;
    const enough = new AbortController();
    const abort = () => enough.abort();
    this.options.signal?.addEventListener('abort', abort, { once: true });
    const running = new Set<Promise<void>>();
    try {
      for (;;) {
        // Keep count + extra transfers going while pieces are missing and nodes are left to ask.
        while (running.size < count - got.size + extra && this.waiting.length > 0) {
          const task = this.fetchOne(this.waiting.shift()!, enough.signal, got).finally(() => running.delete(task));
          running.add(task);
        }
        if (running.size === 0) {
          if (got.size >= count || !(await this.refresh())) break;
          continue;
        }
        await Promise.race(running);
        if (got.size >= count) {
          enough.abort(); // long tail: the pieces still coming are not needed
          await Promise.allSettled([...running]);
          break;
        }
      }
    } finally {
      this.options.signal?.removeEventListener('abort', abort);
    }
    this.options.signal?.throwIfAborted();
    return got;
  }

  /** New limits for pieces not yet fetched nor failed; false when there are none (or no more asking). */
  private async refresh(): Promise<boolean> {
    if (!this.options.refresh || this.refreshes >= MAX_REFRESHES) return false;
    this.options.signal?.throwIfAborted();
    this.refreshes++;
    const fresh = usable(await this.options.refresh()).filter((l) => !this.settled.has(l.pieceNum));
    this.waiting.push(...fresh);
    return fresh.length > 0;
  }

  private async fetchOne(addressed: AddressedOrderLimit, signal: AbortSignal, got: Map<number, Uint8Array>): Promise<void> {
    const { segment, onProgress } = this.options;
    const event = {
      type: 'piece',
      segment,
      pieceNum: addressed.pieceNum,
      nodeId: nodeIdString(addressed.limit!.storageNodeId),
      address: addressed.address,
    } as const;
    emit(onProgress, { ...event, status: 'started' });
    try {
      const data = await downloadPiece(this.nodes.get(addressed.limit!.storageNodeId, addressed.address), addressed, {
        range: this.options.range,
        pieceSize: this.options.pieceSize,
        memory: this.options.memory,
        signal,
        onBytes: this.options.onBytes,
      });
      if (signal.aborted) return this.options.memory.give([data]); // arrived after we had enough
      got.set(addressed.pieceNum, data);
      this.settled.add(addressed.pieceNum);
      emit(onProgress, { ...event, status: 'downloaded' });
    } catch (err) {
      if (signal.aborted) {
        emit(onProgress, { ...event, status: 'cancelled' });
        return;
      }
      const failure = err instanceof PieceError ? err : new PieceError(event.nodeId, addressed.pieceNum, String(err));
      this.failures.push(failure);
      this.settled.add(addressed.pieceNum);
      if (failure.bad) this.reportBad(addressed, failure.reason);
      emit(onProgress, { ...event, status: failure.bad ? 'bad' : 'failed', error: failure.reason });
    }
  }

  /** Tells the caller and the log which node served a bad piece (found here or later by the caller). */
  reportBad(addressed: AddressedOrderLimit, reason: string): void {
    const bad: BadPiece = {
      segment: this.options.segment,
      pieceNum: addressed.pieceNum,
      nodeId: nodeIdString(addressed.limit!.storageNodeId),
      address: addressed.address,
      reason,
    };
    this.options.log?.(`bad piece ${bad.pieceNum} of segment ${bad.segment} from node ${bad.nodeId} (${bad.address}): ${reason}`);
    try {
      this.options.onBadPiece?.(bad);
    } catch {
      // A listener's bug must not fail the download.
    }
  }
}

/** Limits the fetcher can use, lower piece numbers first. */
function usable(limits: AddressedOrderLimit[]): AddressedOrderLimit[] {
  return limits.filter((l) => l.limit).sort((a, b) => a.pieceNum - b.pieceNum);
}
