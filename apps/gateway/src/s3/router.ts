/**
 * Which S3 operation a request is, from its method, path-style address (/bucket/key) and query
 * subresources; anything S3 has that the gateway does not is NotImplemented.
 */
import * as buckets from './buckets.js';
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';
import { listObjectsV1, listObjectsV2 } from './list-objects.js';
import * as multipart from './multipart.js';
import * as objects from './objects.js';

/** Subresources S3 has and the gateway does not implement. */
const UNSUPPORTED = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'versionId',
  'versions',
  'website',
];

type Handler = (ctx: S3Context) => Promise<void>;

export function route(ctx: S3Context): Handler {
  const method = ctx.req.method ?? 'GET';
  const q = ctx.query;
  const unsupported = UNSUPPORTED.find((name) => q.has(name) && !(name === 'versionId' && q.get(name) === 'null'));
  if (unsupported) return notImplemented(`the ${unsupported} subresource`);
  const { bucket, key } = ctx;

  if (bucket === undefined) {
    if (method === 'GET') return buckets.listBuckets;
    return notAllowed(method);
  }
  if (key === undefined) {
    switch (method) {
      case 'PUT':
        if (q.has('versioning')) return notImplemented('changing bucket versioning');
        return (c) => buckets.createBucket(c, bucket);
      case 'DELETE':
        return (c) => buckets.deleteBucket(c, bucket);
      case 'HEAD':
        return (c) => buckets.headBucket(c, bucket);
      case 'GET':
        if (q.has('location')) return (c) => buckets.getBucketLocation(c, bucket);
        if (q.has('versioning')) return (c) => buckets.getBucketVersioning(c, bucket);
        if (q.has('uploads')) return (c) => multipart.listUploads(c, bucket);
        if (q.get('list-type') === '2') return (c) => listObjectsV2(c, bucket);
        return (c) => listObjectsV1(c, bucket);
      case 'POST':
        if (q.has('delete')) return (c) => objects.deleteObjects(c, bucket);
        return notImplemented('POST object (browser uploads)');
      default:
        return notAllowed(method);
    }
  }
  objects.checkKeyLength(key);
  const uploadId = q.get('uploadId');
  switch (method) {
    case 'PUT':
      if (uploadId !== undefined) return (c) => multipart.uploadPart(c, bucket, key, uploadId);
      if (ctx.req.headers['x-amz-copy-source'] !== undefined) return (c) => objects.copyObject(c, bucket, key);
      return (c) => objects.putObject(c, bucket, key);
    case 'GET':
      if (uploadId !== undefined) return (c) => multipart.listParts(c, bucket, key, uploadId);
      return (c) => objects.getObject(c, bucket, key);
    case 'HEAD':
      return (c) => objects.headObject(c, bucket, key);
    case 'DELETE':
      if (uploadId !== undefined) return (c) => multipart.abortUpload(c, bucket, key, uploadId);
      return (c) => objects.deleteObject(c, bucket, key);
    case 'POST':
      if (q.has('uploads')) return (c) => multipart.createUpload(c, bucket, key);
      if (uploadId !== undefined) return (c) => multipart.completeUpload(c, bucket, key, uploadId);
      return notImplemented('this POST on an object');
    default:
      return notAllowed(method);
  }
}

function notImplemented(what: string): Handler {
  return async () => {
    throw new S3Error('NotImplemented', `${what} is not implemented by this gateway`);
  };
}

function notAllowed(method: string): Handler {
  return async () => {
    throw new S3Error('MethodNotAllowed', `the ${method} method is not allowed against this resource`);
  };
}
