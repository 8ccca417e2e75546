/**
 * The S3 HTTP server: every request is authenticated (SigV4 with the secret its access key ID resolves
 * to), runs under that key's access grant through the uplink library, and ends in a response or an S3
 * XML error. A client's mistake is an error answer, never a crash; unexpected failures are logged
 * (without secrets) and answered with InternalError.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CredentialStore } from '../credentials.js';
import type { ProjectLease, ProjectPool } from '../projects.js';
import type { S3Context } from './context.js';
import { S3Error } from './errors.js';
import { sendError } from './respond.js';
import { route } from './router.js';
import { decodeComponent, parseQuery, type WireRequest } from './sigv4/canonical.js';
import { parseSignature } from './sigv4/parse.js';
import { verifySignature } from './sigv4/verify.js';
import { toS3Error } from './uplink-errors.js';

export interface S3ServerOptions {
  credentials: CredentialStore;
  projects: ProjectPool;
  log: (line: string) => void;
}

export function createS3Server(options: S3ServerOptions): Server {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err) => {
      options.log(`unhandled failure: ${(err as Error).message}`);
      res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function handle(options: S3ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const wire = wireRequest(req);
  const head = wire.method === 'HEAD';
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort(new Error('the client closed the connection'));
  });
  let lease: ProjectLease | undefined;
  try {
    const parsed = parseSignature(wire);
    if (!parsed) throw new S3Error('AccessDenied', 'anonymous requests are not allowed: sign requests with SigV4');
    const credentials = await options.credentials.lookup(parsed.accessKeyId);
    if (!credentials) throw new S3Error('InvalidAccessKeyId', 'the access key ID you provided does not exist in our records');
    const signature = verifySignature(wire, parsed, credentials.secretKey);
    lease = await options.projects.acquire(credentials.access);
    const ctx: S3Context = {
      req,
      res,
      ...splitPath(wire.path),
      query: new Map(parseQuery(wire.query)),
      signature,
      project: lease.project,
      signal: gone.signal,
      log: options.log,
    };
    await route(ctx)(ctx);
  } catch (err) {
    if (gone.signal.aborted) return;
    let s3 = toS3Error(err);
    if (!s3) {
      options.log(`${wire.method} ${safePath(wire.path)}: ${(err as Error)?.message ?? String(err)}`);
      s3 = new S3Error('InternalError', 'we encountered an internal error; please try again');
    }
    if (res.headersSent) {
      res.destroy(); // an object was half sent: the client must see a broken transfer, not a short one
      return;
    }
    sendError(res, s3, safePath(wire.path), head);
  } finally {
    lease?.release();
  }
}

function wireRequest(req: IncomingMessage): WireRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { method: req.method ?? 'GET', path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1), headers };
}

/** Path-style addressing: "/", "/bucket", "/bucket/", "/bucket/key/with/slashes". */
function splitPath(path: string): { bucket?: string; key?: string } {
  const rest = path.replace(/^\//, '');
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: decodeComponent(rest, 'the bucket name') };
  const bucket = decodeComponent(rest.slice(0, slash), 'the bucket name');
  const key = decodeComponent(rest.slice(slash + 1), 'the object key');
  return key === '' ? { bucket } : { bucket, key };
}

function safePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
