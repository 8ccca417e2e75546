/**
 * What a Project's transfers run on besides the network: the segment thread that encrypts and erasure codes
 * (segment-thread.ts), and the big memory they reuse instead of filling fresh pages (memory-pool.ts, and the
 * upload message buffers of @dcsim/protocol's UploadMessageWriter).
 *
 * A Project opened without one makes its own and closes it with itself. A process with many projects
 * (the S3 gateway: one per access grant, up to 32) makes one and passes it to all of them in
 * `ProjectOptions.resources`: one segment thread per process is what the cores allow, and memory kept
 * for reuse stays bounded by the process, not multiplied by its grants. Its maker closes it.
 */
import { UploadMessageWriter } from '@dcsim/protocol';
import { MemoryPool } from './memory-pool.js';
import { SegmentThread } from './segment-thread.js';

export class TransferResources {
  /** Encoding and decoding of segments, off the event loop. */
  readonly thread = new SegmentThread();
  /** Plain segments for the segmenter: the upload pipeline has up to three in hand (reading, encoding, spare). */
  readonly segments = new MemoryPool(3);
  /** Whole pieces for piece downloads: a segment's k plus the extra transfers, with room for the next. */
  readonly pieces = new MemoryPool(12);
  /** Piece upload messages: enough buffers for ten piece uploads with their queues full (piece-upload.ts). */
  readonly uploadMessages = new UploadMessageWriter(64);

  /** Stops the segment thread (failing what it still runs) and lets the kept memory go. */
  async close(): Promise<void> {
    await this.thread.close();
    this.segments.clear();
    this.pieces.clear();
    this.uploadMessages.clear();
  }
}
