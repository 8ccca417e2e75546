/**
 * The Metainfo gRPC service: the API uplinks talk to. Each handler lives with its kind
 * (metainfo/buckets.ts, objects.ts, segments.ts, retry-pieces.ts, listing.ts, projects.ts); this file wires them to
 * grpc-js through `unaryHandler`, which turns an RpcError into its status code, reason and message, and anything
 * unexpected into INTERNAL (logged, never crashing the satellite).
 */
import type { MetainfoServer } from '@dcsim/protocol';
import { unaryHandler } from '@dcsim/protocol';
import { createBucket, deleteBucket, getBucket, listBuckets } from './metainfo/buckets.js';
import type { MetainfoEndpoint } from './metainfo/context.js';
import { listObjects } from './metainfo/listing.js';
import { getObjectPieces } from './metainfo/object-pieces.js';
import { beginObject, commitObject, deleteObject, downloadObject, getObject } from './metainfo/objects.js';
import { projectInfo, revokeApiKey } from './metainfo/projects.js';
import { retryBeginSegmentPieces } from './metainfo/retry-pieces.js';
import { beginSegment, commitSegment, downloadSegment, makeInlineSegment } from './metainfo/segments.js';

export type { MetainfoEndpoint } from './metainfo/context.js';

export function metainfoService(m: MetainfoEndpoint): MetainfoServer {
  const handle = <Req, Res>(fn: (m: MetainfoEndpoint, req: Req) => Res) => unaryHandler((req: Req) => fn(m, req), m.log);
  return {
    projectInfo: handle(projectInfo),
    createBucket: handle(createBucket),
    getBucket: handle(getBucket),
    deleteBucket: handle(deleteBucket),
    listBuckets: handle(listBuckets),
    beginObject: handle(beginObject),
    beginSegment: handle(beginSegment),
    retryBeginSegmentPieces: handle(retryBeginSegmentPieces),
    commitSegment: handle(commitSegment),
    makeInlineSegment: handle(makeInlineSegment),
    commitObject: handle(commitObject),
    getObject: handle(getObject),
    downloadObject: handle(downloadObject),
    downloadSegment: handle(downloadSegment),
    listObjects: handle(listObjects),
    deleteObject: handle(deleteObject),
    getObjectPieces: handle(getObjectPieces),
    revokeApiKey: handle(revokeApiKey),
  };
}
