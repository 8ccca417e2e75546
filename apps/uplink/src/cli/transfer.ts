/**
 * Moving the bytes of one object for cp and mv: a local file or stdin up to sj://, sj:// down to a local
 * file or stdout, and sj:// to sj:// (download streamed straight into an upload: dcsim has no server-side
 * copy, and the content is re-encrypted under the new key's path key anyway). All of them stream one segment
 * at a time, draw an optional progress bar, and can return what the network saw for `--explain`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectDownload, ProgressEvent, ProgressListener, Project, UploadReport } from '../index.js';
import { rangeWithin, type ByteRange } from './byte-range.js';
import { DownloadTrace } from './explain.js';
import type { ProgressBar } from './progress-bar.js';

export interface UploadSettings {
  metadata?: Record<string, string>;
  contentType?: string;
  expires?: Date;
  bar?: ProgressBar;
}

export interface DownloadSettings {
  range?: ByteRange;
  bar?: ProgressBar;
  /** Collect which node served which piece, for `--explain`. */
  explain?: boolean;
}

/** A local file (or part of it, with `range`) or stdin (`path` undefined) up to sj://bucket/key. */
export async function upload(
  project: Project,
  path: string | undefined,
  bucket: string,
  key: string,
  settings: UploadSettings & { range?: ByteRange },
): Promise<UploadReport> {
  let source: AsyncIterable<Uint8Array> = process.stdin;
  let size: number | undefined;
  if (path !== undefined) {
    const fileSize = (await fsp.stat(path)).size;
    const { offset, length } = settings.range ? rangeWithin(settings.range, fileSize) : { offset: 0, length: fileSize };
    size = length;
    source = length === 0 ? emptySource() : createReadStream(path, { start: offset, end: offset + length - 1, highWaterMark: 1 << 20 });
  }
  return project.upload(bucket, key, source, {
    metadata: settings.metadata,
    contentType: settings.contentType,
    expires: settings.expires,
    size,
    onProgress: barListener(settings.bar),
  });
}

async function* emptySource(): AsyncGenerator<Uint8Array> {}

export interface DownloadResult {
  download: ObjectDownload;
  /** The `--explain` text, when asked for. */
  explanation?: string;
}

/** sj://bucket/key (or a range of it) to a local file (written aside, then renamed into place) or stdout. */
export async function download(
  project: Project,
  bucket: string,
  key: string,
  dest: { path: string } | 'stdout',
  settings: DownloadSettings,
): Promise<DownloadResult> {
  const trace = settings.explain ? new DownloadTrace() : undefined;
  const started = await startDownload(project, bucket, key, settings.range, listeners(barListener(settings.bar), trace?.listener));
  if (dest === 'stdout') {
    await writeToStdout(started);
  } else {
    await writeFileAtomically(dest.path, started);
  }
  return { download: started, explanation: trace?.explain(started.info, started.offset, started.length) };
}

async function startDownload(
  project: Project,
  bucket: string,
  key: string,
  range: ByteRange | undefined,
  onProgress?: ProgressListener,
): Promise<ObjectDownload> {
  let window: { offset?: number; length?: number } = {};
  if (range && 'suffix' in range) window = rangeWithin(range, (await project.stat(bucket, key)).size);
  else if (range) window = { offset: range.offset, length: range.length };
  return project.download(bucket, key, { ...window, onProgress });
}

/** sj:// to sj://: the object's metadata, content type and expiry go along unless overridden. */
export async function copyObject(
  project: Project,
  from: { bucket: string; key: string },
  to: { bucket: string; key: string },
  settings: UploadSettings,
): Promise<UploadReport> {
  const source = await project.download(from.bucket, from.key);
  const { info } = source;
  return project.upload(to.bucket, to.key, source, {
    metadata: settings.metadata ?? info.metadata,
    contentType: settings.contentType ?? info.contentType,
    expires: settings.expires ?? info.expires,
    size: info.size,
    onProgress: barListener(settings.bar),
  });
}

async function writeToStdout(chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const out = process.stdout;
  let failure: Error | undefined;
  const onError = (err: Error) => (failure = err);
  out.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (failure) throw failure;
      if (!out.write(chunk)) await drained(out);
    }
    if (failure) throw failure;
  } finally {
    out.off('error', onError);
  }
}

/** Resolves when `out` wants more, rejects if it fails first (a closed pipe). */
function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = () => {
      out.off('error', bad);
      resolve();
    };
    const bad = (err: Error) => {
      out.off('drain', ok);
      reject(err);
    };
    out.once('drain', ok);
    out.once('error', bad);
  });
}

/** Never leaves a half-written file under the destination's name. */
async function writeFileAtomically(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.uplink-partial`);
  try {
    await pipeline(chunks, createWriteStream(tmp));
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

function barListener(bar: ProgressBar | undefined): ProgressListener | undefined {
  if (!bar) return undefined;
  return (event: ProgressEvent) => {
    if (event.type === 'bytes') bar.update(event.done, event.total);
  };
}

function listeners(...all: (ProgressListener | undefined)[]): ProgressListener | undefined {
  const present = all.filter((l): l is ProgressListener => l !== undefined);
  if (present.length === 0) return undefined;
  return (event) => present.forEach((l) => l(event));
}
