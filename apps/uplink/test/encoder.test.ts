import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCRYPTION, segmentNonce } from '@dcsim/crypto';
import { parseScheme } from '@dcsim/erasure';
import { encodeHere, encodeInWorker, type EncodeJob } from '../src/lib/encoder.js';

const job = (plain: Uint8Array): EncodeJob => ({
  plain,
  contentKey: new Uint8Array(32).fill(7),
  nonce: segmentNonce(0, 3),
  encryption: DEFAULT_ENCRYPTION,
  scheme: parseScheme('2/3/4/5'),
});
const same = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((p, i) => Buffer.from(p).equals(b[i]));

describe('segment encoder', () => {
  it('gives the same pieces on the worker thread as here', async () => {
    const plain = new Uint8Array(randomBytes(300_000));
    const here = encodeHere(job(plain));
    const there = await encodeInWorker(job(plain.slice()), true);
    expect(there.encryptedSize).toBe(here.encryptedSize);
    expect(same(there.pieces, here.pieces)).toBe(true);
  });

  it("moves a segment it owns to the worker, and copies a view of the caller's bytes", async () => {
    const owned = new Uint8Array(randomBytes(10_000));
    await encodeInWorker(job(owned), true);
    expect(owned.byteLength).toBe(0); // transferred

    const callers = new Uint8Array(randomBytes(20_000));
    const view = callers.subarray(5_000, 15_000);
    const expected = encodeHere(job(view));
    const [a, b] = await Promise.all([encodeInWorker(job(view), false), encodeInWorker(job(view), true)]);
    expect(callers.byteLength).toBe(20_000); // untouched, even when called "owned" with a view
    expect(same(a.pieces, expected.pieces) && same(b.pieces, expected.pieces)).toBe(true);
  });
});
