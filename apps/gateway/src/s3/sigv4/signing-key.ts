/**
 * The SigV4 signing key: HMAC-SHA256 chained over the date, region, service and "aws4_request",
 * starting from "AWS4" + secret. It is valid for one day, region and service (the credential scope).
 */
import { hmac } from './hashing.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SCOPE_TERMINATOR = 'aws4_request';

export interface CredentialScope {
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

export function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/${SCOPE_TERMINATOR}`;
}

export function signingKey(secret: string, scope: CredentialScope): Buffer {
  const dateKey = hmac(`AWS4${secret}`, scope.date);
  const regionKey = hmac(dateKey, scope.region);
  const serviceKey = hmac(regionKey, scope.service);
  return hmac(serviceKey, SCOPE_TERMINATOR);
}

/** The string the request signature is an HMAC of. */
export function stringToSign(amzDate: string, scope: CredentialScope, canonicalRequestHash: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scopeString(scope)}\n${canonicalRequestHash}`;
}

export function sign(key: Uint8Array, text: string): string {
  return hmac(key, text).toString('hex');
}
