/**
 * The uplink library against a real network (a satellite and 10 storage nodes as processes): objects
 * of the sizes that matter round-trip byte for byte (empty, inline, just over the inline threshold,
 * several segments), whole and by range; list, stat and delete behave; and corrupted pieces are
 * caught (whole pieces by their signed hash, ranges by AES-GCM), reported, and read around.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { restrictAccess, serializeAccess } from '@dcsim/crypto/grant';
import {
  AccessDeniedError,
  BucketNotEmptyError,
  BucketNotFoundError,
  ObjectNotFoundError,
  RevokedError,
  type BadPiece,
  type Project,
  type UploadReport,
} from '@dcsim/uplink';
import { withTestnet, type TestNet } from './harness.js';
import { collect, readAll } from './support/streams.js';

const SEGMENT = 64 * 1024;
const INLINE = 4 * 1024;
const AES_GCM_TAG = 16;

const sizes = [
  ['0 B', 0],
  ['1 B', 1],
  ['4 KiB', INLINE],
  ['4 KiB + 1', INLINE + 1],
  ['1 MiB', 1024 * 1024],
  ['3 segments', 2 * SEGMENT + 1234],
] as const;

describe('uplink library on a real network', () => {
  it('round-trips, lists, stats and deletes objects; reads around corrupted pieces', async () => {
    await withTestnet({ nodes: 10, scheme: '4/6/8/10', segmentSize: SEGMENT, inlineThreshold: INLINE }, async (net) => {
      const project = await net.uplink();
      await project.createBucket('roundtrip');
      expect((await project.ensureBucket('roundtrip')).name).toBe('roundtrip');
      expect((await collect(project.listBuckets())).map((b) => b.name)).toContain('roundtrip');

      const objects = new Map<string, Uint8Array>();
      const reports = new Map<string, UploadReport>();
      for (const [name, size] of sizes) {
        const key = `sizes/${name}`;
        const data = new Uint8Array(randomBytes(size));
        objects.set(key, data);
        reports.set(
          key,
          await project.upload('roundtrip', key, data, { contentType: 'application/x-test', metadata: { size: String(size) } }),
        );
        expect(await readAll(project.download('roundtrip', key)), `${name} round trip`).toEqual(Buffer.from(data));
      }

      // Inline exactly when the sealed bytes (plain + tag) fit the satellite's threshold.
      const inline = (key: string) => reports.get(key)!.segments.map((s) => s.inline);
      expect(inline('sizes/0 B')).toEqual([true]);
      expect(inline('sizes/1 B')).toEqual([true]);
      expect(inline('sizes/4 KiB')).toEqual([INLINE + AES_GCM_TAG <= INLINE]); // 4,112 sealed bytes: remote
      expect(inline('sizes/4 KiB + 1')).toEqual([false]);
      expect(inline('sizes/1 MiB')).toEqual(new Array(16).fill(false));
      // The last segment of a multi-segment object goes inline when it is small enough.
      expect(inline('sizes/3 segments')).toEqual([false, false, 1234 + AES_GCM_TAG <= INLINE]);
      const remote = reports.get('sizes/4 KiB + 1')!.segments[0];
      expect(remote.pieces.filter((p) => p.status === 'stored').length).toBeGreaterThanOrEqual(8);
      expect(new Set(remote.pieces.map((p) => p.nodeId)).size).toBe(10);

      // Ranges: inside a segment, across segment boundaries, at the end, empty.
      const multi = objects.get('sizes/3 segments')!;
      for (const [offset, length] of [
        [100, 1000],
        [SEGMENT - 10, 20],
        [SEGMENT - 5000, SEGMENT + 10_000],
        [multi.length - 7, 7],
        [5, 0],
      ]) {
        const got = await readAll(project.download('roundtrip', 'sizes/3 segments', { offset, length }));
        expect(got, `range ${offset}+${length}`).toEqual(Buffer.from(multi.subarray(offset, offset + length)));
      }
      const tail = await project.download('roundtrip', 'sizes/1 MiB', { offset: 1024 * 1024 - 3 });
      expect(tail.length).toBe(3);

      // Stat: sizes and the decrypted metadata.
      const stat = await project.stat('roundtrip', 'sizes/3 segments');
      expect(stat).toMatchObject({ key: 'sizes/3 segments', size: multi.length, contentType: 'application/x-test', segmentCount: 3 });
      expect(stat.metadata).toEqual({ size: String(multi.length) });
      expect(stat.encryptedKey).toBe(reports.get('sizes/3 segments')!.encryptedKey);

      // List: recursive with sizes, collapsed at '/', under a prefix, and as the satellite sees it.
      const all = await collect(project.list('roundtrip', { recursive: true }));
      expect(all.map((i) => i.key).sort()).toEqual([...objects.keys()].sort());
      for (const item of all) expect(item.size).toBe(objects.get(item.key)!.length);
      await project.upload('roundtrip', 'top-level', new Uint8Array([1, 2, 3]));
      expect((await collect(project.list('roundtrip'))).map((i) => [i.key, i.isPrefix]).sort()).toEqual([
        ['sizes/', true],
        ['top-level', false],
      ]);
      const under = await collect(project.list('roundtrip', { prefix: 'sizes/', includeMetadata: true }));
      expect(under.map((i) => i.key).sort()).toEqual([...objects.keys()].sort());
      expect(under.find((i) => i.key === 'sizes/1 B')!.metadata).toEqual({ size: '1' });
      const encrypted = await collect(project.list('roundtrip', { prefix: 'sizes/', encrypted: true }));
      expect(encrypted.map((i) => i.key).sort()).toEqual([...reports.values()].map((r) => r.encryptedKey).sort());

      await corruptedPieces(net, objects.get('sizes/3 segments')!, reports.get('sizes/3 segments')!);

      await sharedAndRevoked(net, project, objects);

      // Delete, and what is gone stays gone.
      await project.delete('roundtrip', 'sizes/1 B');
      await expect(project.stat('roundtrip', 'sizes/1 B')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(project.download('roundtrip', 'sizes/1 B')).rejects.toThrow('object not found: sj://roundtrip/sizes/1 B');
      await expect(project.delete('roundtrip', 'sizes/1 B')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect((await collect(project.list('roundtrip', { recursive: true }))).map((i) => i.key)).not.toContain('sizes/1 B');

      await expect(project.deleteBucket('roundtrip')).rejects.toBeInstanceOf(BucketNotEmptyError);
      // The five objects left of `sizes/` and `top-level` go with the bucket.
      expect(await project.deleteBucket('roundtrip', { force: true })).toBe(objects.size - 1 + 1);
      await expect(project.statBucket('roundtrip')).rejects.toBeInstanceOf(BucketNotFoundError);
      await expect(project.upload('roundtrip', 'x', new Uint8Array(1))).rejects.toBeInstanceOf(BucketNotFoundError);
    });
  });
});

/**
 * A read-only grant for `sizes/` derived from the project's: it reads and lists its subtree with only
 * the keys of that subtree, the satellite refuses its writes, and once revoked it can do nothing.
 */
async function sharedAndRevoked(net: TestNet, project: Project, objects: Map<string, Uint8Array>): Promise<void> {
  const child = restrictAccess(project.access, { allowDownload: true, allowList: true }, [{ bucket: 'roundtrip', prefix: 'sizes/' }]);
  const shared = await net.uplink(serializeAccess(child));
  const listed = await collect(shared.list('roundtrip', { prefix: 'sizes/' }));
  expect(listed.map((i) => i.key).sort()).toEqual([...objects.keys()].sort());
  expect(await readAll(shared.download('roundtrip', 'sizes/4 KiB'))).toEqual(Buffer.from(objects.get('sizes/4 KiB')!));
  const refused = shared.upload('roundtrip', 'sizes/new', new Uint8Array(10));
  await expect(refused).rejects.toBeInstanceOf(AccessDeniedError);
  await expect(refused).rejects.toThrow(/^access denied: /);

  await project.revokeAccess(child);
  await expect(collect(shared.list('roundtrip', { prefix: 'sizes/' }))).rejects.toBeInstanceOf(RevokedError);
  expect((await project.stat('roundtrip', 'sizes/4 KiB')).size).toBe(4096); // the parent still works
  await shared.close();
}

/**
 * Corrupts pieces 0 and 1 of the object's first segment on their nodes, then reads it with no spare
 * transfers (so the corrupted pieces are certainly among the first fetched): whole, where each piece's
 * signed hash catches them, and by range, where AES-GCM does.
 */
async function corruptedPieces(net: TestNet, data: Uint8Array, report: UploadReport): Promise<void> {
  const first = report.segments[0];
  const victims = first.pieces.filter((p) => p.status === 'stored' && p.pieceNum < 2);
  for (const piece of victims) net.nodes.find((n) => n.id === piece.nodeId)!.corrupt(piece.pieceId);
  const strict = await net.uplink(undefined, { extraPieces: 0 });

  const whole: BadPiece[] = [];
  const got = await readAll(strict.download('roundtrip', 'sizes/3 segments', { onBadPiece: (bad) => whole.push(bad) }));
  expect(got).toEqual(Buffer.from(data));
  expect(whole.map((b) => b.pieceNum).sort()).toEqual(victims.map((v) => v.pieceNum).sort());
  expect(whole[0].reason).toMatch(/SHA-256/);
  expect(whole.map((b) => b.nodeId).sort()).toEqual(victims.map((v) => v.nodeId).sort());

  // The flipped bytes sit in the middle of each piece: a range in the middle of the segment uses them.
  const ranged: BadPiece[] = [];
  const offset = 30_000;
  const part = await readAll(
    strict.download('roundtrip', 'sizes/3 segments', { offset, length: 1000, onBadPiece: (bad) => ranged.push(bad) }),
  );
  expect(part).toEqual(Buffer.from(data.subarray(offset, offset + 1000)));
  expect(ranged.map((b) => b.pieceNum).sort()).toEqual(victims.map((v) => v.pieceNum).sort());
  expect(ranged[0].reason).toMatch(/authentication/);
  await strict.close();
}
