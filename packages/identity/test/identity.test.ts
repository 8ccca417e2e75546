import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateIdentity,
  IdentityError,
  idMatchesKey,
  loadOrCreateIdentity,
  PeerChainError,
  publicKeyObject,
  rawPublicKey,
  sign,
  verify,
  verifyPeerChain,
} from '../src/index.js';

describe('identity', () => {
  it('derives a versioned node ID from the public key', () => {
    const a = generateIdentity();
    expect(a.id).toHaveLength(32);
    expect(a.id[31]).toBe(0);
    expect(idMatchesKey(a.id, a.publicKey)).toBe(true);
    expect(idMatchesKey(generateIdentity().id, a.publicKey)).toBe(false);
  });

  it('signs and verifies; a changed message or another key fails', () => {
    const a = generateIdentity();
    const msg = new TextEncoder().encode('order limit');
    const sig = sign(a, msg);
    expect(verify(a.publicKey, msg, sig)).toBe(true);
    expect(verify(a.publicKey, new TextEncoder().encode('order limiT'), sig)).toBe(false);
    expect(verify(generateIdentity().publicKey, msg, sig)).toBe(false);
    expect(verify(a.publicKey, msg, sig.subarray(1))).toBe(false);
  });

  it('keeps the identity in its data dir across restarts, readable only by its owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcsim-id-'));
    try {
      const first = loadOrCreateIdentity(dir);
      const again = loadOrCreateIdentity(dir);
      expect(again.id).toEqual(first.id);
      expect(statSync(join(dir, 'identity.key')).mode & 0o077).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errors', () => {
  it('are IdentityErrors: one class catches anything from this package', () => {
    expect(() => verifyPeerChain(undefined, undefined)).toThrow(PeerChainError);
    expect(() => verifyPeerChain(undefined, undefined)).toThrow(IdentityError);
    expect(() => publicKeyObject(new Uint8Array(31))).toThrow(IdentityError);
    expect(() => rawPublicKey(generateKeyPairSync('x25519').publicKey)).toThrow(IdentityError);
  });
});
