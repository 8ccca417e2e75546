/**
 * The `satellite` command line:
 *   satellite run --dir D --listen HOST:PORT [policy flags]
 *   satellite admin create-project | create-api-key | delete-api-key | list-projects | list-nodes
 * `run` prints exactly one line to stdout when it serves (`READY {...}`); logs go to stderr.
 */
import { Command, Option } from 'commander';
import { parseScheme } from '@dcsim/erasure';
import { runProgram, runService } from '@dcsim/process';
import { byteSize, duration, fraction, integer, nonNegativeNumber, positiveNumber } from '@dcsim/process/options';
import * as admin from './admin.js';
import { DEFAULTS, makeConfig } from './config.js';
import { startSatellite } from './index.js';
import { stderrLogger } from './log.js';

const log = stderrLogger();
const program = new Command('satellite').description('dcsim satellite: metadata, API keys, node selection and order limits');

program
  .command('run')
  .description('serve the Metainfo and Contact APIs')
  .requiredOption('--dir <dir>', 'data dir (identity.key, satellite.db)')
  .requiredOption('--listen <host:port>', 'address to serve on; port 0 picks a free one')
  .option('--scheme <k/r/o/n>', 'redundancy: required/repair/optimal/total', DEFAULTS.scheme)
  .option('--share-size <bytes>', 'erasure share size', integer, DEFAULTS.shareSize)
  .option('--new-node-fraction <f>', 'fraction of each segment placed on new (unvetted) nodes', fraction, DEFAULTS.newNodeFraction)
  .option(
    '--node-online-window <seconds>',
    'a node is online if it checked in this recently',
    positiveNumber,
    DEFAULTS.nodeOnlineWindowMs / 1000,
  )
  .option('--vetting-piece-count <n>', 'committed pieces after which a node counts as vetted', integer, DEFAULTS.vettingPieceCount)
  .option('--inline-threshold <bytes>', 'largest encrypted segment stored inline', integer, DEFAULTS.inlineThreshold)
  .option('--max-segment-size <size>', 'largest segment an uplink may upload (bytes, or e.g. 64MiB)', byteSize, DEFAULTS.maxSegmentSize)
  .addOption(hidden('--deletion-interval <seconds>', 'how often queued piece deletions are sent', positiveNumber, 2))
  .option(
    '--retired-grace <seconds>',
    'how long a replaced or deleted object stays readable for reads already under way, before its pieces are deleted',
    nonNegativeNumber,
    DEFAULTS.retiredGraceMs / 1000,
  )
  .option(
    '--gc-interval <duration>',
    'how often to send every node a bloom filter of the pieces it should keep (e.g. 1h; 0s: only when asked, the default)',
    duration,
    DEFAULTS.gcIntervalMs,
  )
  .addOption(hidden('--clock-offset <duration>', "start with the clock this far ahead (the testnet's time advance)", duration, 0))
  .action((opts) =>
    runService(
      'satellite',
      async () => {
        const satellite = await startSatellite(
          makeConfig({
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
            gcIntervalMs: opts.gcInterval,
            clockOffsetMs: opts.clockOffset,
            log,
          }),
        );
        return { ready: { id: satellite.id, address: satellite.address, url: satellite.url }, stop: () => satellite.stop() };
      },
      { log },
    ),
  );

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
  .description("list the storage nodes that checked in (judged by real time: this command does not share a running satellite's clock)")
  .requiredOption('--dir <dir>', 'satellite data dir')
  .option('--node-online-window <seconds>', 'online window to judge by', positiveNumber, DEFAULTS.nodeOnlineWindowMs / 1000)
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.listNodes(db, opts.nodeOnlineWindow * 1000, Date.now()))));

/** An option for the testnet and tests, left out of --help. */
function hidden<T>(flags: string, description: string, parse: (text: string) => T, defaultValue: T): Option {
  return new Option(flags, description).argParser(parse).default(defaultValue).hideHelp();
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

await runProgram('satellite', program);
