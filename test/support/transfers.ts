/**
 * Moving objects through each of the three ways in (the uplink library, the `uplink` CLI, the S3 gateway) for
 * the fault tests, and the checks they share: the object reads back byte for byte, no process under test died,
 * a failure is one plain line.
 *
 * A fault "mid-transfer" must land while the upload is under way, on any machine: the bytes are then streamed
 * and the last of them held back until the fault is done (`heldBack`), and the fault waits until the satellite
 * has logged a committed segment of every upload.
 */
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Project } from '@dcsim/uplink';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import { readState } from '../../scripts/testnet/state.js';
import { isRunning } from '../../scripts/testnet/status.js';
import type { TestNet, UplinkRun } from '../harness.js';
import { s3Client } from './gateway.js';
import { readAll } from './streams.js';

export type Client = 'library' | 'cli' | 's3';

export const CLIENTS: Client[] = ['library', 'cli', 's3'];

/** The S3 client for the testnet's gateway (net.s3: started with `gateway: true`). */
export function gatewayClient(net: TestNet): S3Client {
  const { endpoint, accessKeyId, secretAccessKey } = net.s3!;
  return s3Client(endpoint, accessKeyId, secretAccessKey);
}

/** One object to upload through one client. */
export interface Transfer {
  client: Client;
  bucket: string;
  key: string;
  data: Buffer;
}

export interface Clients {
  net: TestNet;
  project: Project;
  s3: S3Client;
}

/** Uploads `t.data` through its client, whole; throws the library's error, the CLI's stderr or the gateway's answer. */
export async function upload(c: Clients, t: Transfer): Promise<void> {
  if (t.client === 'library') await c.project.upload(t.bucket, t.key, t.data);
  else if (t.client === 'cli') await cliUpload(c.net, t, t.data);
  else await c.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: t.key, Body: t.data }));
}

/**
 * Runs the uploads together, streaming, and `fault` once every one of them is under way (a segment of each
 * committed); their last bytes follow only after the fault. Throws the first upload's failure.
 */
export async function uploadsWithFault(c: Clients, transfers: Transfer[], fault: () => Promise<void>): Promise<void> {
  const watch = new LogWatch(satelliteLog(c.net));
  let released = false;
  let settled = 0;
  const running = transfers.map((t) => {
    const source = heldBack(t.data, () => released);
    const done = streamUpload(c, t, source).finally(() => settled++);
    done.catch(() => {}); // awaited below
    return done;
  });
  const underway = transfers.map((t) => new RegExp(`segment committed: .*bucket ${t.bucket}\\)`));
  await watch.untilAll(underway, () => settled > 0);
  try {
    if (settled === 0) await fault();
  } finally {
    released = true;
  }
  await Promise.all(running);
}

/**
 * `data`: half at once, then a trickle (so pieces are in flight when the fault lands) until `released`, and
 * the last 16 KiB only after that: the upload cannot end before the fault.
 */
async function* heldBack(data: Buffer, released: () => boolean): AsyncGenerator<Buffer> {
  const half = Math.floor(data.length / 2);
  const tail = Math.max(half, data.length - 16 * 1024);
  for (let at = 0; at < half; at += 64 * 1024) yield data.subarray(at, Math.min(at + 64 * 1024, half));
  let at = half;
  while (!released() && at < tail) {
    const end = Math.min(at + 16 * 1024, tail);
    yield data.subarray(at, end);
    at = end;
    await sleep(10);
  }
  while (!released()) await sleep(10);
  if (at < data.length) yield data.subarray(at);
}

async function streamUpload(c: Clients, t: Transfer, source: AsyncIterable<Buffer>): Promise<void> {
  if (t.client === 'library') await c.project.upload(t.bucket, t.key, source);
  else if (t.client === 'cli') await cliUpload(c.net, t, source);
  else await s3Stream(c, t, source);
}

async function cliUpload(net: TestNet, t: Transfer, input: Buffer | AsyncIterable<Uint8Array>): Promise<void> {
  const run = await net.runUplink(['cp', '--no-progress', '-', `sj://${t.bucket}/${t.key}`], { input });
  if (run.code !== 0) throw new Error(`uplink cp exited with ${run.code}: ${run.stderr}`);
}

/** A PUT through a presigned URL, its body streamed (the SDK would want the whole body to sign it). */
async function s3Stream(c: Clients, t: Transfer, body: AsyncIterable<Buffer>): Promise<void> {
  const url = new URL(await getSignedUrl(c.s3, new PutObjectCommand({ Bucket: t.bucket, Key: t.key }), { expiresIn: 600 }));
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': t.data.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await new Promise((drained) => req.once('drain', drained));
      req.end();
    })().catch((err) => req.destroy(err));
  });
  if (status !== 200) throw new Error(`S3 PUT ${t.bucket}/${t.key} answered ${status}`);
}

/** The object reads back byte for byte (through the library: the way in does not change what is stored). */
export async function expectStored(project: Project, t: Pick<Transfer, 'bucket' | 'key' | 'data'>): Promise<void> {
  expect((await readAll(project.download(t.bucket, t.key))).equals(t.data)).toBe(true);
}

/** Every process the testnet started runs, but the nodes the test stopped or killed itself. */
export function expectServicesRunning(net: TestNet): void {
  const state = readState(net.dir);
  const services = [state.satellite, state.gateway, state.auth].filter((s) => s !== undefined);
  for (const service of services) {
    expect({ name: service.name, running: isRunning(service.pid, net.dir) }).toEqual({ name: service.name, running: true });
  }
}

/** One line on stderr, no stack trace: what a user sees when the CLI fails. */
export function expectOneLineError(run: UplinkRun, pattern: RegExp): void {
  expect(run.code).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^uplink: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

export function satelliteLog(net: TestNet): string {
  return readState(net.dir).satellite.log;
}

/** Lines appended to a log file from now on. */
export class LogWatch {
  private offset: number;
  private pending = '';

  constructor(private readonly file: string) {
    this.offset = statSync(file).size;
  }

  /** Waits until every pattern has matched a new line, or `giveUp` says so (polling). */
  async untilAll(patterns: RegExp[], giveUp: () => boolean = () => false): Promise<void> {
    const left = new Set(patterns);
    while (left.size > 0 && !giveUp()) {
      for (const line of this.newLines()) for (const p of left) if (p.test(line)) left.delete(p);
      if (left.size > 0) await sleep(20);
    }
  }

  private newLines(): string[] {
    const size = statSync(this.file).size;
    if (size <= this.offset) return [];
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.pending + buffer.toString('utf8')).split('\n');
    this.pending = lines.pop()!;
    return lines;
  }
}

/** `count` distinct random indexes below `total`. */
export function pick(count: number, total: number): number[] {
  const all = [...Array(total).keys()];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}
