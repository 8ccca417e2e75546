/**
 * Repair of a 256 MiB object (4 segments of 64 MiB, 4/6/8/10) after losing nodes down to just above k holders,
 * next to what a user would otherwise do with the same bytes: download them and upload them again through the
 * uplink library (streamed: the upload reads the download as it arrives), on the same network in the same run.
 * Target: repair at least 80 % as fast as that.
 *
 * The network has 15 nodes. Five are stopped (and the satellite told so) while the object is uploaded, so every
 * segment lands on the same ten (8 pieces each: the upload's long tail is cancelled at optimal); then they come
 * back, and as many holders stop as leave every segment 5 or more healthy pieces, most of them at 5 (just above
 * k = 4; at most five stop, so ten nodes stay up for the re-upload). The satellite rebuilds each segment from 4
 * pieces onto new nodes, up to 9 pieces (optimal + 5 %).
 *
 *   npm run bench -- repair [--size MiB]
 */
import { randomBytes } from 'node:crypto';
import { withTestnet, type TestNet } from '../test/harness.js';

const MiB = 1024 * 1024;
const SCHEME = '4/6/8/10';
const NODES = 15;
const SPARES = [10, 11, 12, 13, 14];
const HOLDERS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const KEEP_AT_LEAST = 5;
const MAX_STOPPED = 5;

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

async function* source(chunk: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < size; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, size - sent));
}

async function timed<T>(what: string, size: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  console.log(`  ${what.padEnd(52)} ${`${(size / MiB / (ms / 1000)).toFixed(1)} MiB/s`.padStart(12)}   (${(ms / 1000).toFixed(1)} s)`);
  return { ms, value };
}

export default async function repairBench(args: string[]): Promise<void> {
  const size = option(args, '--size', 256) * MiB;
  const chunk = new Uint8Array(randomBytes(MiB));
  console.log(`starting 1 satellite + ${NODES} storage nodes (${SCHEME}); a ${size / MiB} MiB object ...`);
  // The background loops stay out of the way: the bench runs them when it means to.
  const satelliteArgs = ['--repair-checker-interval', '0', '--repairer-interval', '0'];
  await withTestnet({ nodes: NODES, scheme: SCHEME, satelliteArgs }, async (net) => {
    const project = await net.uplink();
    await project.createBucket('bench');
    await project.upload('bench', 'warm-up', source(chunk, 8 * MiB)); // connections, the segment thread, the JIT
    await project.delete('bench', 'warm-up'); // retired: the checker leaves it alone

    await setNodes(net, SPARES, 'stop');
    await project.upload('bench', 'object', source(chunk, size), { size });
    await setNodes(net, SPARES, 'start');
    const held = (await project.pieces('bench', 'object')).map((s) => s.pieces.map((p) => net.nodes.findIndex((n) => n.id === p.nodeId)));
    const lost = nodesToStop(held);
    await setNodes(net, lost, 'stop');
    const left = held.map((nodes) => nodes.filter((i) => !lost.includes(i)).length);
    console.log(`object stored on nodes 0-9; nodes ${lost.join(', ')} stopped: ${left.join(', ')} pieces left per segment`);

    const copy = await timed('download + upload again (uplink library, streamed)', size, async () => {
      await project.upload('bench', 'copy', await project.download('bench', 'object'), { size });
    });
    const repair = await timed('testnet satellite repair', size, () => net.satellite.repair());
    console.log(repair.value.replace(/^/gm, '    '));
    console.log(`repair: ${((copy.ms / repair.ms) * 100).toFixed(0)}% of the download + upload speed (target ≥ 80%)`);
  });
}

/**
 * The holders to stop: as many as leave every segment at least KEEP_AT_LEAST pieces, fewest pieces left in all
 * (every subset of the ten holders is tried: 1,024).
 */
function nodesToStop(held: number[][]): number[] {
  let best: { nodes: number[]; left: number } = { nodes: [], left: Infinity };
  for (let mask = 0; mask < 1 << HOLDERS.length; mask++) {
    const nodes = HOLDERS.filter((_, bit) => mask & (1 << bit));
    if (nodes.length > MAX_STOPPED) continue;
    const left = held.map((segment) => segment.filter((i) => !nodes.includes(i)).length);
    if (Math.min(...left) < KEEP_AT_LEAST) continue;
    const total = left.reduce((a, b) => a + b, 0);
    if (total < best.left) best = { nodes, left: total };
  }
  return best.nodes;
}

/** Stops or starts nodes; the satellite pings every node afterwards, so it knows at once. */
async function setNodes(net: TestNet, nodes: number[], how: 'stop' | 'start'): Promise<void> {
  await Promise.all(nodes.map((i) => (how === 'stop' ? net.nodes[i].stop() : net.nodes[i].start())));
  await net.satellite.runChore('node-liveness');
}
