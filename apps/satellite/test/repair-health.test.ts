/** Which pieces of a segment count (repair/health.ts): healthy, clumped, missing; and Storj's queue condition. */
import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../src/db/index.js';
import { nodeKey } from '../src/overlay.js';
import { classifyPieces, needsRepair, type NodeHealth } from '../src/repair/health.js';

const id = (n: number) => new Uint8Array(32).fill(n);

function nodes(list: { n: number; address: string; healthy: boolean }[]): NodeHealth {
  const row = (n: number, address: string) => ({ id: id(n), address }) as NodeRow;
  return new Map(list.map(({ n, address, healthy }) => [nodeKey(id(n)), { node: row(n, address), healthy }]));
}

const pieces = [1, 2, 3, 4, 5].map((n, pieceNum) => ({ pieceNum, nodeId: id(n) }));
const known = nodes([
  { n: 1, address: '10.0.1.1:7777', healthy: true },
  { n: 2, address: '10.0.1.2:7777', healthy: true }, // same /24 as node 1
  { n: 3, address: '10.0.2.1:7777', healthy: false }, // offline
  { n: 4, address: '10.0.3.1:7777', healthy: true },
  // node 5: unknown to the satellite
]);
const numbers = (list: { pieceNum: number }[]) => list.map((p) => p.pieceNum);

describe('classifying pieces', () => {
  it('counts pieces on healthy nodes; offline and unknown nodes hold missing pieces', () => {
    const health = classifyPieces(pieces, known, false);
    expect(numbers(health.healthy)).toEqual([0, 1, 3]);
    expect(numbers(health.retrievable)).toEqual([0, 1, 3]);
    expect(numbers(health.missing)).toEqual([2, 4]);
    expect(health.clumped).toEqual([]);
  });

  it('with declumping, a later piece in a /24 that already holds one is clumped: retrievable, not healthy', () => {
    const health = classifyPieces(pieces, known, true);
    expect(numbers(health.healthy)).toEqual([0, 3]);
    expect(numbers(health.clumped)).toEqual([1]);
    expect(numbers(health.retrievable)).toEqual([0, 3, 1]);
  });

  it('queues at or below the repair threshold, and below optimal (Storj)', () => {
    const scheme = { required: 4, repair: 6, optimal: 8, total: 10, shareSize: 256 };
    expect([3, 4, 6, 7, 8].map((healthy) => needsRepair(healthy, scheme))).toEqual([true, true, true, false, false]);
  });
});
