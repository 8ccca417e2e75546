/**
 * Upload and download throughput of a 256 MiB object on a real network (1 satellite + 10 storage nodes as
 * processes, scheme 4/6/8/10, 64 MiB segments), next to the in-process ceiling measured in the same run:
 * encrypting and erasure-encoding the same bytes with no network at all. Target: both at least 50% of it.
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_ENCRYPTION, encryptSegment, encryptedSize, segmentNonce } from '@dcsim/crypto';
import { encodeRuns, encodeSegment, parseScheme } from '@dcsim/erasure';
import { runStripes } from '../apps/uplink/src/lib/encoder.js';
import { DEFAULT_UPLOAD_CHUNK } from '../apps/uplink/src/lib/piece-upload.js';
import { withTestnet } from '../test/harness.js';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const SEGMENT = 64 * MiB;
const SCHEME = '4/6/8/10';

const ROUNDS = 3;

/**
 * A full garbage collection, run before each timed step: the ceilings leave ~1 GiB of garbage behind
 * (the fresh-memory one by design), and collecting it during the upload that follows would bill the
 * upload for work the bench itself made.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const rate = (ms: number) => SIZE / MiB / (ms / 1000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The object arrives as a stream of 1 MiB chunks, as from a file. */
async function* source(chunk: Uint8Array, size = SIZE): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
}

/**
 * The uplink's own CPU work on the object with no network, done as its segment thread does it
 * (segment-worker.ts): each segment encrypted into one reused buffer and erasure coded run by run into
 * memory reused from the previous segment, as an uplink holding one segment's pieces would.
 */
function ceiling(segment: Uint8Array): number {
  const scheme = parseScheme(SCHEME);
  const encrypted = new Uint8Array(encryptedSize(SEGMENT, DEFAULT_ENCRYPTION));
  const stripes = runStripes({ chunkSize: DEFAULT_UPLOAD_CHUNK, scheme });
  const runs: Uint8Array[] = [];
  const start = performance.now();
  for (let i = 0; i < SIZE / SEGMENT; i++) {
    encryptSegment(segment, randomBytes(32), segmentNonce(0, i), DEFAULT_ENCRYPTION, encrypted);
    let n = 0;
    const reuse = (bytes: number) => (runs[n]?.length === bytes ? runs[n++] : (runs[n++] = new Uint8Array(bytes)));
    for (const run of encodeRuns(encrypted, scheme, stripes, reuse)) void run;
  }
  return performance.now() - start;
}

/** The same work as the straightforward API does it, into fresh memory: the ceiling earlier notes used. */
function freshMemoryCeiling(segment: Uint8Array): number {
  const scheme = parseScheme(SCHEME);
  const start = performance.now();
  for (let i = 0; i < SIZE / SEGMENT; i++) encodeSegment(encryptSegment(segment, randomBytes(32), segmentNonce(0, i), DEFAULT_ENCRYPTION), scheme);
  return performance.now() - start;
}

export default async function networkBench(): Promise<void> {
  const chunk = new Uint8Array(randomBytes(MiB));
  // The ceilings encode one segment made of the same chunks the uploads send, SIZE / SEGMENT times.
  const segment = new Uint8Array(SEGMENT);
  for (let at = 0; at < SEGMENT; at += chunk.length) segment.set(chunk, at);
  console.log('starting 1 satellite + 10 storage nodes ...');
  await withTestnet({ nodes: 10, scheme: SCHEME }, async (net) => {
    const project = await net.uplink();
    await project.createBucket('bench');
    // Warm-up: one segment up and down, so connections exist, the encoder thread runs and the JIT has
    // compiled the hot paths, as in any long-running uplink. Not timed.
    await project.upload('bench', 'warm-up', source(chunk, SEGMENT), { size: SEGMENT });
    for await (const part of await project.download('bench', 'warm-up')) void part;

    // Each measurement ROUNDS times, every figure printed, judged by the median: one 2-core machine is noisy.
    const ceilings: number[] = [];
    const freshCeilings: number[] = [];
    const uploads: number[] = [];
    const downloads: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      collectGarbage();
      ceilings.push(rate(ceiling(segment)));
      collectGarbage();
      freshCeilings.push(rate(freshMemoryCeiling(segment)));
      collectGarbage();
      let start = performance.now();
      await project.upload('bench', `big-${round}`, source(chunk), { size: SIZE });
      uploads.push(rate(performance.now() - start));

      collectGarbage();
      start = performance.now();
      let received = 0;
      for await (const part of await project.download('bench', `big-${round}`)) received += part.length;
      downloads.push(rate(performance.now() - start));
      if (received !== SIZE) throw new Error(`downloaded ${received} bytes, want ${SIZE}`);
      console.log(`round ${round}: ceiling ${ceilings.at(-1)!.toFixed(1)} (fresh memory ${freshCeilings.at(-1)!.toFixed(1)}), upload ${uploads.at(-1)!.toFixed(1)}, download ${downloads.at(-1)!.toFixed(1)} MiB/s`);
    }

    const c = median(ceilings);
    const verdict = (r: number) => `${r.toFixed(1)} MiB/s (${((r / c) * 100).toFixed(0)}% of ceiling, target ≥ 50%: ${r / c >= 0.5 ? 'met' : 'MISSED'})`;
    console.log(`\nscheme ${SCHEME}, 256 MiB object, 64 MiB segments, after a one-segment warm-up; medians of ${ROUNDS} rounds`);
    console.log(`ceiling (encrypt + erasure-encode in process, no network): ${c.toFixed(1)} MiB/s`);
    console.log(`  (the same into fresh memory, the ceiling of earlier notes: ${median(freshCeilings).toFixed(1)} MiB/s)`);
    console.log(`upload:   ${verdict(median(uploads))}`);
    console.log(`download: ${verdict(median(downloads))}`);
  });
}
