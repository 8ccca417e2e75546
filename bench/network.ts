/**
 * Upload and download throughput of a 256 MiB object on a real network (1 satellite + 10 storage nodes as
 * processes, scheme 4/6/8/10, 64 MiB segments), next to the in-process ceiling measured in the same run:
 * encrypting and erasure-encoding the same bytes with no network at all. Target: both at least 50% of it.
 *
 * The same transfers also run on a second network whose processes have no TLS (the plaintext baseline,
 * DCSIM_PLAINTEXT_BASELINE=1 in their environment), in the same rounds, taking turns, so what TLS costs is
 * measured under the same load. Target: TLS figures at least 90% of the plaintext ones.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_ENCRYPTION, encryptSegment, encryptedSize, segmentNonce } from '@dcsim/crypto/encryption';
import { encodeRuns, encodeSegment, parseScheme } from '@dcsim/erasure';
import { runStripes } from '../apps/uplink/src/lib/encoder.js';
import { DEFAULT_UPLOAD_CHUNK } from '@dcsim/piecestore-client';
import { PLAINTEXT_BASELINE_ENV } from '@dcsim/protocol';
import { TransferResources, type Project } from '@dcsim/uplink';
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
  for (let i = 0; i < SIZE / SEGMENT; i++)
    encodeSegment(encryptSegment(segment, randomBytes(32), segmentNonce(0, i), DEFAULT_ENCRYPTION), scheme);
  return performance.now() - start;
}

interface Network {
  name: string;
  /** Environment of its processes (and of the bench's uplink while it opens its project). */
  env: Record<string, string>;
  project?: Project;
  nodePids?: number[];
  uploads: number[];
  downloads: number[];
  /** CPU seconds per transfer: this (the uplink's) process, and the ten nodes together. */
  uploadCpu: { uplink: number; nodes: number }[];
  downloadCpu: { uplink: number; nodes: number }[];
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 where there is none. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}

/** Runs `work` and returns the CPU seconds it cost this process and the nodes. */
async function cpuOf(network: Network, work: () => Promise<void>): Promise<{ uplink: number; nodes: number }> {
  const nodes = () => network.nodePids!.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const uplink = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const [u0, n0] = [uplink(), nodes()];
  await work();
  return { uplink: uplink() - u0, nodes: nodes() - n0 };
}

/**
 * Starts one network per entry, each with its own environment, opens a project on each, then runs `fn`. The
 * projects share `resources` (one segment thread and its memory), as one uplink process's projects would.
 */
async function withNetworks(networks: Network[], resources: TransferResources, fn: () => Promise<void>, at = 0): Promise<void> {
  if (at === networks.length) return fn();
  const network = networks[at];
  const saved = { ...process.env };
  Object.assign(process.env, network.env); // read by the processes it spawns and by the transport of its project
  const restore = () => {
    for (const key of Object.keys(network.env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  };
  try {
    await withTestnet({ nodes: 10, scheme: SCHEME }, async (net) => {
      network.project = await net.uplink(undefined, { resources });
      network.nodePids = net.nodes.map((n) => n.pid!);
      restore();
      await withNetworks(networks, resources, fn, at + 1);
    });
  } finally {
    restore();
  }
}

export default async function networkBench(): Promise<void> {
  delete process.env[PLAINTEXT_BASELINE_ENV]; // the TLS network must be what it claims
  const chunk = new Uint8Array(randomBytes(MiB));
  // The ceilings encode one segment made of the same chunks the uploads send, SIZE / SEGMENT times.
  const segment = new Uint8Array(SEGMENT);
  for (let at = 0; at < SEGMENT; at += chunk.length) segment.set(chunk, at);
  const networks: Network[] = [
    { name: 'TLS', env: {}, uploads: [], downloads: [], uploadCpu: [], downloadCpu: [] },
    { name: 'plaintext', env: { [PLAINTEXT_BASELINE_ENV]: '1' }, uploads: [], downloads: [], uploadCpu: [], downloadCpu: [] },
  ];
  console.log(`starting ${networks.length} networks of 1 satellite + 10 storage nodes (${networks.map((n) => n.name).join(', ')}) ...`);
  const resources = new TransferResources();
  await withNetworks(networks, resources, async () => {
    for (const { project } of networks) {
      await project!.createBucket('bench');
      // Warm-up: one segment up and down, so connections exist, the encoder thread runs and the JIT has
      // compiled the hot paths, as in any long-running uplink. Not timed.
      await project!.upload('bench', 'warm-up', source(chunk, SEGMENT), { size: SEGMENT });
      for await (const part of await project!.download('bench', 'warm-up')) void part;
    }

    // Each measurement ROUNDS times, every figure printed, judged by the median: one 2-core machine is noisy.
    // The networks take turns, in the other order every round, so none always goes first.
    const ceilings: number[] = [];
    const freshCeilings: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      collectGarbage();
      ceilings.push(rate(ceiling(segment)));
      collectGarbage();
      freshCeilings.push(rate(freshMemoryCeiling(segment)));
      const order = round % 2 === 1 ? networks : [...networks].reverse();
      for (const network of order) await transfer(network, round, chunk);
      const figures = networks.map((n) => `${n.name} upload ${n.uploads.at(-1)!.toFixed(1)}, download ${n.downloads.at(-1)!.toFixed(1)}`);
      console.log(
        `round ${round}: ceiling ${ceilings.at(-1)!.toFixed(1)} (fresh memory ${freshCeilings.at(-1)!.toFixed(1)}); ` +
          `${figures.join('; ')} MiB/s`,
      );
    }

    const c = median(ceilings);
    const verdict = (r: number) =>
      `${r.toFixed(1)} MiB/s (${((r / c) * 100).toFixed(0)}% of ceiling, target ≥ 50%: ${r / c >= 0.5 ? 'met' : 'MISSED'})`;
    const [tls, ...baselines] = networks;
    console.log(`\nscheme ${SCHEME}, 256 MiB object, 64 MiB segments, after a one-segment warm-up; medians of ${ROUNDS} rounds`);
    console.log(`ceiling (encrypt + erasure-encode in process, no network): ${c.toFixed(1)} MiB/s`);
    console.log(`  (the same into fresh memory, the ceiling of earlier notes: ${median(freshCeilings).toFixed(1)} MiB/s)`);
    console.log(`upload:   ${verdict(median(tls.uploads))}`);
    console.log(`download: ${verdict(median(tls.downloads))}`);
    const cpu = (xs: { uplink: number; nodes: number }[]) =>
      `uplink ${median(xs.map((x) => x.uplink)).toFixed(2)} s, nodes ${median(xs.map((x) => x.nodes)).toFixed(2)} s`;
    console.log('CPU per 256 MiB transfer (medians; less sensitive than MiB/s to whatever else runs on the machine):');
    for (const n of networks) console.log(`  ${n.name.padEnd(10)} upload: ${cpu(n.uploadCpu)}; download: ${cpu(n.downloadCpu)}`);
    for (const base of baselines) {
      const share = (a: number[], b: number[]) => median(a) / median(b);
      const up = share(tls.uploads, base.uploads);
      const down = share(tls.downloads, base.downloads);
      console.log(
        `${base.name}: upload ${median(base.uploads).toFixed(1)}, download ${median(base.downloads).toFixed(1)} MiB/s; ` +
          `${tls.name} is ${(up * 100).toFixed(0)}% / ${(down * 100).toFixed(0)}% of it ` +
          `(target ≥ 90%: ${up >= 0.9 && down >= 0.9 ? 'met' : 'MISSED'})`,
      );
    }
  }).finally(() => resources.close());
}

/** One timed upload and one timed download of the 256 MiB object, each after a full garbage collection. */
async function transfer(network: Network, round: number, chunk: Uint8Array): Promise<void> {
  const project = network.project!;
  collectGarbage();
  let start = performance.now();
  network.uploadCpu.push(
    await cpuOf(network, async () => void (await project.upload('bench', `big-${round}`, source(chunk), { size: SIZE }))),
  );
  network.uploads.push(rate(performance.now() - start));

  collectGarbage();
  start = performance.now();
  let received = 0;
  network.downloadCpu.push(
    await cpuOf(network, async () => {
      for await (const part of await project.download('bench', `big-${round}`)) received += part.length;
    }),
  );
  network.downloads.push(rate(performance.now() - start));
  if (received !== SIZE) throw new Error(`${network.name}: downloaded ${received} bytes, want ${SIZE}`);
}
