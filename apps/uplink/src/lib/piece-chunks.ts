/**
 * The n pieces of one segment as they come out of the encoder, run by run (encoder.ts), shared by the
 * n piece uploads. Each upload reads its own piece at its own pace: the first chunks go out while the
 * encoder is still coding the rest of the segment, as in Storj's streaming uplink.
 *
 * A run is one buffer holding a chunk of every piece. It goes back to the encoder for reuse once every
 * upload has sent its chunk of it, or has stopped (stored, failed, or cancelled as the long tail):
 * writing into memory already mapped is several times faster than into fresh memory.
 */

interface Run {
  shards: Uint8Array;
  shardSize: number;
  /** Uploads that have not yet sent their chunk of this run. */
  holders: number;
}

export class PieceChunks {
  private readonly runs: (Run | undefined)[] = [];
  /** Per piece: the next run it reads, or -1 once its upload has stopped. */
  private readonly next: number[];
  private active: number;
  private ended = false;
  private failure: Error | undefined;
  private waiting: (() => void)[] = [];

  constructor(
    readonly total: number,
    private readonly recycle: (shards: Uint8Array) => void = () => {},
  ) {
    this.next = new Array<number>(total).fill(0);
    this.active = total;
  }

  /** A run from the encoder: `shards` holds one equal chunk of each piece, piece 0 first. */
  push(shards: Uint8Array): void {
    if (this.active === 0) return this.recycle(shards);
    this.runs.push({ shards, shardSize: shards.length / this.total, holders: this.active });
    this.wake();
  }

  /** Every run has been pushed. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The encoder failed: every reader throws `err`. */
  fail(err: Error): void {
    this.failure = err;
    this.wake();
  }

  /**
   * Piece `piece`, chunk by chunk. A chunk is valid only until the next one is asked for: by then its
   * run may be back with the encoder, so the caller must have copied or sent it.
   */
  async *read(piece: number): AsyncGenerator<Uint8Array> {
    for (;;) {
      const at = this.next[piece];
      if (at < 0) return; // stopped
      if (this.failure) throw this.failure;
      if (at >= this.runs.length) {
        if (this.ended) return;
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        continue;
      }
      const run = this.runs[at]!;
      yield run.shards.subarray(piece * run.shardSize, (piece + 1) * run.shardSize);
      this.next[piece] = at + 1;
      this.letGo(at);
    }
  }

  /** Piece `piece`'s upload has stopped: the runs it has not read yet no longer wait for it. */
  stop(piece: number): void {
    const from = this.next[piece];
    if (from < 0) return;
    this.next[piece] = -1;
    this.active--;
    for (let at = from; at < this.runs.length; at++) this.letGo(at);
  }

  /** Nothing will be sent (the upload failed): every run goes back as it comes. */
  stopAll(): void {
    for (let piece = 0; piece < this.total; piece++) this.stop(piece);
  }

  private letGo(at: number): void {
    const run = this.runs[at]!;
    if (--run.holders > 0) return;
    this.runs[at] = undefined;
    this.recycle(run.shards);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
