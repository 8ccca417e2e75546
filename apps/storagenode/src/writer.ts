/**
 * A piece being received: chunks go to one temp file through one open handle while SHA-256 runs over them.
 * Nothing here counts as stored: the store moves the finished file into place (rename is atomic), so a crash
 * mid-upload leaves only a temp file, which the next start removes.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { permissionDenied, resourceExhausted } from '@dcsim/protocol';

/** Space bookkeeping the writer reports to, so concurrent uploads cannot together overfill the node. */
export interface SpaceAccount {
  reserve(bytes: number): void;
  release(bytes: number): void;
}

export class PieceWriter {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;
  private reserved = 0;
  // One write in flight at a time: the next message is decoded while the previous chunk hits the disk.
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;
  private state: 'open' | 'finished' | 'committed' | 'aborted' = 'open';

  private constructor(
    readonly tmpPath: string,
    private readonly file: FileHandle,
    private readonly maxBytes: number,
    private readonly space: SpaceAccount,
  ) {}

  static async create(tmpPath: string, maxBytes: number, space: SpaceAccount): Promise<PieceWriter> {
    const file = await open(tmpPath, 'wx', 0o600).catch(rethrowDiskError);
    return new PieceWriter(tmpPath, file, maxBytes, space);
  }

  get size(): number {
    return this.received;
  }

  /** Appends a chunk. The caller must not change `chunk` afterwards (it is written without a copy). */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error('piece writer is closed');
    if (this.received + chunk.length > this.maxBytes) {
      throw permissionDenied(`upload exceeds the order limit of ${this.maxBytes} bytes`);
    }
    this.space.reserve(chunk.length);
    this.reserved += chunk.length;
    await this.pending;
    if (this.failure) rethrowDiskError(this.failure);
    this.hash.update(chunk);
    this.received += chunk.length;
    // The catch is attached at once so a failed write is never an unhandled rejection; the next call reports it.
    this.pending = writeAll(this.file, chunk).catch((err) => {
      this.failure = err;
    });
  }

  /** Flushes and syncs the temp file and returns what was received. */
  async finish(): Promise<{ size: number; hash: Uint8Array }> {
    await this.pending;
    if (this.failure) rethrowDiskError(this.failure);
    await this.file.sync().catch(rethrowDiskError);
    await this.file.close();
    this.state = 'finished';
    return { size: this.received, hash: new Uint8Array(this.hash.digest()) };
  }

  /** Called by the store once the file has been renamed into place: its bytes now count as used. */
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
    if (wasOpen) await this.file.close().catch(() => {});
    await unlink(this.tmpPath).catch(() => {});
    this.space.release(this.reserved);
    this.reserved = 0;
  }
}

async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await file.write(chunk, done, chunk.length - done);
    done += bytesWritten;
  }
}

/** A full disk is the client's problem to route around (another node), not a node failure. */
function rethrowDiskError(err: unknown): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') throw resourceExhausted('disk full: this node has no space left for the piece');
  throw err;
}
