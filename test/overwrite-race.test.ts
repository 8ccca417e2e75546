/**
 * Reads racing overwrites and deletes. A read that has begun finishes on the version it started with: the
 * satellite keeps a replaced or deleted object readable by its stream ID for a grace (a "retired" object), so
 * DownloadSegment for its later segments still answers and its pieces are still on the nodes. A read that
 * starts while an overwrite is in flight gets the old version. Through the library and S3 GETs alike, no read
 * sees "not found" or a truncated body. After the grace, the old pieces are deleted from the nodes: nothing leaks.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ObjectNotFoundError, type ObjectDownload, type Project } from '@dcsim/uplink';
import { describe, expect, it } from 'vitest';
import { withTestnet, type TestNet } from './harness.js';
import { listFiles } from './support/leak-scan.js';
import { gatewayClient } from './support/transfers.js';

const SEGMENT = 64 * 1024;

/** Reads slowly (a pause per chunk), so overwrites land while the read is under way. */
async function readSlowly(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const got: Uint8Array[] = [];
  for await (const chunk of chunks) {
    got.push(chunk);
    await sleep(15);
  }
  return Buffer.concat(got);
}

/** Which version `got` is, byte for byte; -1 if none (a mix, or truncated). */
const versionOf = (got: Buffer, versions: Buffer[]) => versions.findIndex((v) => v.equals(got));

/**
 * `writes` overwrites of `key` one after the other, while `readers` keep reading it; returns every read's
 * version index (the reads must all be whole versions).
 */
async function race(versions: Buffer[], write: (v: Buffer) => Promise<void>, read: () => Promise<Buffer>, readers = 2): Promise<number[]> {
  let writing = true;
  const seen: number[] = [];
  const reading = [...Array(readers)].map(async () => {
    while (writing) seen.push(versionOf(await read(), versions));
  });
  for (const r of reading) r.catch(() => {}); // a failed read fails the test below, once the writes are done
  try {
    for (const v of versions.slice(1)) await write(v);
  } finally {
    writing = false;
  }
  await Promise.all(reading);
  return seen;
}

describe('reads racing overwrites', () => {
  it('finish on the version they began with, through the library and S3 GETs', async () => {
    await withTestnet({ nodes: 6, scheme: '2/3/4/5', segmentSize: SEGMENT, gateway: true }, async (net) => {
      const project = await net.uplink(undefined, { log: () => {} });
      const s3 = gatewayClient(net);
      await project.createBucket('racy');
      // Different sizes: a truncated or mixed read matches none of them.
      const versions = [...Array(6)].map((_, i) => randomBytes(4 * SEGMENT - 1000 * i));
      await project.upload('racy', 'lib', versions[0]);
      const library = await race(
        versions,
        async (v) => void (await project.upload('racy', 'lib', v)),
        async () => readSlowly(await project.download('racy', 'lib')),
      );
      expect(library.length).toBeGreaterThan(0);
      expect(library.filter((v) => v < 0)).toEqual([]);

      await s3.send(new PutObjectCommand({ Bucket: 'racy', Key: 's3', Body: versions[0] }));
      const viaS3 = await race(
        versions,
        async (v) => void (await s3.send(new PutObjectCommand({ Bucket: 'racy', Key: 's3', Body: v }))),
        async () => {
          const got = await s3.send(new GetObjectCommand({ Bucket: 'racy', Key: 's3' }));
          const body = await readSlowly(got.Body as AsyncIterable<Uint8Array>);
          expect(body.length).toBe(got.ContentLength);
          return body;
        },
      );
      expect(viaS3.length).toBeGreaterThan(0);
      expect(viaS3.filter((v) => v < 0)).toEqual([]);

      // A read begun before a delete finishes; one begun after finds nothing.
      const begun = await project.download('racy', 'lib');
      await project.delete('racy', 'lib');
      await expect(project.download('racy', 'lib')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await readSlowly(begun)).toEqual(versions[versions.length - 1]);
    });
  });
});

/** Piece files on every node, by name (the piece ID). */
function storedPieces(net: TestNet): string[] {
  return net.nodes.flatMap((n) => listFiles(`${n.dir}/pieces`).map((f) => basename(f))).sort();
}

async function piecesOf(project: Project, bucket: string, key: string, data: Buffer): Promise<string[]> {
  const report = await project.upload(bucket, key, data);
  return report.segments.flatMap((s) => s.pieces.filter((p) => p.status === 'stored').map((p) => p.pieceId));
}

describe('replaced and deleted objects', () => {
  it('lose their pieces after the grace, and nothing else does', async () => {
    // n = optimal: no piece is cancelled as the long tail, so every piece a node holds belongs to an object.
    await withTestnet({ nodes: 4, scheme: '2/3/4/4', segmentSize: SEGMENT }, async (net) => {
      const project = await net.uplink(undefined, { log: () => {} });
      await project.createBucket('gone');
      const old = await piecesOf(project, 'gone', 'replaced', randomBytes(3 * SEGMENT));
      const deleted = await piecesOf(project, 'gone', 'deleted', randomBytes(2 * SEGMENT));
      const replacement = await piecesOf(project, 'gone', 'replaced', randomBytes(2 * SEGMENT + 5));
      const kept = await piecesOf(project, 'gone', 'kept', randomBytes(SEGMENT + 7));
      await project.delete('gone', 'deleted');
      expect(storedPieces(net)).toEqual([...old, ...deleted, ...replacement, ...kept].sort()); // within the grace

      await net.advanceTime('6m'); // past the retired grace (5 minutes): the chores remove them and delete their pieces
      expect(storedPieces(net)).toEqual([...replacement, ...kept].sort());
      await expect(readAll(project.download('gone', 'kept'))).resolves.toHaveLength(SEGMENT + 7);
    });
  });
});

async function readAll(download: Promise<ObjectDownload>): Promise<Buffer> {
  return readSlowly(await download);
}
