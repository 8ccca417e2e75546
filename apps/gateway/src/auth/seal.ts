/**
 * AES-256-GCM under the record key (keys.ts). Each record has its own key, so fixed nonces are safe as
 * long as the two fields of a record use different ones: the grant and the secret each have theirs.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { GatewayError } from '../errors.js';

export const GRANT_NONCE = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
export const SECRET_NONCE = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
const TAG_SIZE = 16;

export class SealError extends GatewayError {}

export function seal(key: Uint8Array, nonce: Uint8Array, plain: string): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return new Uint8Array(Buffer.concat([body, cipher.getAuthTag()]));
}

export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): string {
  if (sealed.length < TAG_SIZE) throw new SealError('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError('sealed value does not open with this key');
  }
}
