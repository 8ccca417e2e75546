import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateIdentity, rawPublicKey } from '@dcsim/identity';
import { PieceAction, PieceSigner, generatePieceKey, signOrderLimit, verifyOrderSignature, type OrderLimit } from '../src/index.js';

function limit(uplinkPublicKey: Uint8Array): OrderLimit {
  const now = Date.now();
  return signOrderLimit(generateIdentity(), {
    serialNumber: new Uint8Array(16).fill(7),
    satelliteId: new Uint8Array(32),
    storageNodeId: new Uint8Array(32).fill(1),
    pieceId: new Uint8Array(32).fill(2),
    limit: 1000,
    action: PieceAction.GET,
    orderExpiration: new Date(now + 3_600_000),
    orderCreation: new Date(now),
    satelliteSignature: new Uint8Array(0),
    uplinkPublicKey,
  });
}

describe('orders', () => {
  it('piece keys are Go-form Ed25519 keys: seed ‖ public key', () => {
    const key = generatePieceKey();
    expect(key.publicKey).toHaveLength(32);
    expect(key.privateKey).toHaveLength(64);
    expect(key.privateKey.subarray(32)).toEqual(key.publicKey);
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), key.privateKey.subarray(0, 32)]);
    expect(rawPublicKey(createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })))).toEqual(key.publicKey);
  });

  it("an order verifies under its limit's key, and not once altered or signed by another key", () => {
    const key = generatePieceKey();
    const l = limit(key.publicKey);
    const order = new PieceSigner(key.privateKey).order(l, 500);
    expect(order.serialNumber).toEqual(l.serialNumber);
    expect(verifyOrderSignature(l, order)).toBe(true);
    expect(verifyOrderSignature(l, { ...order, amount: 501 })).toBe(false);
    expect(verifyOrderSignature(l, { ...order, serialNumber: new Uint8Array(16) })).toBe(false);
    expect(verifyOrderSignature(l, new PieceSigner(generatePieceKey().privateKey).order(l, 500))).toBe(false);
    expect(verifyOrderSignature({ ...l, uplinkPublicKey: undefined }, order)).toBe(false);
  });

  it('refuses a private key that is not 64 bytes', () => {
    expect(() => new PieceSigner(new Uint8Array(32))).toThrow('piece private key must be 64 bytes, got 32');
  });
});
