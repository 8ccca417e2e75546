/**
 * Big buffers kept for reuse: plain segments of uploads, whole pieces of downloads. Filling fresh memory
 * costs several times more than filling memory already mapped (the kernel maps and zeroes every new
 * page first; in a VM the host may have to back it too), and a 256 MiB upload or download would
 * otherwise take 100–400 MiB of it. What a pool keeps goes back to the system after a few idle seconds.
 * The pools belong to a TransferResources (resources.ts).
 */

const IDLE_MS = 5000;

export class MemoryPool {
  private kept: Uint8Array[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  /** `maxKept`: buffers held at most (of any size). */
  constructor(private readonly maxKept: number) {}

  /** `size` bytes: kept memory of exactly that size when there is some (its old bytes remain). */
  take(size: number): Uint8Array {
    const at = this.kept.findIndex((b) => b.length === size);
    return at < 0 ? new Uint8Array(size) : this.kept.splice(at, 1)[0];
  }

  /** Buffers nothing else refers to any more. */
  give(buffers: Iterable<Uint8Array>): void {
    for (const buffer of buffers) {
      // Only whole buffers: a view could share its memory with something still in use.
      if (this.kept.length < this.maxKept && buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength)
        this.kept.push(buffer);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.clear(), IDLE_MS);
    this.idleTimer.unref();
  }

  /** Lets go of everything kept. */
  clear(): void {
    clearTimeout(this.idleTimer);
    this.kept = [];
  }
}
