import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PieceAction, PiecestoreService, type OrderLimit, type PieceHash, type PieceUploadRequest } from '@dcsim/protocol';
import { serializeUploadRequest } from '../src/lib/upload-message.js';

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const limit: OrderLimit = {
  serialNumber: bytes(16),
  satelliteId: bytes(32),
  storageNodeId: bytes(32),
  pieceId: bytes(32),
  limit: 123_456,
  action: PieceAction.PUT,
  orderCreation: new Date(),
  orderExpiration: new Date(),
  satelliteSignature: bytes(64),
};
const done: PieceHash = { pieceId: bytes(32), hash: bytes(32), pieceSize: 1 << 20, timestamp: new Date(), signature: new Uint8Array(0) };

describe('serializeUploadRequest', () => {
  it('gives the same bytes as the generated encoder', () => {
    const messages: PieceUploadRequest[] = [
      { limit, chunk: bytes(1 << 20) }, // the first message of an upload
      { chunk: bytes(1 << 20) },
      { chunk: bytes(1) },
      { chunk: bytes(127) }, // the longest chunk with a one-byte length
      { chunk: bytes(128) },
      { chunk: new Uint8Array(0), done }, // the last message
      { limit, chunk: bytes(5), done },
      { chunk: new Uint8Array(0) },
    ];
    for (const m of messages) {
      const generated = PiecestoreService.upload.requestSerialize(m);
      // Into fresh memory, into a reused buffer holding an earlier message, and into one too small.
      for (const into of [undefined, Buffer.alloc((1 << 20) + 4096, 0xa5), Buffer.alloc(10)]) {
        const ours = serializeUploadRequest(m, into);
        expect(ours.equals(generated), `${ours.length} vs ${generated.length} bytes`).toBe(true);
      }
    }
  });
});
