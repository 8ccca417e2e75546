/**
 * Garbage collection's bloom filter at Storj's scale: build time and size of one node's filter for 1 million piece
 * IDs at Storj's 10% false-positive target, and the false-positive rate measured over 1 million IDs never added.
 * "Build" is what the satellite does per piece: derive the piece ID from its segment's root (HMAC-SHA512) and add it;
 * adding alone is timed too. Storj's figures: 597,951 bytes serialized, ~10% false positives.
 */
import { randomBytes } from 'node:crypto';
import { BloomFilter } from '@dcsim/common/bloomfilter';
import { derivePieceId } from '@dcsim/common/pieceid';

const PIECES = 1_000_000;

const ms = (start: number) => performance.now() - start;

export default async function gcBench(): Promise<void> {
  const nodeId = new Uint8Array(randomBytes(32));
  const roots = Array.from({ length: PIECES }, () => new Uint8Array(randomBytes(32)));

  let start = performance.now();
  const ids = roots.map((root, i) => derivePieceId(root, nodeId, i % 110));
  const deriveMs = ms(start);

  start = performance.now();
  const filter = BloomFilter.optimal(PIECES);
  for (const id of ids) filter.add(id);
  const bytes = filter.bytes();
  const addMs = ms(start);

  start = performance.now();
  const missing = ids.filter((id) => !filter.contains(id)).length;
  const containsMs = ms(start);

  const others = Array.from({ length: PIECES }, () => new Uint8Array(randomBytes(32)));
  const falsePositives = others.filter((id) => filter.contains(id)).length;

  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(34)} ${value}\n`);
  line('pieces in the filter', PIECES.toLocaleString('en-US'));
  line('filter size (serialized)', `${bytes.length.toLocaleString('en-US')} bytes (${filter.hashCount} hashes; Storj: 597,951)`);
  line(
    'build: derive IDs + add',
    `${((deriveMs + addMs) / 1000).toFixed(2)} s (derive ${(deriveMs / 1000).toFixed(2)} s, add ${addMs.toFixed(0)} ms)`,
  );
  line('add', `${((addMs * 1e6) / PIECES).toFixed(0)} ns per piece`);
  line('contains (node side)', `${((containsMs * 1e6) / PIECES).toFixed(0)} ns per piece`);
  line('false negatives', `${missing} (must be 0)`);
  line(
    'false positives',
    `${((falsePositives / PIECES) * 100).toFixed(2)}% of ${PIECES.toLocaleString('en-US')} IDs never added (target ~10%)`,
  );
  if (missing > 0) process.exitCode = 1;
}
