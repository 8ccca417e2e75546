/**
 * The SigV4 canonical request: method, URI, query, headers, signed header names and payload hash,
 * each in AWS's normal form, so that client and server hash the same text.
 */
import { S3Error } from '../errors.js';

/** A request as the verifier needs it: the path and query as sent on the wire, header names in lower case. */
export interface WireRequest {
  method: string;
  /** Raw path, still percent-encoded, without the query. */
  path: string;
  /** Raw query string without the '?'. */
  query: string;
  /** Lower-case names; repeated headers joined with ','. */
  headers: Record<string, string>;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** AWS URI encoding: every byte but the unreserved characters as %XX (upper-case hex); '/' kept in paths. */
export function uriEncode(text: string, keepSlash: boolean): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch) || (keepSlash && ch === '/')) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeComponent(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidArgument', `${what} is not valid percent-encoding`);
  }
}

/** S3 does not normalize paths ("a//b", "./"): the decoded path, encoded once. */
function canonicalUri(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  return path
    .split('/')
    .map((segment) => uriEncode(decodeComponent(segment, 'the request path'), false))
    .join('/');
}

/** Query parameters as name/value pairs, decoded ('+' is a space, as form encoding has it). */
export function parseQuery(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return [
        decodeComponent(name.replace(/\+/g, ' '), 'a query parameter'),
        decodeComponent(value.replace(/\+/g, ' '), 'a query parameter'),
      ];
    });
}

/** Sorted by encoded name, then value; `exclude` drops a parameter (the signature of a presigned URL). */
function canonicalQuery(rawQuery: string, exclude?: string): string {
  return parseQuery(rawQuery)
    .filter(([name]) => name !== exclude)
    .map(([name, value]) => [uriEncode(name, false), uriEncode(value, false)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** "name:value\n" per signed header, values trimmed and inner runs of spaces collapsed. */
function canonicalHeaders(headers: Record<string, string>, signedHeaders: string[]): string {
  return signedHeaders
    .map((name) => {
      const value = headers[name];
      if (value === undefined) throw new S3Error('SignatureDoesNotMatch', `the signed header ${name} is not in the request`);
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
}

export function canonicalRequest(req: WireRequest, signedHeaders: string[], payloadHash: string, excludeQuery?: string): string {
  return [
    req.method,
    canonicalUri(req.path),
    canonicalQuery(req.query, excludeQuery),
    canonicalHeaders(req.headers, signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}
