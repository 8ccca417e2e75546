/**
 * Identities of satellites and storage nodes: an Ed25519 key pair and the node ID derived from it.
 *
 * As in Storj, the identity key is a certificate authority's key and the node ID is derived from its
 * public key (here SHA-256 of the raw Ed25519 key, last byte = ID version 0). Peers prove the ID in TLS
 * with a certificate chain issued from this key (certificate.ts, chain.ts), and sign check-ins, order
 * limits and piece hashes with it; anyone can check that an ID belongs to a public key with `idMatchesKey`.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { equalBytes } from '@dcsim/common/bytes';
import { IdentityError } from './errors.js';

export interface Identity {
  /** 32-byte node ID: SHA-256(public key) with the last byte set to the ID version (0). */
  readonly id: Uint8Array;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

const ID_VERSION = 0;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function generateIdentity(): Identity {
  const { privateKey } = generateKeyPairSync('ed25519');
  return identityFromPrivateKey(privateKey);
}

function identityFromPrivateKey(privateKey: KeyObject): Identity {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { id: nodeIdFromPublicKey(publicKey), publicKey, privateKey };
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') throw new IdentityError(`want an Ed25519 key, got ${key.asymmetricKeyType}`);
  const spki = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
}

export function nodeIdFromPublicKey(publicKey: Uint8Array): Uint8Array {
  const id = new Uint8Array(createHash('sha256').update(publicKey).digest());
  id[id.length - 1] = ID_VERSION;
  return id;
}

export function idMatchesKey(id: Uint8Array, publicKey: Uint8Array): boolean {
  return equalBytes(nodeIdFromPublicKey(publicKey), id);
}

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new IdentityError(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** PEM of the private key, for the identity file. */
export function exportPrivateKey(identity: Identity): string {
  return identity.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function importPrivateKey(pem: string): Identity {
  return identityFromPrivateKey(createPrivateKey(pem));
}
