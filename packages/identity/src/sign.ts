/** Ed25519 signatures over canonical message bytes (the protobuf encoding with the signature field empty). */
import { sign as edSign, verify as edVerify } from 'node:crypto';
import { publicKeyObject, type Identity } from './identity.js';

export function sign(identity: Identity, message: Uint8Array): Uint8Array {
  return new Uint8Array(edSign(null, message, identity.privateKey));
}

export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return edVerify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
