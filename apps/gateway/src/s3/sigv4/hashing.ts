/** The two primitives of SigV4: SHA-256 in hex and HMAC-SHA256, and a constant-time comparison of hex signatures. */
import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '@dcsim/common/bytes';

/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Compares two hex signatures without leaking through timing how much of them matched. */
export function sameSignature(a: string, b: string): boolean {
  return constantTimeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
