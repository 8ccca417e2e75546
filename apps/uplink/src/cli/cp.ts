/**
 * `uplink cp SOURCE DESTINATION`: local file or stdin (`-`) → sj://, sj:// → local file or stdout (`-`), or
 * sj:// → sj://; `--recursive` for directories and prefixes. Everything is encrypted and erasure coded on
 * this machine before it leaves (see the library); `--explain` shows what the satellite and nodes got.
 */
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import {
  CorruptDataError,
  NotEnoughNodesError,
  NotEnoughPiecesError,
  PieceError,
  SatelliteError,
  type Project,
  type UploadReport,
} from '../index.js';
import { parseRange, type ByteRange } from './byte-range.js';
import { CliError, action } from './errors.js';
import { explainUpload } from './explain.js';
import { parseHumanDate } from './human-date.js';
import { progressBar } from './progress-bar.js';
import { withProject } from './project.js';
import { baseName, formatLocation, parentPrefix, parseLocation, type Location } from './sj-url.js';
import { copyObject, download, upload } from './transfer.js';

interface CpOptions {
  recursive?: boolean;
  range?: string;
  progress?: boolean;
  expires?: string;
  metadata?: string;
  explain?: boolean;
}

/** What every single-object copy of one cp run shares. */
interface CopySettings {
  range?: ByteRange;
  expires?: Date;
  metadata?: Record<string, string>;
  progress: boolean;
  explain: boolean;
}

type Remote = Extract<Location, { kind: 'remote' }>;

export function register(program: Command): void {
  program
    .command('cp')
    .description('copy a file to or from the network: local or - (stdin) → sj://, sj:// → local or - (stdout), or sj:// → sj://')
    .argument('<source>', 'local path, sj://BUCKET/KEY, or - for standard input')
    .argument('<destination>', 'local path, sj://BUCKET/KEY (ending in / keeps the source name), or - for standard output')
    .option('-r, --recursive', 'copy a local directory, or every object under an sj:// prefix')
    .option('--range <bytes=START-END>', 'copy only these bytes (HTTP style, inclusive: bytes=0-99, bytes=100-, bytes=-100)')
    .option('--progress', 'show a progress bar on stderr when it is a terminal (default)')
    .option('--no-progress', 'no progress bar')
    .option('--expires <time>', "the satellite deletes the object after this time (e.g. '+2h', '2030-01-02T15:04:05Z')")
    .option('--metadata <json>', 'user metadata, stored encrypted: a JSON object of strings, e.g. \'{"color":"blue"}\'')
    .option('--explain', 'print what the network saw: the encrypted key, the redundancy scheme, which node got (or served) which piece')
    .action(
      action(async (sourceText: string, destText: string, opts: CpOptions, cmd: Command) => {
        const source = parseLocation(sourceText);
        const dest = parseLocation(destText);
        if (source.kind !== 'remote' && dest.kind !== 'remote') throw new CliError('at least one location must be a remote sj:// location');
        const settings: CopySettings = {
          range: opts.range !== undefined ? parseRange(opts.range) : undefined,
          expires: opts.expires !== undefined ? parseHumanDate(opts.expires) : undefined,
          metadata: opts.metadata !== undefined ? parseMetadata(opts.metadata) : undefined,
          progress: opts.progress !== false,
          explain: opts.explain ?? false,
        };
        if (opts.recursive) {
          if (settings.range) throw new CliError('cannot copy recursively with a byte range');
          if (source.kind === 'std' || dest.kind === 'std') throw new CliError('cannot copy recursively from stdin or to stdout');
          await withProject(cmd, (project) => copyRecursive(project, source, dest, settings));
          return;
        }
        const target = resolveDestination(source, dest);
        if (target.kind !== 'std') process.stdout.write(`${verb(source, target)} ${formatLocation(source)} to ${formatLocation(target)}\n`);
        await withProject(cmd, (project) => copyOne(project, source, target, settings));
      }),
    );
}

/** A destination that is a directory (an existing one, or one ending in '/') gets the source's name. */
function resolveDestination(source: Location, dest: Location): Location {
  if (source.kind === 'local' && isDirectory(source.path)) throw new CliError(`${source.path} is a directory: use --recursive`);
  if (source.kind === 'remote' && (source.key === '' || source.key.endsWith('/'))) {
    throw new CliError(`${formatLocation(source)} names no object (use --recursive to copy a prefix)`);
  }
  if (source.kind === 'std') {
    if (dest.kind === 'remote' && (dest.key === '' || dest.key.endsWith('/')))
      throw new CliError(`${formatLocation(dest)} needs an object key when copying from stdin`);
    return dest;
  }
  const name = baseName(source.kind === 'local' ? source.path : source.key);
  if (dest.kind === 'remote' && (dest.key === '' || dest.key.endsWith('/'))) return { ...dest, key: dest.key + name };
  if (dest.kind === 'local' && (/[/\\]$/.test(dest.path) || isDirectory(dest.path))) return { kind: 'local', path: join(dest.path, name) };
  return dest;
}

function verb(source: Location, dest: Location): string {
  return dest.kind === 'remote' ? 'upload' : source.kind === 'remote' ? 'download' : 'copy';
}

async function copyOne(project: Project, source: Location, dest: Location, settings: CopySettings): Promise<void> {
  const name = formatLocation(source.kind === 'remote' && dest.kind !== 'std' ? dest : source);
  const bar = progressBar(name, settings.progress && dest.kind !== 'std');
  // The explanation goes to stdout, unless stdout carries the object's bytes.
  const explainTo = dest.kind === 'std' ? process.stderr : process.stdout;
  let report: UploadReport | undefined;
  let explanation: string | undefined;
  let done = false;
  try {
    if (dest.kind === 'remote') {
      const uploadSettings = { metadata: settings.metadata, expires: settings.expires, bar };
      if (source.kind === 'remote') {
        if (settings.range) throw new CliError('--range is not supported for sj:// to sj:// copies');
        report = await copyObject(project, source, dest, uploadSettings);
      } else {
        report = await upload(project, source.kind === 'local' ? source.path : undefined, dest.bucket, dest.key, {
          ...uploadSettings,
          range: settings.range,
        });
      }
      if (settings.explain) explanation = explainUpload(report);
    } else if (source.kind === 'remote') {
      const target = dest.kind === 'std' ? 'stdout' : { path: dest.path };
      const result = await download(project, source.bucket, source.key, target, { range: settings.range, bar, explain: settings.explain });
      explanation = result.explanation;
    }
    done = true;
  } catch (err) {
    throw nameTheObject(err, source, dest);
  } finally {
    bar?.finish(done);
  }
  if (explanation) explainTo.write(explanation);
}

/**
 * Errors about the network rather than the object (too few nodes or pieces, a satellite failure, corrupt
 * data) do not say which object they hit; the line the user sees should.
 */
function nameTheObject(err: unknown, source: Location, dest: Location): unknown {
  const anonymous = [NotEnoughNodesError, NotEnoughPiecesError, SatelliteError, CorruptDataError, PieceError];
  if (!anonymous.some((type) => err instanceof type)) return err;
  const object = formatLocation(dest.kind === 'remote' ? dest : source);
  return new CliError(`${object}: ${(err as Error).message}`);
}

async function copyRecursive(project: Project, source: Location, dest: Location, settings: CopySettings): Promise<void> {
  const ops = source.kind === 'local' ? await localOps(source.path, dest) : await remoteOps(project, source as Remote, dest);
  const verbing = `${verb(source, dest)}ing`;
  process.stdout.write(`${verbing} ${ops.length} files...\n`);
  let failed = 0;
  for (const [i, op] of ops.entries()) {
    const what = `${verb(op.source, op.dest)} ${formatLocation(op.source)} to ${formatLocation(op.dest)}`;
    process.stdout.write(`${what} (${i + 1} of ${ops.length})\n`);
    try {
      if (op.error) throw new CliError(op.error);
      await copyOne(project, op.source, op.dest, settings);
    } catch (err) {
      failed++;
      process.stderr.write(`${what} failed: ${(err as Error).message}\n`);
    }
  }
  if (failed > 0) throw new CliError(`recursive ${verb(source, dest)} failed (${failed} of ${ops.length})`);
}

interface CopyOp {
  source: Location;
  dest: Location;
  /** Why this one cannot be copied (it is reported, the others still are). */
  error?: string;
}

/** Every regular file under `dir`, to the destination prefix plus its path relative to `dir`. */
async function localOps(dir: string, dest: Location): Promise<CopyOp[]> {
  if (!isDirectory(dir)) throw new CliError(`${dir} is not a directory`);
  if (dest.kind !== 'remote') throw new CliError('a local directory can only be copied to sj://');
  const prefix = dest.key === '' || dest.key.endsWith('/') ? dest.key : `${dest.key}/`;
  const files = await walk(dir);
  return files.map((file) => ({
    source: { kind: 'local', path: file },
    dest: { kind: 'remote', bucket: dest.bucket, key: prefix + relative(dir, file).split(sep).join('/') },
  }));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * Every object under an sj:// prefix. Names are taken relative to the prefix's last '/' (`sj://b/photos/`
 * copies what is inside photos/, `sj://b/photos` copies photos/ itself), as Storj's uplink does.
 */
async function remoteOps(project: Project, source: Remote, dest: Location): Promise<CopyOp[]> {
  const parent = parentPrefix(source.key);
  const ops: CopyOp[] = [];
  for await (const item of project.list(source.bucket, { prefix: parent, recursive: true })) {
    if (item.isPrefix || !item.key.startsWith(source.key)) continue;
    const rel = item.key.slice(parent.length);
    const from: Location = { kind: 'remote', bucket: source.bucket, key: item.key };
    if (dest.kind === 'remote') {
      const prefix = dest.key === '' || dest.key.endsWith('/') ? dest.key : `${dest.key}/`;
      ops.push({ source: from, dest: { kind: 'remote', bucket: dest.bucket, key: prefix + rel } });
    } else if (dest.kind === 'local') {
      try {
        ops.push({ source: from, dest: { kind: 'local', path: localPathFor(dest.path, rel) } });
      } catch (err) {
        ops.push({ source: from, dest, error: (err as Error).message });
      }
    }
  }
  return ops;
}

/**
 * Where an object lands under a local directory. Keys are chosen by whoever uploaded them: one with `..`
 * or empty components would escape the directory, so it is refused rather than written.
 */
export function localPathFor(dir: string, rel: string): string {
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
    throw new CliError(`object key ${JSON.stringify(rel)} cannot be a local file name (empty, "." or ".." components)`);
  }
  return join(dir, ...parts);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function parseMetadata(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new CliError(`--metadata must be a JSON object of string values, e.g. '{"color":"blue"}'`);
  }
  return value as Record<string, string>;
}
