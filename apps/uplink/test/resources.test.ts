/**
 * Who owns the segment thread and the reused memory: a TransferResources shared by projects outlives each of
 * them and is closed by its maker; closing it fails what its thread still runs and lets its memory go.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CipherSuite, DEFAULT_ENCRYPTION, Store, segmentNonce } from '@dcsim/crypto/encryption';
import { serializeAccess } from '@dcsim/crypto/grant';
import { APIKey } from '@dcsim/crypto/macaroon';
import { parseScheme } from '@dcsim/erasure';
import { Project } from '../src/index.js';
import { encodeInWorker, type EncodeJob } from '../src/lib/encoder.js';
import { TransferResources } from '../src/lib/resources.js';
import { SegmentThreadError } from '../src/lib/segment-thread.js';

const job = (size: number): EncodeJob => ({
  plain: new Uint8Array(randomBytes(size)),
  contentKey: new Uint8Array(32).fill(7),
  nonce: segmentNonce(0, 0),
  encryption: DEFAULT_ENCRYPTION,
  scheme: parseScheme('2/3/4/5'),
  chunkSize: 4096,
});

/** Encodes one segment on `resources`' thread, reading its pieces to the end. */
async function encode(resources: TransferResources, size = 10_000): Promise<void> {
  const encoding = encodeInWorker(resources.thread, job(size), true);
  await Promise.all(
    Array.from({ length: 5 }, async (_, i) => {
      for await (const chunk of encoding.pieces.read(i)) void chunk;
      encoding.pieces.stop(i);
    }),
  );
  await encoding.finished;
}

// A grant for a satellite that is never called: opening and closing a project sends nothing.
const grant = serializeAccess({
  satelliteAddress: '12EayRS2V1kEsWESU9QMRseFhdxYxKicsiFmxrsLZHeLUtdps3S@127.0.0.1:7777',
  apiKey: APIKey.generate(new Uint8Array(randomBytes(32))),
  encAccess: { store: new Store({ defaultKey: new Uint8Array(randomBytes(32)), defaultPathCipher: CipherSuite.AESGCM }) },
});

describe('TransferResources', () => {
  it('shared by projects, outlives the ones that close, until its maker closes it', async () => {
    const shared = new TransferResources();
    const [a, b] = await Promise.all([Project.open(grant, { resources: shared }), Project.open(grant, { resources: shared })]);
    await encode(shared);
    await a.close();
    await b.close();
    await encode(shared); // still running: the projects did not own it
    await shared.close();
    await expect(encode(shared)).rejects.toBeInstanceOf(SegmentThreadError);
  });

  it('closed, fails the work its thread still runs and keeps no memory', async () => {
    const resources = new TransferResources();
    const kept = resources.segments.take(1000);
    resources.segments.give([kept]);
    const running = expect(encode(resources, 2_000_000)).rejects.toThrow(/closed/); // observed before it fails
    await resources.close();
    await running;
    expect(resources.segments.take(1000)).not.toBe(kept);
  });
});
