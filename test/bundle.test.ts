/**
 * The testnet's app bundles (scripts/testnet/bundle.ts): a worker thread an app starts is bundled beside it, the
 * app's bundle starts that file, and it runs under plain Node (no tsx), as the bundled gateway and uplink run it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCRYPTION, segmentNonce } from '@dcsim/crypto/encryption';
import { parseScheme } from '@dcsim/erasure';
import type { WorkerReply, WorkerRequest } from '../apps/uplink/src/lib/segment-thread.js';
import { REPO_ROOT, mainPath } from '../scripts/testnet/apps.js';
import { bundleApp } from '../scripts/testnet/bundle.js';

describe('app bundles', () => {
  it("bundle the uplink's segment worker beside the app, and the bundled worker encodes a segment", async () => {
    const app = await bundleApp('uplink', mainPath('uplink'), REPO_ROOT);
    const worker = join(dirname(app), 'uplink.segment-worker.mjs');
    expect(readFileSync(app, 'utf8')).toContain('new URL("./uplink.segment-worker.mjs", import.meta.url)');
    expect(readFileSync(worker, 'utf8')).not.toContain('tsx');

    const thread = new Worker(worker, { execArgv: [] }); // plain Node: nothing would load TypeScript
    try {
      const plain = new Uint8Array(100_000).fill(3);
      const job = {
        plain,
        contentKey: new Uint8Array(32).fill(7),
        nonce: segmentNonce(0, 0),
        encryption: DEFAULT_ENCRYPTION,
        scheme: parseScheme('2/3/4/5'),
        chunkSize: 4096,
      };
      const replies: WorkerReply['type'][] = [];
      await new Promise<void>((resolve, reject) => {
        thread.on('error', reject);
        thread.on('message', (reply: WorkerReply) => {
          replies.push(reply.type);
          if (reply.type === 'error') reject(new Error(reply.error));
          if (reply.type === 'end') resolve();
        });
        thread.postMessage({ type: 'encode', id: 1, job } satisfies WorkerRequest);
      });
      expect(replies[0]).toBe('plain');
      expect(replies.filter((type) => type === 'run').length).toBeGreaterThan(0);
    } finally {
      await thread.terminate();
    }
  });
});
