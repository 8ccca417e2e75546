import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENCRYPTION, DecryptionError, encryptSegment, encryptedSize, segmentNonce } from '@dcsim/crypto/encryption';
import { encodeSegment, parseScheme } from '@dcsim/erasure';
import { decodeInWorker } from '../src/lib/decoder.js';
import { encodeInWorker, type EncodeJob, type SegmentEncoding } from '../src/lib/encoder.js';
import { SegmentThread, SegmentThreadError } from '../src/lib/segment-thread.js';

// One thread for the file, as a Project has (its worker runs from the TypeScript source, through tsx).
const thread = new SegmentThread();
afterAll(() => thread.close());

const scheme = parseScheme('2/3/4/5');
const job = (plain: Uint8Array, chunkSize = 4096): EncodeJob => ({
  plain,
  contentKey: new Uint8Array(32).fill(7),
  nonce: segmentNonce(0, 3),
  encryption: DEFAULT_ENCRYPTION,
  scheme,
  chunkSize,
});

/** What encoding `plain` gives on this thread, in one piece: the reference. */
const reference = (plain: Uint8Array) =>
  encodeSegment(encryptSegment(plain, new Uint8Array(32).fill(7), segmentNonce(0, 3), DEFAULT_ENCRYPTION), scheme);

/** Reads every piece to its end, copying each chunk (its memory goes back to the worker). */
async function collect(encoding: SegmentEncoding): Promise<Buffer[]> {
  const pieces = await Promise.all(
    Array.from({ length: scheme.total }, async (_, i) => {
      const chunks: Buffer[] = [];
      for await (const chunk of encoding.pieces.read(i)) chunks.push(Buffer.from(chunk));
      encoding.pieces.stop(i);
      return Buffer.concat(chunks);
    }),
  );
  await encoding.finished;
  return pieces;
}

const same = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((p, i) => Buffer.from(p).equals(b[i]));

describe('segment encoder', () => {
  it('streams, run by run, the pieces this thread would make', async () => {
    for (const size of [1, 4000, 300_000]) {
      const plain = new Uint8Array(randomBytes(size));
      const expected = reference(plain);
      const encoding = encodeInWorker(thread, job(plain.slice()), true);
      expect(encoding.pieceSize).toBe(expected[0].length);
      expect(same(await collect(encoding), expected)).toBe(true);
    }
  });

  it('stays right when it codes into recycled memory, and keeps the order of queued segments', async () => {
    const plains = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(200_000)));
    // All four queued at once; each read to the end, so the runs of one are reused by the next.
    const encodings = plains.map((plain) => encodeInWorker(thread, job(plain.slice()), true));
    for (const [i, encoding] of encodings.entries()) expect(same(await collect(encoding), reference(plains[i]))).toBe(true);
  });

  it("moves a segment it owns to the worker and back, and copies a view of the caller's bytes", async () => {
    const owned = new Uint8Array(randomBytes(10_000));
    let returned: Uint8Array | undefined;
    await collect(encodeInWorker(thread, job(owned), true, (free) => (returned = free)));
    expect(owned.byteLength).toBe(0); // transferred
    expect(returned?.length).toBe(10_000); // and back, for the segmenter to refill

    const callers = new Uint8Array(randomBytes(20_000));
    const view = callers.subarray(5_000, 15_000);
    const expected = reference(view);
    let handedBack = false;
    const [a, b] = await Promise.all([
      collect(encodeInWorker(thread, job(view), false, () => (handedBack = true))),
      collect(encodeInWorker(thread, job(view), true)),
    ]);
    expect(callers.byteLength).toBe(20_000); // untouched, even when called "owned" with a view
    expect(handedBack).toBe(false); // a copy of the caller's bytes is not the caller's to refill
    expect(same(a, expected) && same(b, expected)).toBe(true);
  });
});

describe('segment decoder', () => {
  const plain = new Uint8Array(randomBytes(300_000));
  const decodeJob = (pieces: (Uint8Array | undefined)[]) => ({
    pieces,
    scheme,
    encryptedSize: encryptedSize(plain.length, DEFAULT_ENCRYPTION),
    contentKey: new Uint8Array(32).fill(7),
    nonce: segmentNonce(0, 3),
    encryption: DEFAULT_ENCRYPTION,
  });

  it('rebuilds and decrypts a segment from any k pieces on the worker thread', async () => {
    for (const keep of [
      [0, 1],
      [3, 4],
      [1, 4],
    ]) {
      const pieces = reference(plain).map((p, i) => (keep.includes(i) ? p : undefined));
      expect(Buffer.from(await decodeInWorker(thread, decodeJob(pieces))).equals(plain)).toBe(true);
    }
  });

  it('reports bytes that fail authentication as a DecryptionError', async () => {
    const pieces: (Uint8Array | undefined)[] = reference(plain);
    pieces[0]![1000] ^= 1;
    await expect(decodeInWorker(thread, decodeJob(pieces))).rejects.toBeInstanceOf(DecryptionError);
  });

  it('gives the pieces back with the plain segment', async () => {
    const pieces = reference(plain).map((p, i) => (i < scheme.required ? p : undefined));
    const sizes = pieces.filter((p) => p !== undefined).map((p) => p.length);
    let back: Uint8Array[] = [];
    await decodeInWorker(thread, decodeJob(pieces), (free) => (back = free));
    expect(back.map((p) => p.length)).toEqual(sizes); // moved to the worker and back, for the next downloads to fill
  });
});

describe('closing the segment thread', () => {
  it('fails the work it still runs and every later request', async () => {
    const own = new SegmentThread();
    const running = encodeInWorker(own, job(new Uint8Array(randomBytes(2_000_000))), true);
    await own.close();
    await expect(running.finished).rejects.toBeInstanceOf(SegmentThreadError);
    await expect(encodeInWorker(own, job(new Uint8Array(10)), true).finished).rejects.toThrow(/closed/);
  });
});
