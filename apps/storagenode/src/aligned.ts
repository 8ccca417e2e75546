/**
 * Block-aligned buffers for direct I/O (writer.ts). O_DIRECT needs the memory address, the file offset
 * and the length aligned to the disk's block size, and Node has no aligned allocator; but a WebAssembly
 * memory starts on a page boundary (V8 maps it whole), so buffers carved from one are aligned. They are
 * reused: copying into memory already mapped costs a fraction of touching fresh pages. Each node's piece
 * store holds its own BlockBuffers (store.ts).
 */

/** Bytes per buffer: one Piecestore upload message's chunk (the uplink sends 1 MiB). */
export const BLOCK_BUFFER_SIZE = 1024 * 1024;

/** What direct I/O lengths and offsets are rounded to: 4 KiB covers 512-byte and 4K-sector disks. */
const DIRECT_IO_ALIGNMENT = 4096;

const WASM_PAGE = 64 * 1024;
/** Buffers per WebAssembly memory; a node needs two per upload in progress. */
const SLAB_BUFFERS = 16;

// Node 20's type definitions do not declare the WebAssembly global; the runtime has it.
const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number }) => { buffer: ArrayBuffer } } })
  .WebAssembly;

/** Aligned buffers of BLOCK_BUFFER_SIZE bytes, made SLAB_BUFFERS at a time and reused. */
export class BlockBuffers {
  private readonly free: Uint8Array[] = [];

  /** A buffer whose start is page-aligned; give it back with `release`. */
  take(): Uint8Array {
    if (this.free.length === 0) {
      const memory = new Memory({ initial: (SLAB_BUFFERS * BLOCK_BUFFER_SIZE) / WASM_PAGE });
      for (let i = 0; i < SLAB_BUFFERS; i++) this.free.push(new Uint8Array(memory.buffer, i * BLOCK_BUFFER_SIZE, BLOCK_BUFFER_SIZE));
    }
    return this.free.pop()!;
  }

  release(buffer: Uint8Array): void {
    this.free.push(buffer);
  }
}

/** `n` rounded up to a multiple of DIRECT_IO_ALIGNMENT. */
export function alignUp(n: number): number {
  return Math.ceil(n / DIRECT_IO_ALIGNMENT) * DIRECT_IO_ALIGNMENT;
}
