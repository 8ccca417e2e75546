/**
 * `npm run bench -- audit [--segments N] [--rounds R] [--concurrency C]`: audit throughput on a real 1 + 10 node network (3/4/6/8,
 * the testnet's scheme for 10 nodes). N segments (default 1,000) are uploaded as objects of 125 segments of
 * 64 KiB; then the satellite's audit-all chore audits every one of them, R times (default 3): per segment a random
 * stripe, a GET_AUDIT limit and one 256-byte share from each of its 6–8 holders over TLS, error correction.
 * Printed: segments/s and shares verified/s per round, next to the ceiling of the satellite's own work, error
 * correction alone (`correctStripe` on the same number of stripes, in this process). C is the satellite's
 * `--audit-concurrency` (segments audited at once; default 2, as Storj's worker).
 */
import { randomBytes } from 'node:crypto';
import { correctStripe, encodeSegment, parseScheme } from '@dcsim/erasure';
import { withTestnet } from '../test/harness.js';

const SCHEME = '3/4/6/8';
const SEGMENT = 64 * 1024;
const SEGMENTS_PER_OBJECT = 125;

export default async function auditBench(args: string[]): Promise<void> {
  const segments = numberArg(args, '--segments', 1000);
  const rounds = numberArg(args, '--rounds', 3);
  const concurrency = numberArg(args, '--concurrency', 2);
  const objects = Math.ceil(segments / SEGMENTS_PER_OBJECT);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(
    `audit: ${objects} objects × ${SEGMENTS_PER_OBJECT} segments of ${SEGMENT / 1024} KiB on 10 nodes, ${SCHEME}, ${concurrency} at once`,
  );

  const satelliteArgs = ['--audit-concurrency', String(concurrency)];
  await withTestnet({ nodes: 10, scheme: SCHEME, segmentSize: SEGMENT, satelliteArgs }, async (net) => {
    const project = await net.uplink();
    await project.createBucket('bench');
    const began = performance.now();
    for (let i = 0; i < objects; i++) await project.upload('bench', `o${i}`, randomBytes(SEGMENT * SEGMENTS_PER_OBJECT));
    say(`uploaded in ${((performance.now() - began) / 1000).toFixed(1)} s`);

    for (let r = 1; r <= rounds; r++) {
      const start = performance.now();
      const round = await net.satellite.audit();
      const s = (performance.now() - start) / 1000;
      const judged = round.segments.filter((x) => !x.problem).length;
      say(
        `round ${r}: ${round.segments.length} segments (${judged} judged) in ${s.toFixed(2)} s: ` +
          `${(round.segments.length / s).toFixed(0)} segments/s, ${(round.sharesVerified / s).toFixed(0)} shares verified/s ` +
          `(${round.sharesVerified} shares)`,
      );
    }
  });
  say(`ceiling (error correction only, in process): ${correctionCeiling(segments)}`);
}

/** correctStripe on `count` stripes of 8 shares (one of them wrong), as the satellite runs it per audited segment. */
function correctionCeiling(count: number): string {
  const scheme = parseScheme(SCHEME, 256);
  const segment = randomBytes(3 * 256 * 64 - 4);
  const pieces = encodeSegment(new Uint8Array(segment), scheme);
  const stripes = Array.from({ length: 64 }, (_, s) => {
    const shares = new Map(pieces.map((p, i) => [i, p.subarray(s * 256, (s + 1) * 256)]));
    shares.set(5, new Uint8Array(256).fill(s));
    return shares;
  });
  const start = performance.now();
  for (let i = 0; i < count; i++) correctStripe(stripes[i % stripes.length], scheme);
  const s = (performance.now() - start) / 1000;
  return `${(count / s).toFixed(0)} segments/s, ${((count * 8) / s).toFixed(0)} shares/s`;
}

function numberArg(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const n = Number(args[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a whole number of at least 1`);
  return n;
}
