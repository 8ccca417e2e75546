/** Writing S3 responses: XML documents, empty answers, errors, and object bytes with backpressure. */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { S3Error } from './errors.js';
import { xmlDocument, type XmlNode } from './xml.js';

export function sendXml(res: ServerResponse, status: number, root: string, body: XmlNode, headers: Record<string, string> = {}): void {
  const text = xmlDocument(root, body);
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...headers, 'content-length': headers['content-length'] ?? 0 });
  res.end();
}

/** The error as S3's XML (no body for HEAD, as S3). */
export function sendError(res: ServerResponse, err: S3Error, resource: string, head: boolean): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const headers: Record<string, string> = { 'x-amz-request-id': requestId };
  if (head) {
    res.writeHead(err.status, { ...headers, 'content-length': 0 });
    res.end();
    return;
  }
  sendXml(
    res,
    err.status,
    'Error',
    { Code: err.code, Message: err.message, ...err.extra, Resource: resource, RequestId: requestId },
    headers,
  );
}

/** Writes `data` to the response, waiting whenever the client reads slower than we fetch. */
export async function pipeToResponse(res: ServerResponse, data: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of data) {
    if (res.destroyed) throw new Error('client went away');
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}
