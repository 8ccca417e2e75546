/** Bucket operations: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, GetBucketVersioning. */
import { bucketNameProblem } from '@dcsim/common/bucket';
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';
import { sendEmpty, sendXml } from './respond.js';

/** The one owner every bucket of a project has, as far as S3 clients are concerned. */
export const OWNER = { ID: 'dcsim', DisplayName: 'dcsim' };

export async function listBuckets(ctx: S3Context): Promise<void> {
  const buckets = [];
  for await (const bucket of ctx.project.listBuckets()) {
    buckets.push({ Name: bucket.name, CreationDate: (bucket.created ?? new Date(0)).toISOString() });
  }
  sendXml(ctx.res, 200, 'ListAllMyBucketsResult', { Owner: OWNER, Buckets: { Bucket: buckets } });
}

export async function createBucket(ctx: S3Context, bucket: string): Promise<void> {
  checkBucketName(bucket);
  await ctx.project.createBucket(bucket);
  sendEmpty(ctx.res, 200, { location: `/${bucket}` });
}

export async function deleteBucket(ctx: S3Context, bucket: string): Promise<void> {
  await ctx.project.deleteBucket(bucket);
  sendEmpty(ctx.res, 204);
}

export async function headBucket(ctx: S3Context, bucket: string): Promise<void> {
  await ctx.project.statBucket(bucket);
  sendEmpty(ctx.res, 200, { 'x-amz-bucket-region': 'us-east-1' });
}

export async function getBucketLocation(ctx: S3Context, bucket: string): Promise<void> {
  await ctx.project.statBucket(bucket);
  sendXml(ctx.res, 200, 'LocationConstraint', {});
}

/** Versioning is never enabled: an empty configuration says so. */
export async function getBucketVersioning(ctx: S3Context, bucket: string): Promise<void> {
  await ctx.project.statBucket(bucket);
  sendXml(ctx.res, 200, 'VersioningConfiguration', {});
}

/** A new bucket's name, by the satellite's rules (Storj's, S3's too): checked here to answer S3's own error. */
export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem) throw new S3Error('InvalidBucketName', `the specified bucket is not valid: ${problem}`, { BucketName: name });
}
