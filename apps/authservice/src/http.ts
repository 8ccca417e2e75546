/**
 * The auth service's HTTP API, as Storj's (storj/edge httpauth):
 *
 *   POST /v1/access            {"access_grant": "...", "public": false} → {"access_key_id", "secret_key", "endpoint"}
 *   GET  /v1/access/{key id}   (Authorization: Bearer <token>: gateways only) → {"access_grant", "secret_key", "public"}
 *   GET  /v1/health/startup, /v1/health/live
 *
 * Errors are plain text with Storj's status codes: 400 bad grant or key ID, 401 missing token or no usable
 * record, 413 body over the limit, 422 body that is not the JSON asked for. The access key ID is the key
 * that decrypts a record, so request paths are never logged, nor anything else a request carries.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, type AuthService } from './service.js';

/** Largest registration body: a grant is a few hundred bytes to a few KiB. */
export const MAX_BODY_BYTES = 4096;

export interface HttpOptions {
  /** The S3 endpoint clients should use with the credentials (the gateway's URL). */
  endpoint: string;
  /** What gateways send as `Authorization: Bearer <token>` to look records up. */
  authToken: string;
  log: (line: string) => void;
  /** Readiness for the health checks. */
  health: { ready: boolean; stopping: boolean };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function authHandler(service: AuthService, options: HttpOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(service, options, req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : err instanceof AuthError ? (err.kind === 'bad-request' ? 400 : 401) : 500;
      const message = status === 500 ? 'internal error' : (err as Error).message;
      if (status === 500) options.log(`internal error on ${req.method} ${routeName(req.url)}: ${(err as Error).stack ?? String(err)}`);
      else options.log(`${req.method} ${routeName(req.url)}: ${status} ${message}`);
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(`${message}\n`);
    });
  };
}

async function route(service: AuthService, options: HttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://auth').pathname;
  if (path === '/v1/health/startup') return health(req, res, options.health.ready);
  if (path === '/v1/health/live') return health(req, res, options.health.ready && !options.health.stopping);
  if (path === '/v1/access') {
    cors(res);
    if (req.method === 'OPTIONS') return void res.writeHead(200).end();
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    const body = await readJson(req);
    const credentials = service.register(body.access_grant, body.public);
    return json(res, { access_key_id: credentials.accessKeyId, secret_key: credentials.secretKey, endpoint: options.endpoint });
  }
  const id = /^\/v1\/access\/([^/]+)$/.exec(path)?.[1];
  if (id !== undefined) {
    if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
    if (!bearerMatches(req.headers.authorization, options.authToken)) throw new HttpError(401, 'unauthorized');
    const found = service.lookup(decodeURIComponent(id));
    return json(res, { access_grant: found.accessGrant, secret_key: found.secretKey, public: found.public });
  }
  throw new HttpError(404, 'not found');
}

function health(req: IncomingMessage, res: ServerResponse, ok: boolean): void {
  if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
  res.writeHead(ok ? 200 : 503).end();
}

/** Reads at most MAX_BODY_BYTES and checks the shape: `access_grant` a string, `public` a boolean if present. */
async function readJson(req: IncomingMessage): Promise<{ access_grant: string; public: boolean }> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(422, 'request body is not JSON');
  }
  const { access_grant: grant, public: isPublic = false } = (body ?? {}) as Record<string, unknown>;
  if (typeof grant !== 'string' || typeof isPublic !== 'boolean') {
    throw new HttpError(422, 'request body must be {"access_grant": string, "public": boolean}');
  }
  return { access_grant: grant, public: isPublic };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const got = Buffer.from(header ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

function cors(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Accept, Accept-Language, Content-Language, Content-Length, Accept-Encoding');
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(value)}\n`);
}

/** The route without the key ID, for logs. */
function routeName(url: string | undefined): string {
  const path = new URL(url ?? '/', 'http://auth').pathname;
  return path.startsWith('/v1/access/') ? '/v1/access/{id}' : path;
}
