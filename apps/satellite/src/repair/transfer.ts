/**
 * The repairer's piece transfers, through @dcsim/piecestore-client (the code the uplink uses):
 * `fetchPieces` downloads k whole pieces under GET_REPAIR limits, k at a time, each checked against the hash
 * its node signed when it stored it (a failed or bad piece is replaced by the next holder's); `storePieces`
 * uploads rebuilt pieces under PUT_REPAIR limits, in parallel, and keeps those whose node signed what was sent.
 */
import { nodeIdString } from '@dcsim/common/nodeid';
import { DEFAULT_UPLOAD_CHUNK, downloadPiece, PieceError, uploadPiece, type NodeClients } from '@dcsim/piecestore-client';
import type { AddressedOrderLimit, UploadMessageWriter } from '@dcsim/protocol';

export interface Fetched {
  pieces: Map<number, Uint8Array>;
  failures: PieceError[];
}

/** Up to `count` verified whole pieces, trying the limits in order; fewer only when every holder was tried. */
export async function fetchPieces(nodes: NodeClients, limits: AddressedOrderLimit[], count: number, pieceSize: number): Promise<Fetched> {
  const waiting = [...limits];
  const fetched: Fetched = { pieces: new Map(), failures: [] };
  const worker = async () => {
    while (fetched.pieces.size < count && waiting.length > 0) {
      const addressed = waiting.shift()!;
      try {
        const data = await downloadPiece(client(nodes, addressed), addressed, { pieceSize });
        if (fetched.pieces.size < count) fetched.pieces.set(addressed.pieceNum, data);
      } catch (err) {
        fetched.failures.push(asPieceError(err, addressed));
      }
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
  return fetched;
}

export interface Stored {
  stored: AddressedOrderLimit[];
  failures: PieceError[];
}

/**
 * Uploads piece `limit.pieceNum` of `pieces` under each limit. Once `enough` are stored the rest are cancelled
 * (Storj's long tail); fewer is still a result: the caller decides what it is worth.
 */
export async function storePieces(
  nodes: NodeClients,
  limits: AddressedOrderLimit[],
  pieces: Uint8Array[],
  enough: number,
  messages: UploadMessageWriter,
): Promise<Stored> {
  const result: Stored = { stored: [], failures: [] };
  const longTail = new AbortController();
  await Promise.all(
    limits.map(async (addressed) => {
      const piece = pieces[addressed.pieceNum];
      try {
        await uploadPiece(
          client(nodes, addressed),
          addressed,
          { size: piece.length, chunks: chunksOf(piece) },
          {
            signal: longTail.signal,
            messages,
          },
        );
        result.stored.push(addressed);
        if (result.stored.length >= enough) longTail.abort();
      } catch (err) {
        if (!longTail.signal.aborted) result.failures.push(asPieceError(err, addressed));
      }
    }),
  );
  result.stored.sort((a, b) => a.pieceNum - b.pieceNum);
  return result;
}

async function* chunksOf(piece: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < piece.length; at += DEFAULT_UPLOAD_CHUNK) yield piece.subarray(at, at + DEFAULT_UPLOAD_CHUNK);
}

function client(nodes: NodeClients, addressed: AddressedOrderLimit) {
  return nodes.get(addressed.limit!.storageNodeId, addressed.address);
}

function asPieceError(err: unknown, addressed: AddressedOrderLimit): PieceError {
  if (err instanceof PieceError) return err;
  return new PieceError(nodeIdString(addressed.limit!.storageNodeId), addressed.pieceNum, String(err));
}
