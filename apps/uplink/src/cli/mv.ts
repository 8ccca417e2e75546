/**
 * `uplink mv sj://SRC sj://DST`: move objects within the project. Storj's satellite moves an object
 * server-side (re-encrypting only its keys); dcsim's has no move, so this downloads, uploads under the new
 * key (metadata and expiry kept), and deletes the source only once the new object is committed: slower,
 * never lossy.
 */
import type { Command } from 'commander';
import type { Project } from '../index.js';
import { CliError, action } from './errors.js';
import { progressBar } from './progress-bar.js';
import { withProject } from './project.js';
import { baseName, parentPrefix, parseLocation, sjUrl, type SjUrl } from './sj-url.js';
import { copyObject } from './transfer.js';

export function register(program: Command): void {
  program
    .command('mv')
    .description('move (rename) objects within the project: sj:// to sj:// (done as download + upload + delete)')
    .argument('<source>', 'sj://BUCKET/KEY, or sj://BUCKET/PREFIX/ with --recursive')
    .argument('<destination>', 'sj://BUCKET/KEY (ending in / keeps the source name), or sj://BUCKET/PREFIX/ with --recursive')
    .option('-r, --recursive', 'move every object under the source prefix (both locations must end with "/")')
    .option('--progress', 'show a progress bar on stderr when it is a terminal (default)')
    .option('--no-progress', 'no progress bar')
    .action(
      action(async (sourceText: string, destText: string, opts: { recursive?: boolean; progress?: boolean }, cmd: Command) => {
        const source = parseLocation(sourceText);
        const dest = parseLocation(destText);
        if (source.kind !== 'remote' || dest.kind !== 'remote')
          throw new CliError('mv moves objects within the project: both locations must be sj://');
        if (sourceText === destText) throw new CliError('source and destination are the same');
        const progress = opts.progress !== false;
        await withProject(cmd, async (project) => {
          if (!opts.recursive) {
            if (!source.key || source.key.endsWith('/'))
              throw new CliError(`${sourceText} names no object (use --recursive to move a prefix)`);
            const target = dest.key === '' || dest.key.endsWith('/') ? { ...dest, key: dest.key + baseName(source.key) } : dest;
            await moveOne(project, source, target, progress);
            return;
          }
          for (const loc of [source, dest]) {
            if (loc.key !== '' && !loc.key.endsWith('/')) throw new CliError('with --recursive, source and destination must end with "/"');
          }
          await moveRecursive(project, source, dest, progress);
        });
      }),
    );
}

async function moveOne(project: Project, from: SjUrl, to: SjUrl, progress: boolean): Promise<void> {
  process.stdout.write(`Move ${sjUrl(from.bucket, from.key)} to ${sjUrl(to.bucket, to.key)}\n`);
  const bar = progressBar(sjUrl(to.bucket, to.key), progress);
  let done = false;
  try {
    await copyObject(project, from, to, { bar });
    done = true;
  } finally {
    bar?.finish(done);
  }
  await project.delete(from.bucket, from.key);
}

async function moveRecursive(project: Project, from: SjUrl, to: SjUrl, progress: boolean): Promise<void> {
  const keys: string[] = [];
  for await (const item of project.list(from.bucket, { prefix: parentPrefix(from.key), recursive: true })) {
    if (!item.isPrefix && item.key.startsWith(from.key)) keys.push(item.key);
  }
  let failed = 0;
  for (const key of keys) {
    const target = { bucket: to.bucket, key: to.key + key.slice(from.key.length) };
    if (target.bucket === from.bucket && target.key === key) continue;
    try {
      await moveOne(project, { bucket: from.bucket, key }, target, progress);
    } catch (err) {
      failed++;
      process.stderr.write(`Move failed: ${sjUrl(from.bucket, key)}: ${(err as Error).message}\n`);
    }
  }
  if (failed > 0) throw new CliError(`${failed} of ${keys.length} objects could not be moved`);
}
