/**
 * The auth service's HTTP API (as Storj's authservice):
 *
 *   POST /v1/access          {"access_grant": "...", "public": false} → {"access_key_id", "secret_key", "endpoint"}
 *   GET  /v1/access/{id}     Authorization: Bearer <token> → {"access_grant", "secret_key", "public"}
 *   GET  /v1/health/startup, /v1/health/live
 *
 * Bad grant 400, bad JSON 422, body over 4 KiB 413, wrong token / expired / invalidated 401, unknown 404.
 * Nothing secret is logged; grants and secrets only ever leave in answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { constantTimeEqual } from '@dcsim/common/bytes';
import type { AuthDb } from './db.js';
import { AuthError, lookup, register, type RegisterOptions } from './records.js';

const MAX_REQUEST_BODY = 4 * 1024;

export interface AuthServiceOptions extends RegisterOptions {
  db: AuthDb;
  /** Bearer token gateways present to look records up. */
  token: string;
  /** The S3 endpoint registrations are told to use. */
  endpoint: string;
  log: (line: string) => void;
}

export function createAuthService(options: AuthServiceOptions): Server {
  return createServer((req, res) => {
    handle(options, req, res).catch((err) => {
      if (err instanceof AuthError) return sendJson(res, err.status, { error: err.message });
      options.log(`auth service failure: ${(err as Error).message}`);
      sendJson(res, 500, { error: 'internal error' });
    });
  });
}

async function handle(options: AuthServiceOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/v1/health/startup' || path === '/v1/health/live') return sendJson(res, 200, { status: 'ok' });
  if (path === '/v1/access') {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
    const body = await readJson(req);
    if (typeof body !== 'object' || body === null || typeof (body as { access_grant?: unknown }).access_grant !== 'string') {
      throw new AuthError(422, 'the body must be a JSON object with an access_grant string');
    }
    const { access_grant: grant, public: isPublic } = body as { access_grant: string; public?: unknown };
    const registered = register(options.db, grant, isPublic === true, options);
    return sendJson(res, 200, { access_key_id: registered.accessKeyId, secret_key: registered.secretKey, endpoint: options.endpoint });
  }
  const m = /^\/v1\/access\/([A-Za-z0-9]+)$/.exec(path);
  if (m) {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET' });
    if (!bearerMatches(req.headers.authorization, options.token)) throw new AuthError(401, 'a valid bearer token is required');
    const found = lookup(options.db, m[1]);
    return sendJson(res, 200, { access_grant: found.accessGrant, secret_key: found.secretKey, public: found.public });
  }
  sendJson(res, 404, { error: 'not found' });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BODY) {
    req.resume();
    throw new AuthError(413, `the body is over ${MAX_REQUEST_BODY} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY) {
      req.resume();
      throw new AuthError(413, `the body is over ${MAX_REQUEST_BODY} bytes`);
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AuthError(422, 'the body is not JSON');
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return constantTimeEqual(given, expected);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
