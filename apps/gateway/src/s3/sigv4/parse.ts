/**
 * Reading a SigV4 signature off a request: from the Authorization header, or from the query of a
 * presigned URL. Nothing is verified here; the access key ID found is what the caller looks up.
 */
import { S3Error } from '../errors.js';
import { parseQuery, type WireRequest } from './canonical.js';
import { EMPTY_SHA256 } from './hashing.js';
import { ALGORITHM, SCOPE_TERMINATOR, type CredentialScope } from './signing-key.js';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** Presigned URLs live at most a week (S3's limit). */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

export interface ParsedSignature {
  accessKeyId: string;
  scope: CredentialScope;
  signedHeaders: string[];
  /** Hex HMAC the client sent. */
  signature: string;
  /** YYYYMMDDTHHMMSSZ */
  amzDate: string;
  /** What the canonical request carries as its payload hash (hex, UNSIGNED-PAYLOAD or a STREAMING-* mode). */
  payloadHash: string;
  /** Only for presigned URLs: seconds the URL is valid from amzDate. */
  expiresSeconds?: number;
}

/** undefined: the request carries no SigV4 signature at all (anonymous, or another scheme). */
export function parseSignature(req: WireRequest): ParsedSignature | undefined {
  const authorization = req.headers['authorization'];
  if (authorization !== undefined) return parseAuthorizationHeader(req, authorization);
  const query = new Map(parseQuery(req.query));
  if (query.has('X-Amz-Signature') || query.get('X-Amz-Algorithm') === ALGORITHM) return parsePresigned(query);
  return undefined;
}

function parseAuthorizationHeader(req: WireRequest, header: string): ParsedSignature {
  if (header.startsWith('AWS ')) throw new S3Error('NotImplemented', 'signature version 2 is not supported: sign requests with SigV4');
  if (!header.startsWith(`${ALGORITHM} `))
    throw new S3Error('AuthorizationHeaderMalformed', `the authorization header must use ${ALGORITHM}`);
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw new S3Error('AuthorizationHeaderMalformed', 'the authorization header needs Credential, SignedHeaders and Signature');
  }
  const amzDate = req.headers['x-amz-date'] ?? amzDateFromHttpDate(req.headers['date']);
  return {
    ...parseCredential(credential, 'AuthorizationHeaderMalformed'),
    signedHeaders: parseSignedHeaders(signedHeaders, 'AuthorizationHeaderMalformed'),
    signature: checkHex(signature, 'AuthorizationHeaderMalformed'),
    amzDate: checkAmzDate(amzDate, 'AuthorizationHeaderMalformed'),
    payloadHash: payloadHashOf(req),
  };
}

function parsePresigned(query: Map<string, string>): ParsedSignature {
  const need = (name: string) => {
    const value = query.get(name);
    if (!value) throw new S3Error('AuthorizationQueryParametersError', `a presigned URL needs the ${name} parameter`);
    return value;
  };
  if (need('X-Amz-Algorithm') !== ALGORITHM) throw new S3Error('AuthorizationQueryParametersError', `X-Amz-Algorithm must be ${ALGORITHM}`);
  const expires = Number(need('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
    throw new S3Error('AuthorizationQueryParametersError', `X-Amz-Expires must be between 1 and ${MAX_PRESIGNED_SECONDS} seconds`);
  }
  return {
    ...parseCredential(need('X-Amz-Credential'), 'AuthorizationQueryParametersError'),
    signedHeaders: parseSignedHeaders(need('X-Amz-SignedHeaders'), 'AuthorizationQueryParametersError'),
    signature: checkHex(need('X-Amz-Signature'), 'AuthorizationQueryParametersError'),
    amzDate: checkAmzDate(need('X-Amz-Date'), 'AuthorizationQueryParametersError'),
    payloadHash: query.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD,
    expiresSeconds: expires,
  };
}

type ParseError = 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError';

/** "AKID/20130524/us-east-1/s3/aws4_request" (the key ID is everything before the last four fields). */
function parseCredential(text: string, code: ParseError): { accessKeyId: string; scope: CredentialScope } {
  const parts = text.split('/');
  if (parts.length < 5 || parts[parts.length - 1] !== SCOPE_TERMINATOR) {
    throw new S3Error(code, 'the credential must be <access key ID>/<date>/<region>/<service>/aws4_request');
  }
  const [date, region, service] = parts.slice(-4, -1);
  const accessKeyId = parts.slice(0, -4).join('/');
  if (!/^\d{8}$/.test(date) || accessKeyId === '') throw new S3Error(code, 'the credential has a malformed date or an empty access key ID');
  if (service !== 's3') throw new S3Error(code, `the credential is for service ${JSON.stringify(service)}, not s3`);
  return { accessKeyId, scope: { date, region, service } };
}

function parseSignedHeaders(text: string, code: ParseError): string[] {
  const names = text.split(';').map((h) => h.trim().toLowerCase());
  if (names.some((n) => n === '') || !names.includes('host')) throw new S3Error(code, 'SignedHeaders must list host and no empty names');
  return names;
}

function checkHex(signature: string, code: ParseError): string {
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new S3Error(code, 'the signature must be 64 lower-case hex digits');
  return signature;
}

function checkAmzDate(text: string | undefined, code: ParseError): string {
  if (!text || !/^\d{8}T\d{6}Z$/.test(text) || Number.isNaN(parseAmzDate(text).getTime())) {
    throw new S3Error(code, 'the request date (X-Amz-Date) is missing or not YYYYMMDDTHHMMSSZ');
  }
  return text;
}

export function parseAmzDate(text: string): Date {
  const date = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  const iso = `${date}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`;
  return new Date(iso);
}

/** Clients without X-Amz-Date sign the Date header's time in SigV4's format. */
function amzDateFromHttpDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return undefined;
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** x-amz-content-sha256; a client may leave it out only when there is no body (then it signed the empty hash). */
function payloadHashOf(req: WireRequest): string {
  const value = req.headers['x-amz-content-sha256'];
  if (value !== undefined) return value;
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody) throw new S3Error('InvalidRequest', 'missing required header for this request: x-amz-content-sha256');
  return EMPTY_SHA256;
}
