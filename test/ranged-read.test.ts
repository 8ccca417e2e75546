/**
 * A ranged read succeeds whenever a whole read does. A range cannot be checked against a piece's signed
 * hash, so bad pieces show up only as blocks that fail AES-GCM, after k pieces are in; by then the spare
 * transfers were cancelled, and nodes accept each order limit once. With exactly k good pieces left the
 * read must ask the satellite for fresh limits (DownloadSegment again) to fetch the good pieces whose
 * transfers were cancelled.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BadPiece } from '@dcsim/uplink';
import { withTestnet } from './harness.js';
import { readAll } from './support/streams.js';

describe('ranged reads', () => {
  it('succeed with exactly k good pieces (two corrupted, one node down), like a whole read', async () => {
    await withTestnet({ nodes: 5, scheme: '2/3/5/5', segmentSize: 64 * 1024 }, async (net) => {
      const project = await net.uplink(undefined, { log: () => {} }); // default spare transfers: 2
      await project.createBucket('ranges');
      const data = randomBytes(64 * 1024);
      const report = await project.upload('ranges', 'one-segment', data);
      const pieces = report.segments[0].pieces.filter((p) => p.status === 'stored');
      expect(pieces.map((p) => p.pieceNum).sort()).toEqual([0, 1, 2, 3, 4]);

      // Pieces 0 and 1 corrupted (in the middle, which the range below covers), piece 2's node down: 3 and 4 are good.
      const nodeOf = (pieceNum: number) => net.nodes.find((n) => n.id === pieces.find((p) => p.pieceNum === pieceNum)!.nodeId)!;
      for (const num of [0, 1]) nodeOf(num).corrupt(pieces.find((p) => p.pieceNum === num)!.pieceId);
      await nodeOf(2).stop();

      expect(await readAll(project.download('ranges', 'one-segment'))).toEqual(data);
      // Which k pieces arrive first varies; several reads make sure one of them meets good pieces cancelled.
      for (let i = 0; i < 4; i++) {
        const bad: BadPiece[] = [];
        const ranged = project.download('ranges', 'one-segment', { offset: 24_000, length: 16_000, onBadPiece: (b) => bad.push(b) });
        const range = await readAll(ranged);
        expect(range).toEqual(data.subarray(24_000, 40_000));
        for (const b of bad) expect([0, 1]).toContain(b.pieceNum);
      }
    });
  });
});
