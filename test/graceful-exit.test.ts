/**
 * Graceful exit on a real network (issue 14): a node asks to leave, the satellite streams it transfer orders, the
 * node moves each of its pieces to a new node, and the satellite swaps each piece into its segment. Downloads work
 * throughout; once the exit is complete the node holds nothing, gets nothing new, and can be removed with no loss.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { nodeIdString } from '@dcsim/common/nodeid';
import { withTestnet, type TestNet } from './harness.js';
import { readAll } from './support/streams.js';

const SEGMENT = 32 * 1024;
const BUCKET = 'exit';

/** Every piece the satellite records, as `<object key>/<segment>/<piece number>@<node ID>`. */
function recordedPieces(net: TestNet): string[] {
  const sql = new BetterSqlite3(join(net.satelliteDir, 'satellite.db'), { readonly: true });
  try {
    const rows = sql
      .prepare<[], { stream: Uint8Array; idx: number; num: number; node: Uint8Array }>(
        `SELECT p.stream_id AS stream, p.idx, p.piece_num AS num, p.node_id AS node FROM pieces p
          JOIN objects o ON o.stream_id = p.stream_id WHERE o.status = 'committed'`,
      )
      .all();
    return rows.map((r) => `${Buffer.from(r.stream).toString('hex')}/${r.idx}/${r.num}@${nodeIdString(r.node)}`);
  } finally {
    sql.close();
  }
}

const piecesOn = (pieces: string[], nodeId: string) => pieces.filter((p) => p.endsWith(`@${nodeId}`));

/** Piece files in a node's data dir. */
function pieceFiles(dir: string): number {
  const walk = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(join(d, e.name)) : 1), 0);
  return walk(join(dir, 'pieces'));
}

describe('graceful exit', () => {
  it('moves every piece of the exiting node while downloads go on; the exited node is never selected and can be removed', async () => {
    await withTestnet({ nodes: 6, scheme: '2/3/4/4', segmentSize: SEGMENT }, async (net) => {
      const project = await net.uplink();
      await project.ensureBucket(BUCKET);
      const objects = new Map<string, Buffer>();
      for (let i = 0; i < 6; i++) {
        const data = randomBytes(2 * SEGMENT + 1000 * i);
        objects.set(`object-${i}`, data);
        await project.upload(BUCKET, `object-${i}`, data);
      }
      const downloadAll = async () => {
        for (const [key, data] of objects) expect((await readAll(project.download(BUCKET, key))).equals(data)).toBe(true);
      };

      // The node holding the most pieces leaves.
      const before = recordedPieces(net);
      const counts = net.nodes.map((n) => piecesOn(before, n.id).length);
      const leaving = net.nodes[counts.indexOf(Math.max(...counts))];
      const held = piecesOn(before, leaving.id);
      expect(held.length).toBeGreaterThan(0);

      // Downloads while the exit runs (at least one full round starts before it can finish).
      let done = false;
      const exit = leaving.exit().finally(() => (done = true));
      for (let round = 0; round === 0 || (!done && round < 20); round++) await downloadAll();
      const summary = await exit;
      expect(summary).toMatchObject({ success: true, piecesTransferred: held.length, piecesFailed: 0, movedThisRun: held.length });

      // Every piece moved: same segments and piece numbers, none on the leaving node, no node twice in a segment.
      const after = recordedPieces(net);
      expect(piecesOn(after, leaving.id)).toEqual([]);
      expect(after.length).toBe(before.length);
      const slots = (pieces: string[]) => pieces.map((p) => p.slice(0, p.indexOf('@'))).sort();
      expect(slots(after)).toEqual(slots(before));
      const perSegment = new Map<string, string[]>();
      for (const p of after) {
        const [slot, node] = p.split('@');
        const segment = slot.slice(0, slot.lastIndexOf('/'));
        perSegment.set(segment, [...(perSegment.get(segment) ?? []), node]);
      }
      for (const nodes of perSegment.values()) expect(new Set(nodes).size).toBe(nodes.length);
      expect(pieceFiles(leaving.dir)).toBe(0);

      // The satellite and the node said so, one line per piece and one for the exit.
      const satelliteLog = readFileSync(join(net.dir, 'logs', 'satellite.log'), 'utf8');
      expect(satelliteLog.match(new RegExp(`graceful exit of node ${leaving.id}: segment .* moved to node`, 'g'))?.length).toBe(
        held.length,
      );
      expect(satelliteLog).toContain(
        `node completed graceful exit: node ${leaving.id}, ${held.length} piece(s) transferred, 0 left to repair, success`,
      );
      const nodeLog = readFileSync(leaving.logFile, 'utf8');
      expect(nodeLog.match(/graceful exit: moved piece /g)?.length).toBe(held.length);
      expect(nodeLog).toMatch(/graceful exit completed: satellite .*, \d+ piece\(s\) transferred, 0 left to repair/);

      const status = await net.satellite.status();
      const view = status.processes.find((p) => p.id === leaving.id)!;
      expect(view).toMatchObject({ exiting: false, exited: true });

      // Exiting again only reports the finished exit.
      expect(await leaving.exit()).toMatchObject({ success: true, piecesTransferred: held.length, movedThisRun: 0 });

      // Removed for good: every object still downloads byte for byte, and new uploads never land on it.
      await leaving.remove();
      expect((await net.satellite.status()).processes.find((p) => p.id === leaving.id)).toMatchObject({ removed: true, alive: false });
      await downloadAll();
      for (let i = 0; i < 4; i++) await project.upload(BUCKET, `later-${i}`, randomBytes(SEGMENT + 10));
      expect(piecesOn(recordedPieces(net), leaving.id)).toEqual([]);
    });
  });
});
