import { describe, expect, it } from 'vitest';
import { parseNodeId, nodeIdString } from '../src/nodeid.js';
import { derivePieceId, PieceIdError, pieceIdFromString, pieceIdToString, randomPieceId } from '../src/pieceid.js';
import { loadVector } from './vectors.js';

describe('piece IDs', () => {
  it('use a big-endian uint32 piece number: numbers differing only in high bytes give different IDs', () => {
    const root = randomPieceId();
    const node = new Uint8Array(32).fill(3);
    expect(derivePieceId(root, node, 1)).not.toEqual(derivePieceId(root, node, 1 << 24));
    expect(derivePieceId(root, node, 5)).toEqual(derivePieceId(root, node, 5));
  });

  it('print as 52 base32 characters and refuse anything else', () => {
    const id = randomPieceId();
    const text = pieceIdToString(id);
    expect(text).toMatch(/^[A-Z2-7]{52}$/);
    expect(pieceIdFromString(text)).toEqual(id);
    expect(() => pieceIdFromString(text.toLowerCase())).toThrow(PieceIdError);
    expect(() => pieceIdFromString(text + '====')).toThrow(PieceIdError);
    expect(() => pieceIdFromString(text.slice(0, 48))).toThrow(/30 bytes, want 32/);
    expect(() => pieceIdToString(id.subarray(1))).toThrow(PieceIdError);
  });
});

describe('piece IDs (storj/common pieceid_deriver_test)', () => {
  const v = loadVector('piece-id.json');
  const root = pieceIdFromString(v.root_piece_id);

  it('round-trips the root ID through unpadded base32', () => expect(pieceIdToString(root)).toBe(v.root_piece_id));

  for (const d of v.vectors) {
    it(`derives piece ${d.piece_num} for node ${d.node_id.slice(0, 8)}…`, () => {
      const nodeId = parseNodeId(d.node_id);
      expect(nodeIdString(nodeId)).toBe(d.node_id);
      const derived = derivePieceId(root, nodeId, d.piece_num);
      expect(pieceIdToString(derived)).toBe(d.derived_piece_id);
      expect(pieceIdFromString(d.derived_piece_id)).toEqual(derived);
    });
  }
});
