import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseSegments } from '../src/audit/chooser.js';
import { openDatabase, type SatelliteDb } from '../src/db/index.js';
import { tempDir } from './helpers.js';

const node = (n: number) => Buffer.alloc(32, n);

/** A committed one-segment object of `size` encrypted bytes with a piece on each of `nodes`; returns its stream ID's first byte. */
function segment(db: SatelliteDb, id: number, size: number, nodes: number[]): number {
  const stream = Buffer.alloc(16, id);
  db.sql
    .prepare(
      `INSERT INTO objects (stream_id, project_id, bucket, encrypted_key, status, created_at, cipher_suite, block_size,
        rs_required, rs_repair, rs_optimal, rs_total, rs_share_size) VALUES (?, 'p', 'b', ?, 'committed', 1, 1, 256, 1, 1, 1, 8, 256)`,
    )
    .run(stream, Buffer.from([id]));
  db.sql
    .prepare(
      `INSERT INTO segments (stream_id, part, idx, root_piece_id, encrypted_key, encrypted_key_nonce, plain_size, encrypted_size,
        piece_size, created_at) VALUES (?, 0, 0, ?, x'03', x'04', ?, ?, ?, 1)`,
    )
    .run(stream, Buffer.alloc(32, id), size, size, size);
  nodes.forEach((n, i) =>
    db.sql.prepare('INSERT INTO pieces (stream_id, part, idx, piece_num, node_id) VALUES (?, 0, 0, ?, ?)').run(stream, i, node(n)),
  );
  return id;
}

function open(): SatelliteDb {
  const db = openDatabase(join(tempDir(), 'satellite.db'));
  db.sql.exec(`INSERT INTO projects (id, name, salt, created_at) VALUES ('p', 'p', x'00', 1);
    INSERT INTO buckets (project_id, name, created_at) VALUES ('p', 'b', 1);`);
  return db;
}

const ids = (queue: { streamId: Uint8Array }[]) => queue.map((s) => s.streamId[0]);

describe('choosing segments to audit (weighted reservoir per node)', () => {
  it('gives every node its segments, however few it holds, and queues each segment once', () => {
    const db = open();
    for (let i = 1; i <= 10; i++) segment(db, i, 1000, [1, 2]); // nodes 1 and 2 hold ten segments
    const lonely = segment(db, 11, 1000, [1, 3]); // node 3 holds one
    const queue = ids(chooseSegments(db, Date.now(), 3));
    expect(queue).toContain(lonely);
    expect(new Set(queue).size).toBe(queue.length);
    // Slot 0 of every node first: node 3's only segment is among the first three.
    expect(queue.slice(0, 3)).toContain(lonely);
    expect(queue.length).toBeLessThanOrEqual(7); // 3 slots × (nodes 1, 2) + node 3's one, without duplicates
    db.close();
  });

  it('picks a segment with a chance that grows with its size', () => {
    const db = open();
    const big = segment(db, 1, 1_000_000, [1]);
    segment(db, 2, 1_000, [1]);
    let bigFirst = 0;
    for (let i = 0; i < 400; i++) if (ids(chooseSegments(db, Date.now(), 1))[0] === big) bigFirst++;
    // A-Res with one slot picks the big one with probability 1,000,000 / 1,001,000 (about 399.6 of 400).
    expect(bigFirst).toBeGreaterThan(390);
    db.close();
  });

  it('skips inline segments and expired objects', () => {
    const db = open();
    segment(db, 1, 1000, [1]);
    segment(db, 2, 1000, [1]);
    db.sql.prepare('UPDATE segments SET root_piece_id = NULL WHERE stream_id = ?').run(Buffer.alloc(16, 1));
    db.sql.prepare('UPDATE objects SET expires_at = 5 WHERE stream_id = ?').run(Buffer.alloc(16, 2));
    expect(chooseSegments(db, Date.now(), 3)).toEqual([]);
    db.close();
  });
});
