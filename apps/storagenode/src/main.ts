/**
 * The `storagenode` command. `storagenode run` serves until SIGINT/SIGTERM; after its first check-in it
 * prints one line to stdout, `READY {"id":...,"address":...}`, which the testnet waits for. Logs go to stderr.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { splitHostPort } from '@dcsim/common/hostport';
import { runProgram, runService } from '@dcsim/process';
import { byteSize, duration, positiveNumber } from '@dcsim/process/options';
import { DEFAULT_CAPACITY_BYTES, DEFAULT_CHECKIN_INTERVAL_MS, DEFAULT_TRASH_RETENTION_MS } from './config.js';
import { DEFAULT_RETAIN_TIME_SKEW_MS } from './retain.js';
import { startStorageNode } from './node.js';

function hostPort(value: string): string {
  try {
    splitHostPort(value);
    return value;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

const program = new Command('storagenode').description('dcsim storage node: stores encrypted, erasure-coded pieces for one satellite');

interface RunOptions {
  dir: string;
  listen: string;
  satellite: string;
  externalAddress?: string;
  capacity: number;
  checkinInterval: number;
  trashRetention: number;
  retainTimeSkew: number;
  clockOffset: number;
}

program
  .command('run')
  .description('serve the Piecestore API and check in with the satellite')
  .requiredOption('--dir <path>', 'data dir (identity.key, node.db, pieces/); created on first run')
  .requiredOption('--listen <host:port>', 'address to serve on; port 0 picks a free one')
  .requiredOption('--satellite <id@host:port>', 'the satellite this node works for')
  .option('--external-address <host:port>', 'address to advertise to the satellite instead of the listen address (NAT, proxy)', hostPort)
  .option('--capacity <size>', 'most bytes of pieces to hold (e.g. 2147483648, 500MiB, 2GiB)', byteSize, DEFAULT_CAPACITY_BYTES)
  .option('--checkin-interval <seconds>', 'seconds between check-ins', positiveNumber, DEFAULT_CHECKIN_INTERVAL_MS / 1000)
  .option(
    '--trash-retention <duration>',
    'how long garbage-collected pieces stay in trash (e.g. 7d, 36h)',
    duration,
    DEFAULT_TRASH_RETENTION_MS,
  )
  .option(
    '--retain-time-skew <duration>',
    "garbage collection trashes only pieces stored this long before the filter's creation date",
    duration,
    DEFAULT_RETAIN_TIME_SKEW_MS,
  )
  .addOption(
    new Option('--clock-offset <duration>', "start with the node's clock this far ahead (the testnet's time advance)")
      .argParser(duration)
      .default(0)
      .hideHelp(),
  )
  .action((opts: RunOptions) =>
    runService('storagenode', async () => {
      const node = await startStorageNode({
        dir: opts.dir,
        listen: opts.listen,
        satelliteUrl: opts.satellite,
        externalAddress: opts.externalAddress,
        capacityBytes: opts.capacity,
        checkInIntervalMs: opts.checkinInterval * 1000,
        trashRetentionMs: opts.trashRetention,
        retainTimeSkewMs: opts.retainTimeSkew,
        clockOffsetMs: opts.clockOffset,
      });
      // Ready once the satellite knows the node: from then on it is selected and order limits verify.
      return { ready: node.ready.then(() => ({ id: node.id, address: node.address })), stop: () => node.close() };
    }),
  );

await runProgram('storagenode', program);
