/**
 * Verifying a SigV4 signature with the secret the access key ID resolved to: the clock, the scope,
 * then the HMAC over the canonical request. Streaming uploads get back what they need to verify
 * each chunk's signature (chunked.ts).
 */
import { S3Error } from '../errors.js';
import { canonicalRequest, type WireRequest } from './canonical.js';
import { sameSignature, sha256Hex } from './hashing.js';
import { parseAmzDate, type ParsedSignature } from './parse.js';
import { scopeString, sign, signingKey, stringToSign } from './signing-key.js';

/** Client clocks may be this far off (S3's and Storj's allowance). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface VerifiedSignature {
  accessKeyId: string;
  /** For chunk signatures: the day's signing key, the scope, the request time and the seed signature. */
  signingKey: Buffer;
  scope: string;
  amzDate: string;
  seedSignature: string;
  payloadHash: string;
}

export function verifySignature(req: WireRequest, parsed: ParsedSignature, secret: string, now = new Date()): VerifiedSignature {
  checkTime(parsed, now);
  if (parsed.amzDate.slice(0, 8) !== parsed.scope.date) {
    throw new S3Error('SignatureDoesNotMatch', 'the credential date differs from the request date');
  }
  const presigned = parsed.expiresSeconds !== undefined;
  const canonical = canonicalRequest(req, parsed.signedHeaders, parsed.payloadHash, presigned ? 'X-Amz-Signature' : undefined);
  const key = signingKey(secret, parsed.scope);
  const expected = sign(key, stringToSign(parsed.amzDate, parsed.scope, sha256Hex(canonical)));
  if (!sameSignature(expected, parsed.signature)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'the request signature we calculated does not match the signature you provided; check your key and signing method',
    );
  }
  return {
    accessKeyId: parsed.accessKeyId,
    signingKey: key,
    scope: scopeString(parsed.scope),
    amzDate: parsed.amzDate,
    seedSignature: parsed.signature,
    payloadHash: parsed.payloadHash,
  };
}

function checkTime(parsed: ParsedSignature, now: Date): void {
  const signedAt = parseAmzDate(parsed.amzDate).getTime();
  const skew = signedAt - now.getTime();
  if (parsed.expiresSeconds === undefined) {
    if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
      throw new S3Error('RequestTimeTooSkewed', 'the difference between the request time and the server time is too large');
    }
    return;
  }
  if (skew > MAX_CLOCK_SKEW_MS) throw new S3Error('RequestTimeTooSkewed', 'the presigned URL is dated in the future');
  if (now.getTime() > signedAt + parsed.expiresSeconds * 1000) throw new S3Error('AccessDenied', 'request has expired');
}
