/**
 * Erasure coding throughput for one 64 MiB segment (Storj's segment size), in MiB/s of segment, of
 * dcsim's SIMD kernel next to the reference build it replaced (`@subspace/reed-solomon-erasure.wasm`,
 * the Rust crate compiled to scalar wasm, with the same stripe layout), in the same run: encode into n
 * pieces, decode with data pieces missing (real Reed-Solomon work), and decode from the k data pieces
 * (no Reed-Solomon, just reassembling stripes). Each figure is the median of three rounds; the pieces
 * of both are checked to be identical and both decodes to give the segment back.
 *
 * Both work as the uplink's segment thread does: encode run by run (1 MiB of every piece per run) into
 * run memory reused from the previous round, decode into a reused segment buffer. On this VM the first
 * touch of fresh memory costs ~3 ms/MiB, many times a copy, so coding into fresh pieces
 * (`encodeSegment`) would time the allocator, the same for both codecs, more than the codec.
 *
 * Run: npm run bench -- erasure
 */
import { randomFillSync } from 'node:crypto';
import { type RedundancyScheme, decodeSegment, encodeRuns, encodeSegment, formatScheme, parseScheme } from '@dcsim/erasure';
import { runStripes } from '../apps/uplink/src/lib/encoder.js';
import { DEFAULT_UPLOAD_CHUNK } from '@dcsim/piecestore-client';
import { referenceDecode, referenceEncode, referenceEncodeRuns } from '../packages/erasure/test/reference.js';

const SEGMENT_SIZE = 64 * 1024 * 1024;
const SCHEMES = ['4/6/8/10', '29/35/80/110'];
const ROUNDS = 3;

interface Codec {
  encode: typeof encodeSegment;
  encodeRuns: typeof encodeRuns;
  decode: typeof decodeSegment;
  /** Memory reused from round to round: run buffers in order, and the decoded segment. */
  runs: Uint8Array[];
  segment: Uint8Array<ArrayBuffer>;
}

const kernel: Codec = { encode: encodeSegment, encodeRuns, decode: decodeSegment, runs: [], segment: new Uint8Array(SEGMENT_SIZE) };
const reference: Codec = {
  encode: referenceEncode,
  encodeRuns: referenceEncodeRuns,
  decode: referenceDecode,
  runs: [],
  segment: new Uint8Array(SEGMENT_SIZE),
};

export default async function erasureBench(): Promise<void> {
  const segment = randomFillSync(new Uint8Array(SEGMENT_SIZE));
  // Warm up both engines and the JIT on a small segment so the figures measure steady state.
  for (const codec of [kernel, reference]) {
    for (const text of SCHEMES) {
      const scheme = parseScheme(text);
      const pieces = codec.encode(segment.subarray(0, 1 << 20), scheme);
      codec.decode(
        pieces.map((p, i) => (i === 0 ? undefined : p)),
        scheme,
        1 << 20,
      );
    }
  }

  console.log(
    `erasure: ${SEGMENT_SIZE / 2 ** 20} MiB segment, share size ${parseScheme(SCHEMES[0]).shareSize} B, ` +
      `median of ${ROUNDS} rounds; the kernel (wasm SIMD) next to the reference (reed-solomon-erasure.wasm 0.2.5, scalar)`,
  );
  for (const text of SCHEMES) benchScheme(segment, parseScheme(text));
}

function benchScheme(segment: Uint8Array, scheme: RedundancyScheme): void {
  const { required: k, total: n } = scheme;
  const name = formatScheme(scheme);
  const ours = kernel.encode(segment, scheme);
  const theirs = reference.encode(segment, scheme);
  ours.forEach((piece, i) => {
    if (!same(piece, theirs[i])) throw new Error(`erasure bench: ${name} piece ${i} differs from the reference's`);
  });
  line(name, 'encode', (codec) => () => {
    let n = 0;
    const reuse = (bytes: number) => {
      if (codec.runs[n]?.length !== bytes) codec.runs[n] = new Uint8Array(bytes);
      return codec.runs[n++];
    };
    const stripes = runStripes({ chunkSize: DEFAULT_UPLOAD_CHUNK, scheme });
    for (const run of codec.encodeRuns(segment, scheme, stripes, reuse)) void run;
  });

  // Drop as many data pieces as parity can replace, then keep exactly k pieces.
  const missing = Math.min(k, n - k);
  const someMissing = ours.map((piece, i) => (i >= missing && i < missing + k ? piece : undefined));
  line(
    name,
    `decode (${missing} data pieces missing)`,
    (codec) => () => check(codec.decode(someMissing, scheme, segment.length, codec.segment), segment),
  );

  const dataOnly = ours.map((piece, i) => (i < k ? piece : undefined));
  line(name, 'decode (k data pieces)', (codec) => () => check(codec.decode(dataOnly, scheme, segment.length, codec.segment), segment));
}

function line(scheme: string, what: string, work: (codec: Codec) => () => void): void {
  const ms = (codec: Codec) => median(Array.from({ length: ROUNDS }, () => timed(work(codec))));
  const [ourMs, theirMs] = [ms(kernel), ms(reference)];
  console.log(
    `  ${scheme.padEnd(13)} ${what.padEnd(34)} kernel ${rate(ourMs)}   reference ${rate(theirMs)}   ` +
      `${(theirMs / ourMs).toFixed(2)}× the reference`,
  );
}

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function rate(ms: number): string {
  return `${(SEGMENT_SIZE / 2 ** 20 / (ms / 1000)).toFixed(0).padStart(5)} MiB/s (${ms.toFixed(0).padStart(4)} ms)`;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

function check(actual: Uint8Array, expected: Uint8Array): void {
  if (!same(actual, expected)) throw new Error('erasure bench: decoded segment differs from the original');
}
