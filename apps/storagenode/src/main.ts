/**
 * The `storagenode` command. `storagenode run` serves until SIGINT/SIGTERM; after its first check-in it
 * prints one line to stdout, `READY {"id":...,"address":...}`, which the testnet waits for. Logs go to stderr.
 */
import { Command, InvalidArgumentError } from 'commander';
import { splitHostPort } from '@dcsim/common/hostport';
import { guardProcess } from '@dcsim/process';
import { DEFAULT_CAPACITY_BYTES, DEFAULT_CHECKIN_INTERVAL_MS, parseByteSize } from './config.js';
import { startStorageNode } from './node.js';

guardProcess('storagenode', 'service');

function byteSize(value: string): number {
  try {
    return parseByteSize(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function hostPort(value: string): string {
  try {
    splitHostPort(value);
    return value;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a positive number of seconds`);
  return n;
}

const program = new Command('storagenode').description('dcsim storage node: stores encrypted, erasure-coded pieces for one satellite');

program
  .command('run')
  .description('serve the Piecestore API and check in with the satellite')
  .requiredOption('--dir <path>', 'data dir (identity.key, node.db, pieces/); created on first run')
  .requiredOption('--listen <host:port>', 'address to serve on; port 0 picks a free one')
  .requiredOption('--satellite <id@host:port>', 'the satellite this node works for')
  .option('--external-address <host:port>', 'address to advertise to the satellite instead of the listen address (NAT, proxy)', hostPort)
  .option('--capacity <bytes>', 'most bytes of pieces to hold (e.g. 2147483648, 500MiB, 2GiB)', byteSize, DEFAULT_CAPACITY_BYTES)
  .option('--checkin-interval <seconds>', 'seconds between check-ins', seconds, DEFAULT_CHECKIN_INTERVAL_MS / 1000)
  .action(async (opts: { dir: string; listen: string; satellite: string; externalAddress?: string; capacity: number; checkinInterval: number }) => {
    const node = await startStorageNode({
      dir: opts.dir,
      listen: opts.listen,
      satelliteUrl: opts.satellite,
      externalAddress: opts.externalAddress,
      capacityBytes: opts.capacity,
      checkInIntervalMs: opts.checkinInterval * 1000,
    });
    const stop = () => {
      node.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await node.ready;
    } catch {
      return; // stopped before the first check-in
    }
    process.stdout.write(`READY ${JSON.stringify({ id: node.id, address: node.address })}\n`);
  });

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`storagenode: ${err.message}\n`);
  process.exit(1);
});
