/**
 * Project limits on a real network (`satellite admin set-limits`): storage, segments, egress, buckets and request
 * rate each refuse the operation that would cross them, with an error naming the limit (uplink library, CLI exit 1,
 * S3 code as Storj's gateway answers), leave nothing partial behind, and let the same operation through once raised.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { LimitExceededError, TooManyRequestsError, type Project } from '@dcsim/uplink';
import { type TestNet } from './harness.js';
import { useTempDir, useTestnet } from './support/fixtures.js';
import { collect, readAll } from './support/streams.js';

const SEGMENT = 64 * 1024;
const net = useTestnet({ nodes: 4, scheme: '2/2/3/4', segmentSize: SEGMENT, gateway: true });
const tmp = useTempDir('dcsim-limits-');

async function setLimits(n: TestNet, ...args: string[]): Promise<void> {
  await n.admin('set-limits', ['--project', n.projectId, ...args]);
}

const usage = async (n: TestNet) => (await n.admin('usage', ['--project', n.projectId])) as Record<string, number>;

/** The error a promise fails with. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

async function s3Failure(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  const e = (await failure(p)) as { name: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name, status: e.$metadata?.httpStatusCode };
}

/** An S3 client that does not retry: a refusal is seen as it is. */
function s3(n: TestNet): S3Client {
  const { endpoint, accessKeyId, secretAccessKey } = n.s3!;
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
}

async function keys(project: Project, bucket: string): Promise<string[]> {
  return (await collect(project.list(bucket, { recursive: true }))).map((o) => o.key);
}

describe('project limits', () => {
  it('buckets: the bucket past the limit is refused, then created once the limit is raised', async () => {
    const project = await net().uplink();
    await setLimits(net(), '--buckets', '1');
    await project.createBucket('first');
    const err = await failure(project.createBucket('second'));
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ limit: 'buckets', max: 1, used: 1 });
    expect(await s3Failure(s3(net()).send(new CreateBucketCommand({ Bucket: 'second' })))).toEqual({ name: 'TooManyBuckets', status: 400 });
    expect((await collect(project.listBuckets())).map((b) => b.name)).toEqual(['first']);
    await setLimits(net(), '--buckets', '2');
    await project.createBucket('second');
  });

  it('storage: an upload that would cross it is refused before any data moves, by library, CLI and S3 alike', async () => {
    const project = await net().uplink();
    const data = new Uint8Array(randomBytes(150_000)); // 3 segments
    await setLimits(net(), '--storage', '100KB');
    const err = await failure(project.upload('first', 'big', data));
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ limit: 'storage', max: 100_000, used: 0 });
    expect((err as Error).message).toMatch(/^storage limit exceeded: exceeded the project's storage limit of 100000/);

    const file = join(tmp(), 'big');
    writeFileSync(file, data);
    const cli = await net().runUplink(['cp', file, 'sj://first/big']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/storage limit exceeded/);
    expect(await s3Failure(s3(net()).send(new PutObjectCommand({ Bucket: 'first', Key: 'big', Body: data })))).toEqual({
      name: 'StorageLimitExceeded',
      status: 403,
    });
    // Nothing partial: no object, no pending upload counted, nothing stored.
    expect(await keys(project, 'first')).toEqual([]);
    expect(await usage(net())).toMatchObject({ storageBytes: 0, segments: 0, objects: 0 });

    await setLimits(net(), '--storage', '1MB');
    await project.upload('first', 'big', data);
    expect(await readAll(project.download('first', 'big'))).toEqual(Buffer.from(data));
  });

  it('segments: an upload of more segments than are left is refused; raised, it goes through', async () => {
    const project = await net().uplink();
    const before = await usage(net());
    expect(before.segments).toBe(3);
    await setLimits(net(), '--segments', String(before.segments + 2));
    const data = new Uint8Array(randomBytes(150_000));
    const err = await failure(project.upload('first', 'more', data));
    expect(err).toMatchObject({ limit: 'segments', max: 5, used: 3 });
    expect(await keys(project, 'first')).toEqual(['big']);
    expect((await usage(net())).segments).toBe(3);
    await setLimits(net(), '--segments', '6');
    await project.upload('first', 'more', data);
    expect((await usage(net())).segments).toBe(6);
  });

  it('egress: the download whose allocation would cross it is refused; raised, it goes through', async () => {
    const project = await net().uplink();
    const used = (await usage(net())).egressThisMonthBytes;
    expect(used).toBeGreaterThan(0); // the storage test's download
    await setLimits(net(), '--egress', String(used + 1));
    const err = await failure(readAll(project.download('first', 'big')));
    expect(err).toBeInstanceOf(LimitExceededError);
    expect(err).toMatchObject({ limit: 'egress', max: used + 1, used });
    expect(await s3Failure(s3(net()).send(new GetObjectCommand({ Bucket: 'first', Key: 'big' })))).toEqual({
      name: 'BandwidthLimitExceeded',
      status: 403,
    });
    await setLimits(net(), '--egress', 'unlimited');
    expect((await readAll(project.download('first', 'big'))).length).toBe(150_000);
  });

  it('rate: requests past the rate are refused with TooManyRequests (S3 SlowDown); raised, they go through', async () => {
    const project = await net().uplink();
    await setLimits(net(), '--rate', '1');
    // One request per second: of a burst of requests, one soon finds no token left.
    let refused: unknown;
    for (let i = 0; i < 50 && !refused; i++)
      refused = await project.stat('first', 'big').then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    let slowDown: { name: string; status?: number } | undefined;
    for (let i = 0; i < 50 && !slowDown; i++) {
      slowDown = await s3(net())
        .send(new ListBucketsCommand({}))
        .then(
          () => undefined,
          (e: { name: string; $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, status: e.$metadata?.httpStatusCode }),
        );
    }
    expect(slowDown).toEqual({ name: 'SlowDown', status: 429 });
    await setLimits(net(), '--rate', 'unlimited');
    for (let i = 0; i < 5; i++) expect((await project.stat('first', 'big')).size).toBe(150_000);
  });
});
