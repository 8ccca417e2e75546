/**
 * A piece being received: chunks go to one temp file through one open handle while SHA-256 runs over them.
 * Nothing here counts as stored: Pieces moves the finished file into place (rename is atomic), so a crash
 * mid-upload leaves only a temp file, which the next start removes.
 *
 * The file is written with O_DIRECT where the filesystem allows it: a node's pieces are cold data that
 * gains nothing from the page cache, and copying every piece into freshly allocated cache pages was the
 * largest single CPU cost of an upload on a 10-node testnet (~1–2 s per 640 MiB of pieces on a 2-core VM,
 * against ~0.1 s direct). Chunks are staged in block-aligned buffers (aligned.ts) and written one full
 * buffer at a time; the last block is padded, then the file is truncated to the piece's size. Where
 * O_DIRECT is refused (tmpfs, other systems) the same writes go through the page cache.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { Reason, RpcError } from '@dcsim/protocol';
import { BLOCK_BUFFER_SIZE, alignUp, type BlockBuffers } from './aligned.js';

/** Space bookkeeping the writer reports to, so concurrent uploads cannot together overfill the node. */
export interface SpaceAccount {
  reserve(bytes: number): void;
  release(bytes: number): void;
}

export class PieceWriter {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;
  private reserved = 0;
  // Two staging buffers: one fills while the other is on its way to disk (one write in flight at a time).
  private filling: Uint8Array;
  private writing: Uint8Array;
  private filled = 0;
  /** Bytes of the file handed to writes so far: whole buffers, then the padded tail. */
  private flushed = 0;
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;
  private state: 'open' | 'finished' | 'committed' | 'aborted' = 'open';

  private constructor(
    readonly tmpPath: string,
    private readonly file: FileHandle,
    private readonly maxBytes: number,
    private readonly space: SpaceAccount,
    private readonly buffers: BlockBuffers,
  ) {
    this.filling = buffers.take();
    this.writing = buffers.take();
  }

  /** `buffers`: the node's aligned staging buffers (its piece store's), two taken until the writer is done. */
  static async create(tmpPath: string, maxBytes: number, space: SpaceAccount, buffers: BlockBuffers): Promise<PieceWriter> {
    const file = await openPieceFile(tmpPath).catch(rethrowDiskError);
    return new PieceWriter(tmpPath, file, maxBytes, space, buffers);
  }

  get size(): number {
    return this.received;
  }

  /** Appends a chunk (copied: the caller may reuse it once this returns). */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error('piece writer is closed');
    if (this.received + chunk.length > this.maxBytes) {
      const message = `upload exceeds the order limit of ${this.maxBytes} bytes`;
      throw new RpcError(Reason.ORDER_LIMIT_EXCEEDED, message, { limit: String(this.maxBytes) });
    }
    this.space.reserve(chunk.length);
    this.reserved += chunk.length;
    this.hash.update(chunk);
    this.received += chunk.length;
    for (let at = 0; at < chunk.length;) {
      const take = Math.min(BLOCK_BUFFER_SIZE - this.filled, chunk.length - at);
      this.filling.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === BLOCK_BUFFER_SIZE) await this.flush(BLOCK_BUFFER_SIZE);
    }
  }

  /** Writes the filled buffer's first `length` bytes (a multiple of the alignment) and swaps buffers. */
  private async flush(length: number): Promise<void> {
    await this.pending;
    if (this.failure) rethrowDiskError(this.failure);
    const block = this.filling;
    // The catch is attached at once so a failed write is never an unhandled rejection; the next call reports it.
    this.pending = writeAll(this.file, block.subarray(0, length), this.flushed).catch((err) => {
      this.failure = err;
    });
    this.flushed += length;
    this.filling = this.writing;
    this.writing = block;
    this.filled = 0;
  }

  /** Flushes and syncs the temp file and returns what was received. */
  async finish(): Promise<{ size: number; hash: Uint8Array }> {
    if (this.filled > 0) {
      const padded = alignUp(this.filled);
      this.filling.fill(0, this.filled, padded);
      await this.flush(padded);
    }
    await this.pending;
    if (this.failure) rethrowDiskError(this.failure);
    if (this.flushed !== this.received) await this.file.truncate(this.received).catch(rethrowDiskError);
    await this.file.sync().catch(rethrowDiskError);
    await this.file.close();
    this.releaseBuffers();
    this.state = 'finished';
    return { size: this.received, hash: new Uint8Array(this.hash.digest()) };
  }

  /** Called by Pieces once the file has been renamed into place: its bytes now count as used. */
  committed(): void {
    this.space.release(this.reserved);
    this.reserved = 0;
    this.state = 'committed';
  }

  /** Drops the temp file and the space it held. Safe to call more than once and after errors. */
  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    await this.pending;
    if (wasOpen) {
      await this.file.close().catch(() => {});
      this.releaseBuffers();
    }
    await unlink(this.tmpPath).catch(() => {});
    this.space.release(this.reserved);
    this.reserved = 0;
  }

  private releaseBuffers(): void {
    this.buffers.release(this.filling);
    this.buffers.release(this.writing);
  }
}

/**
 * Creates the temp file for direct writes, or ordinary ones where O_DIRECT is refused. Linux creates the
 * file before it refuses the flag, so the second open must not insist on creating it.
 */
async function openPieceFile(path: string): Promise<FileHandle> {
  const create = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  if (constants.O_DIRECT) {
    try {
      return await open(path, create | constants.O_DIRECT, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    }
  }
  return open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
}

async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** A full disk is the client's problem to route around (another node), not a node failure. */
function rethrowDiskError(err: unknown): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') throw new RpcError(Reason.NODE_FULL, 'disk full: this node has no space left for the piece');
  throw err;
}
