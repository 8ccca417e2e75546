/**
 * Garbage collection end to end: a node that was down while an object was deleted keeps its pieces; the next
 * `satellite gc` sends it a bloom filter of what to keep and it moves those pieces to trash; `restore-trash` brings
 * them back; a week later the trash chore deletes them. Pieces still referenced are never trashed, over thousands
 * of them (bloom filter false positives keep garbage, never lose data). No sleeping: time moves with advanceTime.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UploadReport } from '@dcsim/uplink';
import { testnetStatus } from '../scripts/testnet/status.js';
import { withTestnet, type TestNet } from './harness.js';

interface PieceOnNode {
  node: number;
  pieceId: string;
}

function piecesOf(net: TestNet, report: UploadReport): PieceOnNode[] {
  return report.segments.flatMap((segment) =>
    segment.pieces
      .filter((p) => p.status === 'stored')
      .map((p) => ({ node: net.nodes.findIndex((n) => n.id === p.nodeId), pieceId: p.pieceId })),
  );
}

const file = (net: TestNet, where: 'pieces' | 'trash', p: PieceOnNode) =>
  join(net.nodes[p.node].dir, where, p.pieceId.slice(0, 2), p.pieceId);

async function nodeStatus(net: TestNet, index: number) {
  return (await testnetStatus(net.dir)).processes.find((p) => p.name === net.nodes[index].name)!;
}

async function download(net: TestNet, key: string): Promise<Buffer> {
  const project = await net.uplink();
  const chunks: Uint8Array[] = [];
  for await (const chunk of await project.download('garbage', key)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('garbage collection', () => {
  it('trashes what a node missed the delete of, never a piece in use (thousands), restores it, and empties trash after 7 days', async () => {
    // 1 KiB segments with no inline threshold on 8 nodes that each get a piece of every segment: 2,000 pieces in use
    // from 250 segments, uploaded as five objects at once.
    const options = { nodes: 8, scheme: '1/2/8/8', segmentSize: 1024, inlineThreshold: 0 };
    await withTestnet(options, async (net) => {
      const project = await net.uplink();
      await project.createBucket('garbage');
      const keptData = Array.from({ length: 5 }, () => randomBytes(50 * 1024));
      const reports = await Promise.all(keptData.map((data, i) => project.upload('garbage', `kept-${i}`, data)));
      const kept = reports.flatMap((r) => piecesOf(net, r));
      const doomed = piecesOf(net, await project.upload('garbage', 'doomed', randomBytes(60 * 1024)));
      expect(kept.length).toBe(2000);
      const missed = doomed.filter((p) => p.node === 0);
      expect(missed.length).toBe(60);

      // Node 0 is down while the object is deleted: the satellite's deletions to it fail, and after a week of
      // retries it gives up. Its pieces stay on its disk.
      await net.nodes[0].stop();
      await project.delete('garbage', 'doomed');
      await net.advanceTime('8d'); // the retired grace ends: pieces queued for deletion
      for (let i = 0; i < 3; i++) await net.satellite.runChore('piece-deletion'); // 200 a run: the rest of nodes 1-7
      await net.advanceTime('8d'); // the deletions to node 0 are given up
      await net.nodes[0].start();
      expect(doomed.filter((p) => p.node !== 0 && existsSync(file(net, 'pieces', p)))).toEqual([]);
      expect(missed.filter((p) => !existsSync(file(net, 'pieces', p)))).toEqual([]);
      const before = await nodeStatus(net, 0);
      expect([before.pieces, before.trash]).toEqual([310, 0]);

      const gc = await net.satellite.gc();
      expect(gc.satellite).toMatch(/sent 250 piece\(s\) in a 153-byte filter \(4 hashes, seed \d+\)/);
      const trashed = missed.filter((p) => existsSync(file(net, 'trash', p)));
      // Bloom filter false positives (~10%) keep some garbage; everything else is in trash, not in pieces/.
      expect(trashed.length).toBeGreaterThan(40);
      expect(missed.filter((p) => existsSync(file(net, 'pieces', p))).length).toBe(60 - trashed.length);
      expect(kept.filter((p) => !existsSync(file(net, 'pieces', p)))).toEqual([]);
      expect(gc.nodes[0]).toMatchObject({ name: net.nodes[0].name, pieces: 310 - trashed.length, trash: trashed.length });
      expect(gc.nodes[0].retain).toMatch(new RegExp(`moved ${trashed.length} piece\\(s\\) to trash`));
      for (const n of gc.nodes.slice(1)) expect([n.pieces, n.trash]).toEqual([250, 0]);
      expect(await nodeStatus(net, 0)).toMatchObject({ pieces: 310 - trashed.length, trash: trashed.length, usedBytes: before.usedBytes });
      expect(await download(net, 'kept-0')).toEqual(keptData[0]);

      // Restored: every trashed piece is back where it was.
      await net.nodes[0].runChore('restore-trash');
      expect(trashed.filter((p) => !existsSync(file(net, 'pieces', p)))).toEqual([]);
      expect(await nodeStatus(net, 0)).toMatchObject({ pieces: 310, trash: 0 });

      // Trashed again by the next filter (a new seed: other false positives), deleted once more than 7 days in trash.
      await net.satellite.gc();
      const trashedAgain = missed.filter((p) => existsSync(file(net, 'trash', p)));
      expect(trashedAgain.length).toBeGreaterThan(40);
      await net.advanceTime('8d');
      const after = await nodeStatus(net, 0);
      expect(after).toMatchObject({ pieces: 310 - trashedAgain.length, trash: 0 });
      expect(after.usedBytes).toBeLessThan(before.usedBytes!);
      expect(trashedAgain.filter((p) => existsSync(file(net, 'trash', p)) || existsSync(file(net, 'pieces', p)))).toEqual([]);
      expect(kept.filter((p) => !existsSync(file(net, 'pieces', p)))).toEqual([]);
      expect(await download(net, 'kept-4')).toEqual(keptData[4]);
    });
  }, 120_000);
});
