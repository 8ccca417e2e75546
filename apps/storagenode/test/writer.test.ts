import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_BUFFER_SIZE, BlockBuffers } from '../src/aligned.js';
import { PieceWriter, type SpaceAccount } from '../src/writer.js';

const MiB = 1024 * 1024;
const unlimited: SpaceAccount = { reserve() {}, release() {} };
const buffers = new BlockBuffers();

// The disk the node normally writes to (direct I/O), and tmpfs, which may refuse O_DIRECT (then buffered).
const dirs = [mkdtempSync(join(tmpdir(), 'dcsim-writer-'))];
if (existsSync('/dev/shm')) dirs.push(mkdtempSync('/dev/shm/dcsim-writer-'));
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes `piece` in chunks of `chunk` bytes and returns what finish() reports. */
async function writePiece(path: string, piece: Uint8Array, chunk: number, space = unlimited) {
  const writer = await PieceWriter.create(path, piece.length, space, buffers);
  for (let at = 0; at < piece.length; at += chunk) await writer.write(piece.subarray(at, at + chunk));
  return writer.finish();
}

describe.each(dirs)('PieceWriter in %s', (dir) => {
  const sizes = [0, 1, 511, 4096, 4097, BLOCK_BUFFER_SIZE - 1, BLOCK_BUFFER_SIZE, BLOCK_BUFFER_SIZE + 1, 2.5 * MiB + 7];
  for (const size of sizes) {
    it(`keeps a ${size}-byte piece byte for byte, whatever the chunk sizes`, async () => {
      const piece = new Uint8Array(randomBytes(size));
      for (const chunk of [1 * MiB, 65_537, 3 * MiB]) {
        const path = join(dir, `p-${size}-${chunk}`);
        const { size: written, hash } = await writePiece(path, piece, chunk);
        expect(written).toBe(size);
        expect(Buffer.from(hash).equals(createHash('sha256').update(piece).digest())).toBe(true);
        expect(readFileSync(path).equals(piece)).toBe(true); // no padding left past the end
      }
    });
  }

  it('copies chunks: the caller may reuse its buffer at once', async () => {
    const piece = new Uint8Array(randomBytes(3 * MiB));
    const reused = new Uint8Array(64 * 1024);
    const path = join(dir, 'reused');
    const writer = await PieceWriter.create(path, piece.length, unlimited, buffers);
    for (let at = 0; at < piece.length; at += reused.length) {
      reused.set(piece.subarray(at, at + reused.length));
      await writer.write(reused);
      reused.fill(0xee);
    }
    await writer.finish();
    expect(readFileSync(path).equals(piece)).toBe(true);
  });

  it('refuses bytes past the order limit, and abort removes the temp file and releases the space', async () => {
    let reserved = 0;
    const space: SpaceAccount = { reserve: (n) => void (reserved += n), release: (n) => void (reserved -= n) };
    const path = join(dir, 'over');
    const writer = await PieceWriter.create(path, MiB, space, buffers);
    await writer.write(new Uint8Array(MiB));
    await expect(writer.write(new Uint8Array(1))).rejects.toThrow('exceeds the order limit of 1048576 bytes');
    await writer.abort();
    expect(readdirSync(dir)).not.toContain('over');
    expect(reserved).toBe(0);
  });
});
