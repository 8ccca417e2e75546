import { randomBytes } from 'node:crypto';
import { PieceDownloadResponse } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { encodeDownloadResponse } from '../src/wire.js';

describe('encodeDownloadResponse', () => {
  const bytes = (n: number) => new Uint8Array(randomBytes(n));
  const hash = { pieceId: bytes(32), hash: bytes(32), pieceSize: 123456789, timestamp: new Date(), signature: bytes(64) };
  const cases: [string, PieceDownloadResponse][] = [
    ['chunk and hash', { chunk: randomBytes(256 * 1024), hash }],
    ['chunk only', { chunk: randomBytes(100), hash: undefined }],
    ['hash only', { chunk: new Uint8Array(0), hash }],
    ['nothing', { chunk: new Uint8Array(0), hash: undefined }],
    ['a 3-byte length', { chunk: randomBytes(3 * 1024 * 1024), hash: undefined }],
  ];
  for (const [name, message] of cases) {
    it(`writes the generated encoder's bytes: ${name}`, () => {
      const fast = encodeDownloadResponse(message);
      expect(fast.equals(Buffer.from(PieceDownloadResponse.encode(message).finish()))).toBe(true);
      const decoded = PieceDownloadResponse.decode(new Uint8Array(fast));
      expect(Buffer.from(decoded.chunk).equals(message.chunk)).toBe(true);
      expect(decoded.hash).toEqual(message.hash);
    });
  }
});
