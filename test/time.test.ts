/**
 * Testnet time, end to end: `net.advanceTime` moves every process's clock and runs every chore, so what time does
 * (an object expires, a deleted object's retired grace ends) has happened when it returns. No sleeps.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectAdmin } from '@dcsim/process/admin';
import { ObjectNotFoundError, type Project, type UploadReport } from '@dcsim/uplink';
import { withTestnet, type TestNet } from './harness.js';

const HOUR = 3_600_000;

/** The files on the nodes' disks that hold the pieces an upload stored. */
function pieceFiles(net: TestNet, report: UploadReport): string[] {
  return report.segments.flatMap((segment) =>
    segment.pieces
      .filter((p) => p.status === 'stored')
      .map((p) => join(net.nodes.find((n) => n.id === p.nodeId)!.dir, 'pieces', p.pieceId.slice(0, 2), p.pieceId)),
  );
}

async function keys(project: Project): Promise<string[]> {
  const found: string[] = [];
  for await (const item of project.list('time', { recursive: true })) found.push(item.key);
  return found.sort();
}

async function bytesOf(project: Project, key: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await project.download('time', key)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('testnet time', () => {
  it('an expired object and a deleted one are gone from every listing and every node once the clock passed them', async () => {
    await withTestnet({ nodes: 4, segmentSize: 64 * 1024 }, async (net) => {
      const project = await net.uplink();
      await project.createBucket('time');
      const keptData = randomBytes(100_000);
      const kept = await project.upload('time', 'kept', keptData);
      const expiring = await project.upload('time', 'expiring', randomBytes(100_000), { expires: new Date(Date.now() + HOUR) });
      const deleted = await project.upload('time', 'deleted', randomBytes(100_000));
      for (const report of [kept, expiring, deleted]) expect(pieceFiles(net, report).length).toBeGreaterThan(0);

      await project.delete('time', 'deleted');
      // Within its retired grace (5 minutes by default) a deleted object keeps its pieces for reads under way,
      // however often the chores that remove it run.
      await net.satellite.runChore('retired-objects');
      await net.satellite.runChore('piece-deletion');
      expect(pieceFiles(net, deleted).filter((f) => !existsSync(f))).toEqual([]);
      expect(await keys(project)).toEqual(['expiring', 'kept']);

      await net.advanceTime('2h');

      expect(await keys(project)).toEqual(['kept']);
      await expect(project.stat('time', 'expiring')).rejects.toThrow(ObjectNotFoundError);
      const ls = await net.runUplink(['ls', '--recursive', 'sj://time']);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout).toContain('kept');
      expect(ls.stdout).not.toMatch(/expiring|deleted/);
      expect(pieceFiles(net, expiring).filter(existsSync)).toEqual([]);
      expect(pieceFiles(net, deleted).filter(existsSync)).toEqual([]);
      expect(pieceFiles(net, kept).filter((f) => !existsSync(f))).toEqual([]);
      expect(await bytesOf(project, 'kept')).toEqual(keptData);
    });
  });

  it('a node started after the clock moved starts as far ahead, checks in and serves', async () => {
    await withTestnet({ nodes: 3 }, async (net) => {
      await net.advanceTime('8d');
      const node = net.nodes[1];
      await node.stop();
      await node.start(); // ready only once the satellite accepted its check-in: stamped 8 days ahead too
      const admin = connectAdmin(node.dir);
      try {
        expect((await admin.status()).clockOffsetMs).toBe(8 * 24 * HOUR);
      } finally {
        admin.close();
      }
      await node.runChore('check-in');
      const project = await net.uplink();
      await project.createBucket('later');
      const data = randomBytes(50_000);
      await project.upload('later', 'object', data);
      const chunks: Uint8Array[] = [];
      for await (const chunk of await project.download('later', 'object')) chunks.push(chunk);
      expect(Buffer.concat(chunks)).toEqual(data);
    });
  });
});
