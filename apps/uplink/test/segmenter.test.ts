import { describe, expect, it } from 'vitest';
import { readSegments } from '../src/lib/segmenter.js';

async function collect(source: Parameters<typeof readSegments>[0], size: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const segment of readSegments(source, size)) out.push(segment.slice());
  return out;
}

function bytes(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

async function* chunked(data: Uint8Array, chunkSizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const size = chunkSizes[i++ % chunkSizes.length];
    yield data.subarray(at, at + size);
    at += size;
  }
}

describe('readSegments', () => {
  it('gives an empty source one empty segment (an empty object has one inline segment)', async () => {
    expect((await collect(new Uint8Array(0), 10)).map((s) => s.length)).toEqual([0]);
    expect((await collect(chunked(new Uint8Array(0), [3]), 10)).map((s) => s.length)).toEqual([0]);
  });

  it('cuts full segments and a shorter last one, whatever the chunk sizes', async () => {
    const data = bytes(25);
    for (const chunks of [[1], [3], [10], [7, 1, 13], [100]]) {
      const segments = await collect(chunked(data, chunks), 10);
      expect(segments.map((s) => s.length)).toEqual([10, 10, 5]);
      expect(Buffer.concat(segments)).toEqual(Buffer.from(data));
    }
  });

  it('adds no empty segment after an exact multiple of the segment size', async () => {
    const data = bytes(30);
    expect((await collect(chunked(data, [4]), 10)).map((s) => s.length)).toEqual([10, 10, 10]);
    expect((await collect(data, 10)).map((s) => s.length)).toEqual([10, 10, 10]);
  });

  it('does not keep views of chunks a stream may reuse', async () => {
    const reused = new Uint8Array(4);
    async function* source() {
      for (let i = 0; i < 5; i++) {
        reused.fill(i);
        yield reused;
      }
    }
    const segments: Uint8Array[] = [];
    for await (const s of readSegments(source(), 6)) segments.push(s); // kept without copying
    expect(Buffer.concat(segments)).toEqual(Buffer.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]));
  });

  it('rejects a segment size that is not a positive integer', async () => {
    await expect(collect(bytes(3), 0)).rejects.toThrow(/segment size/);
  });
});
