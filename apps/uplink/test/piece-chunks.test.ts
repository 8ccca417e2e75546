import { describe, expect, it } from 'vitest';
import { PieceChunks } from '../src/lib/piece-chunks.js';

/** A run of `total` chunks of `size` bytes; chunk i is filled with 10 × run + i. */
const run = (index: number, total: number, size = 4) => {
  const shards = new Uint8Array(total * size);
  for (let i = 0; i < total; i++) shards.fill(10 * index + i, i * size, (i + 1) * size);
  return shards;
};

describe('PieceChunks', () => {
  it('gives each piece its own chunk of every run, in order, and ends', async () => {
    const chunks = new PieceChunks(3);
    chunks.push(run(0, 3));
    chunks.push(run(1, 3));
    chunks.end();
    for (let piece = 0; piece < 3; piece++) {
      const got: number[] = [];
      for await (const chunk of chunks.read(piece)) got.push(chunk[0]);
      expect(got).toEqual([piece, 10 + piece]);
    }
  });

  it('waits for runs that have not arrived yet', async () => {
    const chunks = new PieceChunks(1);
    const reading = (async () => {
      const got: number[] = [];
      for await (const chunk of chunks.read(0)) got.push(chunk[0]);
      return got;
    })();
    chunks.push(run(0, 1));
    await new Promise((r) => setTimeout(r, 5));
    chunks.push(run(1, 1));
    chunks.end();
    expect(await reading).toEqual([0, 10]);
  });

  it('recycles a run only when every piece has moved past it or stopped', async () => {
    const recycled: number[] = [];
    const chunks = new PieceChunks(2, (shards) => recycled.push(shards[0]));
    chunks.push(run(0, 2));
    chunks.push(run(1, 2));
    const first = chunks.read(0);
    await first.next(); // piece 0 holds chunk 0 of run 0
    await first.next(); // moved past run 0, holds run 1
    expect(recycled).toEqual([]); // piece 1 still needs both
    chunks.stop(1); // its upload ended (cancelled as the long tail, say)
    expect(recycled).toEqual([0]); // run 0: piece 0 is past it, piece 1 stopped
    chunks.stop(0);
    expect(recycled).toEqual([0, 10]);
    chunks.push(run(2, 2)); // nobody reads any more: straight back
    expect(recycled).toEqual([0, 10, 20]);
  });

  it("makes every reader throw the encoder's failure", async () => {
    const chunks = new PieceChunks(2);
    const reading = chunks.read(1).next();
    chunks.fail(new Error('encoder died'));
    await expect(reading).rejects.toThrow('encoder died');
    await expect(chunks.read(0).next()).rejects.toThrow('encoder died');
  });
});
