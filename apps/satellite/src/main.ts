/**
 * The `satellite` command line:
 *   satellite run --dir D --listen HOST:PORT [policy flags]
 *   satellite admin create-project | create-api-key | delete-api-key | list-projects | list-nodes
 * `run` prints exactly one line to stdout when it serves (`READY {...}`); logs go to stderr.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseScheme } from '@dcsim/erasure';
import { guardProcess } from '@dcsim/process';
import * as admin from './admin.js';
import { DEFAULTS, makeConfig } from './config.js';
import { startSatellite } from './index.js';
import { stderrLogger } from './log.js';

// `run` serves many clients; the admin commands each do one thing (see @dcsim/process for what that changes).
guardProcess('satellite', process.argv[2] === 'run' ? 'service' : 'command');

const program = new Command('satellite').description('dcsim satellite: metadata, API keys, node selection and order limits');

program
  .command('run')
  .description('serve the Metainfo and Contact APIs')
  .requiredOption('--dir <dir>', 'data dir (identity.key, satellite.db)')
  .requiredOption('--listen <host:port>', 'address to serve on; port 0 picks a free one')
  .option('--scheme <k/r/o/n>', 'redundancy: required/repair/optimal/total', DEFAULTS.scheme)
  .option('--share-size <bytes>', 'erasure share size', integer, DEFAULTS.shareSize)
  .option('--new-node-fraction <f>', 'fraction of each segment placed on new (unvetted) nodes', fraction, DEFAULTS.newNodeFraction)
  .option('--node-online-window <seconds>', 'a node is online if it checked in this recently', positive, DEFAULTS.nodeOnlineWindowMs / 1000)
  .option('--vetting-piece-count <n>', 'committed pieces after which a node counts as vetted', integer, DEFAULTS.vettingPieceCount)
  .option('--inline-threshold <bytes>', 'largest encrypted segment stored inline', integer, DEFAULTS.inlineThreshold)
  .option('--max-segment-size <bytes>', 'largest segment an uplink may upload', integer, DEFAULTS.maxSegmentSize)
  .addOption(new Option('--deletion-interval <seconds>', 'how often queued piece deletions are sent').argParser(positive).default(2).hideHelp())
  .option(
    '--retired-grace <seconds>',
    'how long a replaced or deleted object stays readable for reads already under way, before its pieces are deleted',
    nonNegative,
    DEFAULTS.retiredGraceMs / 1000,
  )
  .action(async (opts) => {
    const log = stderrLogger();
    const config = makeConfig({
      dir: opts.dir,
      listen: opts.listen,
      scheme: parseScheme(opts.scheme, opts.shareSize),
      newNodeFraction: opts.newNodeFraction,
      nodeOnlineWindowMs: opts.nodeOnlineWindow * 1000,
      vettingPieceCount: opts.vettingPieceCount,
      inlineThreshold: opts.inlineThreshold,
      maxSegmentSize: opts.maxSegmentSize,
      deletionIntervalMs: opts.deletionInterval * 1000,
      retiredGraceMs: opts.retiredGrace * 1000,
      log,
    });
    const satellite = await startSatellite(config);
    process.stdout.write(`READY ${JSON.stringify({ id: satellite.id, address: satellite.address, url: satellite.url })}\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      satellite.stop().then(
        () => process.exit(0),
        (err) => {
          log(`error while stopping: ${err instanceof Error ? err.message : String(err)}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

const adminCmd = program.command('admin').description('manage projects and API keys in the satellite database');

adminCmd
  .command('create-project')
  .description('create a project; prints {"projectId","name",...}')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .requiredOption('--name <name>', 'project name')
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.createProject(db, opts.name))));

adminCmd
  .command('create-api-key')
  .description('create an unrestricted API key for a project; prints {"apiKey",...}')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .requiredOption('--project <uuid>', 'project ID')
  .option('--name <name>', 'key name', 'default')
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.createApiKey(db, opts.project, opts.name))));

adminCmd
  .command('delete-api-key')
  .description('delete an API key (by --id or --api-key); keys derived from it stop working too')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .option('--id <uuid>', 'API key ID (from list-projects)')
  .option('--api-key <key>', 'the API key itself')
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.deleteApiKey(db, { id: opts.id, apiKey: opts.apiKey }))));

adminCmd
  .command('list-projects')
  .description('list projects and their API keys (names and IDs, never secrets)')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.listProjects(db))));

adminCmd
  .command('list-nodes')
  .description('list the storage nodes that checked in')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .option('--node-online-window <seconds>', 'online window to judge by', positive, DEFAULTS.nodeOnlineWindowMs / 1000)
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.listNodes(db, opts.nodeOnlineWindow * 1000))));

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function integer(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function nonNegative(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number, zero or more');
  return n;
}

function fraction(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`satellite: error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
