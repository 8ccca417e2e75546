import { describe, expect, it } from 'vitest';
import {
  checkEncode, derivePieceId, NodeIdError, nodeIdFromString, nodeIdToString, PieceIdError, pieceIdFromString,
  pieceIdToString, randomPieceId,
} from '../src/index.js';

describe('node ID strings', () => {
  it('print the unversioned ID with the version byte, and parse back', () => {
    const id = new Uint8Array(32).map((_, i) => i + 1);
    id[31] = 0;
    const text = nodeIdToString(id);
    expect(text).toBe(checkEncode(id, 0));
    expect(nodeIdFromString(text)).toEqual(id);
  });

  it('treat an unknown version as version 0, as Storj does', () => {
    const id = new Uint8Array(32).fill(7);
    expect(nodeIdFromString(nodeIdToString(id))[31]).toBe(0);
    expect(nodeIdFromString(checkEncode(new Uint8Array(32).fill(7), 5))[31]).toBe(0);
  });

  it('reject bad input with a NodeIdError', () => {
    expect(() => nodeIdFromString('not-base58!')).toThrow(NodeIdError);
    expect(() => nodeIdFromString(checkEncode(new Uint8Array(20), 0))).toThrow(/20 bytes, want 32/);
    expect(() => nodeIdToString(new Uint8Array(31))).toThrow(NodeIdError);
  });
});

describe('piece IDs', () => {
  it('use a big-endian uint32 piece number: numbers differing only in high bytes give different IDs', () => {
    const root = randomPieceId();
    const node = new Uint8Array(32).fill(3);
    expect(derivePieceId(root, node, 1)).not.toEqual(derivePieceId(root, node, 1 << 24));
    expect(derivePieceId(root, node, 5)).toEqual(derivePieceId(root, node, 5));
  });

  it('print as 52 base32 characters and reject anything else', () => {
    const id = randomPieceId();
    const text = pieceIdToString(id);
    expect(text).toMatch(/^[A-Z2-7]{52}$/);
    expect(pieceIdFromString(text)).toEqual(id);
    expect(() => pieceIdFromString(text.toLowerCase())).toThrow(PieceIdError);
    expect(() => pieceIdFromString(text + '====')).toThrow(PieceIdError);
    expect(() => pieceIdFromString(text.slice(0, 48))).toThrow(/30 bytes, want 32/);
  });
});
