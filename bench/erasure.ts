/**
 * Erasure coding throughput for one 64 MiB segment (Storj's segment size), in MiB/s of segment:
 * encode into n pieces, decode with data pieces missing (real Reed-Solomon work), and decode from
 * the k data pieces (no Reed-Solomon, just reassembling stripes).
 *
 * Run: npm run bench -- erasure
 */
import { randomFillSync } from 'node:crypto';
import {
  type RedundancyScheme,
  decodeSegment,
  encodeSegment,
  formatScheme,
  parseScheme,
} from '@dcsim/erasure';

const SEGMENT_SIZE = 64 * 1024 * 1024;
const SCHEMES = ['4/6/8/10', '29/35/80/110'];

export default async function erasureBench(): Promise<void> {
  const segment = randomFillSync(new Uint8Array(SEGMENT_SIZE));
  // Warm up the engine and the JIT on a small segment so the figures measure steady state.
  encodeSegment(segment.subarray(0, 1024 * 1024), parseScheme('4/6/8/10'));

  console.log(`erasure: ${SEGMENT_SIZE / 2 ** 20} MiB segment, share size ${parseScheme(SCHEMES[0]).shareSize} B`);
  for (const text of SCHEMES) benchScheme(segment, parseScheme(text));
}

function benchScheme(segment: Uint8Array, scheme: RedundancyScheme): void {
  const { required: k, total: n } = scheme;
  const [pieces, encodeMs] = timed(() => encodeSegment(segment, scheme));

  // Drop as many data pieces as parity can replace, then keep exactly k pieces.
  const missing = Math.min(k, n - k);
  const numbers = Array.from({ length: n }, (_, i) => i).slice(missing, missing + k);
  const someMissing = pieces.map((piece, i) => (numbers.includes(i) ? piece : undefined));
  const [rebuilt, decodeMs] = timed(() => decodeSegment(someMissing, scheme, segment.length));
  check(rebuilt, segment);

  const dataOnly = pieces.map((piece, i) => (i < k ? piece : undefined));
  const [reassembled, dataMs] = timed(() => decodeSegment(dataOnly, scheme, segment.length));
  check(reassembled, segment);

  const name = formatScheme(scheme).padEnd(13);
  console.log(
    `  ${name} encode ${rate(encodeMs)}   decode (${missing} data pieces missing) ${rate(decodeMs)}   ` +
      `decode (k data pieces) ${rate(dataMs)}`,
  );
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, performance.now() - start];
}

function rate(ms: number): string {
  return `${(SEGMENT_SIZE / 2 ** 20 / (ms / 1000)).toFixed(0).padStart(5)} MiB/s (${ms.toFixed(0)} ms)`;
}

function check(actual: Uint8Array, expected: Uint8Array): void {
  if (!Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)) {
    throw new Error('erasure bench: decoded segment differs from the original');
  }
}
