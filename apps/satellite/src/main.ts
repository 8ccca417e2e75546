/**
 * The `satellite` command line:
 *   satellite run --dir D --listen HOST:PORT [policy flags]
 *   satellite admin create-project | create-api-key | delete-api-key | list-projects | list-nodes | set-limits | usage | node-usage
 * `run` prints exactly one line to stdout when it serves (`READY {...}`); logs go to stderr.
 */
import { Command, Option } from 'commander';
import { parseScheme } from '@dcsim/erasure';
import { runProgram, runService } from '@dcsim/process';
import { byteSize, duration, fraction, integer, nonNegativeNumber, optionParser, positiveNumber } from '@dcsim/process/options';
import { parseByteSize } from '@dcsim/common/size';
import * as admin from './admin.js';
import { AUDIT_DEFAULTS, DEFAULTS, makeConfig, REPUTATION_DEFAULTS, REPUTATION_PRODUCTION } from './config.js';
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
    '--audit-interval <seconds>',
    'how often the audit chore audits a few segments (0: only when run)',
    nonNegativeNumber,
    AUDIT_DEFAULTS.intervalMs / 1000,
  )
  .option('--audit-segments-per-run <n>', 'segments each audit run audits', integer, AUDIT_DEFAULTS.segmentsPerRun)
  .option('--audit-concurrency <n>', 'segments audited at once', integer, AUDIT_DEFAULTS.concurrency)
  .option(
    '--audit-timeout <seconds>',
    'how long a node may take to send an audited share or piece (Storj: 15)',
    positiveNumber,
    AUDIT_DEFAULTS.timeoutMs / 1000,
  )
  .option(
    '--reverify-interval <seconds>',
    'how often due reverifications run (0: only when run)',
    nonNegativeNumber,
    AUDIT_DEFAULTS.reverifyIntervalMs / 1000,
  )
  .option(
    '--reverify-retry <seconds>',
    'how long after an attempt a contained node is reverified again (Storj: 6 h)',
    nonNegativeNumber,
    AUDIT_DEFAULTS.reverifyRetryMs / 1000,
  )
  .option(
    '--reverify-max-count <n>',
    'timeouts in a row after which a contained node fails the audit',
    integer,
    AUDIT_DEFAULTS.maxReverifyCount,
  )
  .addOption(
    new Option(
      '--reputation <preset>',
      "reputation values: testnet (3 failed audits in a row disqualify) or production (Storj's release values)",
    )
      .choices(['testnet', 'production'])
      .default('testnet'),
  )
  .option('--reputation-audit-lambda <f>', 'memory of the audit score (testnet 0.985, production 0.999)', fraction)
  .option('--reputation-audit-dq <f>', 'disqualify at or below this audit score (0.96)', fraction)
  .option('--reputation-unknown-lambda <f>', 'memory of the unknown-audit score (0.95)', fraction)
  .option('--reputation-unknown-dq <f>', 'suspend at or below this unknown-audit score (0.6)', fraction)
  .option(
    '--reputation-suspension-grace <duration>',
    'suspended this long, a node is disqualified (testnet 1h; production never)',
    duration,
  )
  .option('--vetting-audit-count <n>', 'successful audits after which a new node counts as vetted (testnet 2, production 100)', integer)
  .option(
    '--repair-checker-interval <seconds>',
    'how often the repair checker looks for segments to repair (0: only when run, e.g. by testnet satellite repair)',
    nonNegativeNumber,
    DEFAULTS.repairCheckerIntervalMs / 1000,
  )
  .option(
    '--repairer-interval <seconds>',
    'how often the repairer works through its queue (0: only when run)',
    nonNegativeNumber,
    DEFAULTS.repairerIntervalMs / 1000,
  )
  .option('--repair-declumping', 'count pieces sharing a /24 with another piece of the segment as unhealthy (off: one machine is one /24)')
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
            audit: {
              intervalMs: opts.auditInterval * 1000,
              segmentsPerRun: opts.auditSegmentsPerRun,
              concurrency: opts.auditConcurrency,
              timeoutMs: opts.auditTimeout * 1000,
              reverifyIntervalMs: opts.reverifyInterval * 1000,
              reverifyRetryMs: opts.reverifyRetry * 1000,
              maxReverifyCount: opts.reverifyMaxCount,
            },
            reputation: {
              ...(opts.reputation === 'production' ? REPUTATION_PRODUCTION : REPUTATION_DEFAULTS),
              auditLambda: opts.reputationAuditLambda,
              auditDq: opts.reputationAuditDq,
              unknownLambda: opts.reputationUnknownLambda,
              unknownDq: opts.reputationUnknownDq,
              suspensionGraceMs: opts.reputationSuspensionGrace,
              vettingAuditCount: opts.vettingAuditCount,
            },
            inlineThreshold: opts.inlineThreshold,
            maxSegmentSize: opts.maxSegmentSize,
            deletionIntervalMs: opts.deletionInterval * 1000,
            retiredGraceMs: opts.retiredGrace * 1000,
            repairCheckerIntervalMs: Math.round(opts.repairCheckerInterval * 1000),
            repairerIntervalMs: Math.round(opts.repairerInterval * 1000),
            repairDeclumping: opts.repairDeclumping === true,
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

adminCmd
  .command('set-limits')
  .description('set a project\'s limits (others unchanged; "unlimited" removes one); prints {"projectId","limits"}')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .requiredOption('--project <uuid>', 'project ID')
  .option('--storage <size>', 'stored bytes (encrypted, before erasure coding), e.g. 4MB, 1GiB', limitOf(parseByteSize))
  .option('--egress <size>', 'download bandwidth per month (allocated, as Storj counts it)', limitOf(parseByteSize))
  .option('--segments <n>', 'segments stored', limitOf(integer))
  .option('--buckets <n>', 'buckets ("unlimited": the default, 100)', limitOf(integer))
  .option('--rate <n>', 'Metainfo requests per second', limitOf(integer))
  .action((opts) =>
    print(
      admin.withDatabase(opts.dir, (db) =>
        admin.setLimits(db, opts.project, {
          storageBytes: limitValue(opts.storage),
          egressBytes: limitValue(opts.egress),
          segments: limitValue(opts.segments),
          buckets: limitValue(opts.buckets),
          rate: limitValue(opts.rate),
        }),
      ),
    ),
  );

adminCmd
  .command('usage')
  .description('what a project stores and moved, its limits and latest tally, as JSON (storageBytes, egressBytes, ingressBytes...)')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .requiredOption('--project <uuid>', 'project ID')
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.usage(db, opts.project, Date.now()))));

adminCmd
  .command('node-usage')
  .description('what each storage node settled, per action, and the bytes it should hold at the latest tally')
  .requiredOption('--dir <dir>', 'satellite data dir')
  .action((opts) => print(admin.withDatabase(opts.dir, (db) => admin.nodeUsage(db))));

/** A limit's option parser: "unlimited", or a number parsed by `parse`. */
function limitOf(parse: (text: string) => number): (text: string) => number | 'unlimited' {
  return optionParser((text) => (text.trim().toLowerCase() === 'unlimited' ? 'unlimited' : parse(text)));
}

/** Not given: unchanged (undefined); "unlimited": null. (Commander turns a parser's null into '', hence the word.) */
function limitValue(value: number | 'unlimited' | undefined): number | null | undefined {
  return value === 'unlimited' ? null : value;
}

/** An option for the testnet and tests, left out of --help. */
function hidden<T>(flags: string, description: string, parse: (text: string) => T, defaultValue: T): Option {
  return new Option(flags, description).argParser(parse).default(defaultValue).hideHelp();
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

await runProgram('satellite', program);
