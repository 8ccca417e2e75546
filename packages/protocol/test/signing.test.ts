import { generateIdentity } from '@dcsim/identity';
import { describe, expect, it } from 'vitest';
import {
  OrderLimit,
  PieceAction,
  signOrderLimit,
  signPieceHash,
  verifyOrderLimitSignature,
  verifyPieceHashSignature,
} from '../src/index.js';

function limit(): OrderLimit {
  return {
    serialNumber: new Uint8Array(16).fill(7),
    satelliteId: new Uint8Array(32).fill(1),
    storageNodeId: new Uint8Array(32).fill(2),
    pieceId: new Uint8Array(32).fill(3),
    limit: 1024,
    action: PieceAction.PUT,
    orderExpiration: new Date(Date.now() + 60_000),
    orderCreation: new Date(),
    satelliteSignature: new Uint8Array(0),
  };
}

describe('order limit signatures', () => {
  const satellite = generateIdentity();

  it('verify with the satellite key and survive a wire round trip', () => {
    const signed = signOrderLimit(satellite, limit());
    const wire = OrderLimit.decode(OrderLimit.encode(signed).finish());
    expect(verifyOrderLimitSignature(satellite.publicKey, wire)).toBe(true);
  });

  it('fail when any field is changed or another key signed', () => {
    const signed = signOrderLimit(satellite, limit());
    expect(verifyOrderLimitSignature(satellite.publicKey, { ...signed, limit: 1025 })).toBe(false);
    expect(verifyOrderLimitSignature(satellite.publicKey, { ...signed, action: PieceAction.GET })).toBe(false);
    expect(verifyOrderLimitSignature(satellite.publicKey, { ...signed, storageNodeId: new Uint8Array(32).fill(9) })).toBe(false);
    const forged = signOrderLimit(generateIdentity(), limit());
    expect(verifyOrderLimitSignature(satellite.publicKey, forged)).toBe(false);
  });
});

describe('piece hash signatures', () => {
  it('bind the hash and size to the node', () => {
    const node = generateIdentity();
    const hash = signPieceHash(node, {
      pieceId: new Uint8Array(32),
      hash: new Uint8Array(32).fill(5),
      pieceSize: 10,
      timestamp: new Date(),
      signature: new Uint8Array(0),
    });
    expect(verifyPieceHashSignature(node.publicKey, hash)).toBe(true);
    expect(verifyPieceHashSignature(node.publicKey, { ...hash, pieceSize: 11 })).toBe(false);
    expect(verifyPieceHashSignature(generateIdentity().publicKey, hash)).toBe(false);
  });
});
