/**
 * The repair's database side on a real SQLite file: the compare-and-swap of a segment's piece list (a repair
 * never clobbers a segment that changed while it worked) and the repair queue's order and cleaning.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type SatelliteDb } from '../src/db/index.js';
import { tempDir } from './helpers.js';

const streamId = new Uint8Array(16).fill(7);
const root = new Uint8Array(32).fill(1);
const node = (n: number) => new Uint8Array(32).fill(n);

function withSegment(fn: (db: SatelliteDb) => void): void {
  const db = openDatabase(join(tempDir(), 'satellite.db'));
  try {
    const project = db.projects.create('p');
    db.buckets.create(project.id, 'b', 0);
    db.objects.insert({
      streamId,
      projectId: project.id,
      bucket: 'b',
      encryptedKey: new Uint8Array([1]),
      status: 'committed',
      createdAt: 0,
      committedAt: 0,
      expiresAt: null,
      encryptedMetadata: null,
      encryptedMetadataKey: null,
      encryptedMetadataNonce: null,
      cipherSuite: 3,
      blockSize: 7424,
      rsRequired: 2,
      rsRepair: 3,
      rsOptimal: 4,
      rsTotal: 4,
      rsShareSize: 256,
      plainSize: 100_000,
      encryptedSize: 100_016,
      segmentCount: 1,
      retiredUntil: null,
    });
    const segment = {
      streamId,
      part: 0,
      index: 0,
      rootPieceId: root,
      encryptedKey: new Uint8Array(48),
      encryptedKeyNonce: new Uint8Array(24),
      plainSize: 100_000,
      encryptedSize: 100_016,
      pieceSize: 50_176,
      inlineData: null,
      createdAt: 0,
    };
    db.segments.insert(
      segment,
      [0, 1, 2, 3].map((n) => ({ pieceNum: n, nodeId: node(n + 1) })),
    );
    fn(db);
  } finally {
    db.close();
  }
}

const position = { streamId, part: 0, index: 0 };

describe('swapping a segment’s pieces', () => {
  it('replaces the pieces when the segment is as the repair found it', () => {
    withSegment((db) => {
      const before = db.remoteSegments.pieces(position);
      const swapped = db.remoteSegments.swapPieces(
        position,
        root,
        before,
        [before[2], before[3]],
        [
          { pieceNum: 2, nodeId: node(9) },
          { pieceNum: 3, nodeId: node(10) },
        ],
      );
      expect(swapped).toBe(true);
      expect(db.remoteSegments.pieces(position).map((p) => p.nodeId[0])).toEqual([1, 2, 9, 10]);
    });
  });

  it('changes nothing when the pieces changed meanwhile, or the segment was replaced or deleted', () => {
    withSegment((db) => {
      const before = db.remoteSegments.pieces(position);
      // Another repair (or anything else) changed piece 3 after this one read the segment.
      db.remoteSegments.swapPieces(position, root, before, [before[3]], [{ pieceNum: 3, nodeId: node(20) }]);
      const now = db.remoteSegments.pieces(position);
      expect(db.remoteSegments.swapPieces(position, root, before, [before[2]], [{ pieceNum: 2, nodeId: node(9) }])).toBe(false);
      expect(db.remoteSegments.pieces(position)).toEqual(now);
      // A segment with another root piece ID is another upload: never touched.
      expect(db.remoteSegments.swapPieces(position, new Uint8Array(32).fill(2), now, [], [{ pieceNum: 9, nodeId: node(9) }])).toBe(false);
      db.segments.delete(streamId, 0, 0);
      expect(db.remoteSegments.swapPieces(position, root, now, [], [{ pieceNum: 9, nodeId: node(9) }])).toBe(false);
      expect(db.remoteSegments.pieces(position)).toEqual([]);
    });
  });
});

describe('the repair queue', () => {
  it('hands out the least healthy first, forgets what a pass did not confirm, and goes with its segment', () => {
    withSegment((db) => {
      const other = { streamId, part: 0, index: 1 };
      db.segments.insert({ ...db.segments.get(streamId, 0, 0)!, index: 1 }, []);
      db.repairQueue.insert(position, 3, 100);
      db.repairQueue.insert(other, 2, 100);
      expect(db.repairQueue.next(1000, 10).map((s) => s.index)).toEqual([1, 0]);
      // An attempt at 150 keeps it out of runs that began at or before then.
      db.repairQueue.attempted(other, 150);
      expect(db.repairQueue.next(150, 10).map((s) => s.index)).toEqual([0]);
      expect(db.repairQueue.next(151, 10).map((s) => s.index)).toEqual([1, 0]);
      // The next pass (at 200) sees only segment 0 injured: segment 1 healed.
      db.repairQueue.insert(position, 3, 200);
      expect(db.repairQueue.clean(200)).toBe(1);
      expect(db.repairQueue.all().map((s) => [s.index, s.insertedAt, s.updatedAt])).toEqual([[0, 100, 200]]);
      db.segments.delete(streamId, 0, 0);
      expect(db.repairQueue.all()).toEqual([]);
    });
  });
});
