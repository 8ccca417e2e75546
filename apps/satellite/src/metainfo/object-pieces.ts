/**
 * GetObjectPieces: where each segment of an object has its pieces, from the satellite's own records (Storj's
 * GetObjectIPs gives the addresses of the nodes holding an object; this gives them per piece, with whether each
 * node counts as online now, as the repair checker judges it: overlay.isHealthy). Read access to the object is
 * required, as for downloading it. `uplink pieces` prints it.
 */
import { ActionType } from '@dcsim/crypto/macaroon';
import type { GetObjectPiecesRequest, GetObjectPiecesResponse, SegmentPieces } from '@dcsim/protocol';
import { nodeKey } from '../overlay.js';
import type { MetainfoEndpoint } from './context.js';
import { requireBucket, visibleObject } from './lookup.js';
import { checkObjectName } from './validate.js';

export function getObjectPieces(m: MetainfoEndpoint, req: GetObjectPiecesRequest): GetObjectPiecesResponse {
  checkObjectName(req);
  const auth = m.auth.authorize(req.header, { op: ActionType.Read, bucket: req.bucket, encryptedPath: req.encryptedObjectKey });
  requireBucket(m, auth, req.bucket);
  const now = m.clock.now();
  const object = visibleObject(m, auth, req.bucket, req.encryptedObjectKey, now);
  const nodes = m.overlay.nodeHealth(now);
  const segments = m.db.segments.ofStream(object.streamId).map((segment): SegmentPieces => ({
    position: { partNumber: segment.part, index: segment.index },
    inline: segment.rootPieceId === null,
    pieces: m.db.segments.pieces(segment.streamId, segment.part, segment.index).map((piece) => {
      const known = nodes.get(nodeKey(piece.nodeId));
      return { pieceNum: piece.pieceNum, nodeId: piece.nodeId, address: known?.node.address ?? '', online: known?.healthy ?? false };
    }),
  }));
  return { segments };
}
