/** One authenticated S3 request on its way to a handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Project } from '@dcsim/uplink';
import type { VerifiedSignature } from './sigv4/verify.js';

export interface S3Context {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path-style addressing: /bucket/key. */
  bucket?: string;
  key?: string;
  query: Map<string, string>;
  signature: VerifiedSignature;
  project: Project;
  /** Aborted when the client goes away: stops transfers running for it. */
  signal: AbortSignal;
  log: (line: string) => void;
}
