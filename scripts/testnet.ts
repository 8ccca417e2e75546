/**
 * `testnet`: one command for a whole local network (1 satellite + N storage nodes, each its own process).
 *
 *   testnet start [--nodes N] [--dir D] [--scheme k/r/o/n] [--port-base P] [--passphrase S] [--detach]
 *   testnet status | stop | destroy [--dir D]
 *   testnet node stop|kill|start|corrupt <i> [--dir D]   (corrupt: [--piece ID | --all])
 *   testnet satellite audit [--json] [--dir D]
 *   testnet time advance <duration> [--dir D]
 *   testnet satellite chores | run <chore> | audit | repair | gc | tally | admin <command> [--dir D]
 *   testnet node chores <i> | run <chore> <i> | restore-trash <i> [--dir D]
 *   testnet node exit|remove <i> [--dir D], testnet node add [--dir D]   (nodes leaving and joining)
 *
 * The work is done by the modules in testnet/, which test/harness.ts (withTestnet) uses too.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runProgram } from '@dcsim/process';
import { duration, optionParser } from '@dcsim/process/options';
import { formatChores, listChores, runChore } from './testnet/chores.js';
import { satelliteAdmin, settleAndTally } from './testnet/accounting.js';
import { collectGarbage, formatGc, restoreTrash } from './testnet/gc.js';
import { parseRunner, RUNNERS, type Runner } from './testnet/apps.js';
import { DEFAULT_DIR, DEFAULT_NODES, DEFAULT_PORT_BASE, parseNodeCount, SCHEME_RULE } from './testnet/config.js';
import { superviseForeground } from './testnet/foreground.js';
import { corruptAllPieces, corruptNode, killNode, NodeCommandError, startNode, stopNode } from './testnet/node-commands.js';
import { addNode, exitNode, removeNode } from './testnet/node-membership.js';
import { auditNow, formatAudit } from './testnet/audit.js';
import { parsePortBase } from './testnet/ports.js';
import { repairNow } from './testnet/repair.js';
import { startTestnet } from './testnet/start.js';
import { formatStatus, testnetStatus } from './testnet/status.js';
import { destroyTestnet, stopTestnet, type StopReport } from './testnet/stop.js';
import { startedSummary } from './testnet/summary.js';
import { advanceTime, formatAdvanced } from './testnet/time.js';

const print = (line: string) => process.stdout.write(`${line}\n`);

const program = new Command('testnet')
  .description('start, inspect and stop a local dcsim network: 1 satellite and N storage nodes as separate processes')
  .showHelpAfterError();

const dirOption = () => new Option('--dir <dir>', 'testnet directory').default(DEFAULT_DIR);

program
  .command('start')
  .description('start a testnet (or restart the one in --dir) and print how to use it; Ctrl-C stops it')
  .addOption(dirOption())
  .option('--nodes <n>', `number of storage nodes (default ${DEFAULT_NODES}, or as last time in --dir)`, optionParser(parseNodeCount))
  .option('--scheme <k/r/o/n>', `redundancy: required/repair/optimal/total (default from the node count: ${SCHEME_RULE})`)
  .option(
    '--port-base <port>',
    `satellite at P, S3 gateway P+2, auth service P+3, node i at P+100+i; 0 = any free ports (default ${DEFAULT_PORT_BASE})`,
  )
  .option('--passphrase <text>', 'passphrase the access grant is derived from (default: a fixed one, for a local testnet only)')
  .option('--detach', 'return once the network is ready and leave it running (stop it with `testnet stop`)')
  .option('--no-gateway', 'do not run the S3 gateway and its auth service')
  .addOption(
    new Option('--runner <runner>', 'how to run the apps: bundle (fast start) or tsx (their bin scripts)')
      .choices(RUNNERS)
      .default('bundle'),
  )
  .addHelpText('after', '\nExample: testnet start --nodes 20 --dir /tmp/tn2 --port-base 18000 --detach')
  .action(async (opts) => {
    const nodes: number | undefined = opts.nodes;
    const portBase = opts.portBase === undefined ? undefined : parsePortBase(opts.portBase, nodes ?? DEFAULT_NODES);
    const dir = resolve(opts.dir);
    const runner: Runner = parseRunner(opts.runner);
    const detach = Boolean(opts.detach);
    const tty = process.stdout.isTTY;
    const started = await startTestnet({
      dir,
      nodes,
      scheme: opts.scheme,
      portBase,
      passphrase: opts.passphrase,
      gateway: opts.gateway !== false,
      runner,
      attached: !detach,
      ownerPid: detach ? null : process.pid,
      reaper: !detach,
      log: print,
      onNodeReady: (ready, total) => {
        if (tty) process.stdout.write(`\rnodes checked in: ${ready}/${total}${ready === total ? '\n' : ''}`);
        else if (ready === total) print(`nodes checked in: ${ready}/${total}`);
      },
    });
    print(startedSummary(started, detach, opts.passphrase !== undefined));
    if (detach || !started.reaper) process.exit(0);
    process.exit(await superviseForeground(started, started.reaper, print));
  });

program
  .command('status')
  .description(
    "show which processes of the testnet run (pids, addresses, node IDs) and the satellite's view of each node " +
      '(online, vetted, audit score, suspended or disqualified)',
  )
  .addOption(dirOption())
  .option('--json', 'print the status as JSON')
  .action(async (opts) => {
    const status = await testnetStatus(resolve(opts.dir));
    print(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
  });

program
  .command('stop')
  .description('stop every process of the testnet (SIGTERM, then SIGKILL after 5 s); data stays')
  .addOption(dirOption())
  .action(async (opts) => {
    print(stopReport(await stopTestnet(resolve(opts.dir))));
  });

program
  .command('destroy')
  .description('stop the testnet and delete its directory (identities, pieces, database, logs)')
  .addOption(dirOption())
  .action(async (opts) => {
    const dir = resolve(opts.dir);
    print(stopReport(await destroyTestnet(dir)));
    print(`deleted ${dir}`);
  });

const node = program
  .command('node')
  .description('fault injection (stop, kill, start or corrupt one storage node), nodes leaving and joining, and their chores');

node
  .command('stop')
  .description('stop storage node <i> (SIGTERM); its data stays')
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    print(`node-${i}: ${await stopNode(resolve(opts.dir), i)}`);
  });

node
  .command('kill')
  .description('kill storage node <i> (SIGKILL, as a crash: transfers in flight are cut off); its data stays')
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    await killNode(resolve(opts.dir), i);
    print(`node-${i}: killed`);
  });

node
  .command('start')
  .description('start storage node <i> again (same identity, port and pieces) and wait until it checked in')
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    const started = await startNode(resolve(opts.dir), i, { attached: false });
    print(`${started.name} running: pid ${started.pid}, ${started.address}, id ${started.id}`);
    process.exit(0);
  });

node
  .command('corrupt')
  .description('flip bytes in one piece file of storage node <i> (the largest, or --piece), or in every piece (--all); prints which')
  .argument('<i>', 'node index, from 0', index)
  .option('--piece <id>', 'piece ID (or its first characters) to corrupt')
  .option('--all', 'flip every byte of every piece the node stores')
  .addOption(dirOption())
  .action((i: number, opts) => {
    if (opts.all && opts.piece) throw new NodeCommandError('give --piece or --all, not both');
    const corrupted = opts.all ? corruptAllPieces(resolve(opts.dir), i) : [corruptNode(resolve(opts.dir), i, opts.piece)];
    for (const c of corrupted) print(`${c.node}: flipped ${c.bytes} bytes at offset ${c.offset} of piece ${c.pieceId} (${c.file})`);
  });

node
  .command('exit')
  .description('graceful exit of storage node <i>: it moves every piece to other nodes; waits until the satellite says it is done')
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    const exit = await exitNode(resolve(opts.dir), i);
    const outcome = exit.success ? 'exited' : 'exit FAILED (too many pieces could not be moved)';
    print(`node-${i}: ${outcome}: ${exit.piecesTransferred} piece(s) moved, ${exit.piecesFailed} left to repair`);
  });

node
  .command('remove')
  .description('remove storage node <i> for good: stop it and delete its data (its pieces are lost unless it exited first)')
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    const removed = await removeNode(resolve(opts.dir), i);
    print(`${removed.name}: removed (${removed.dir} deleted)`);
  });

node
  .command('add')
  .description('add a new storage node (the next index and port) and wait until it checked in')
  .addOption(dirOption())
  .action(async (opts) => {
    const added = await addNode(resolve(opts.dir), { attached: false });
    print(`${added.name} running: pid ${added.pid}, ${added.address}, id ${added.id}`);
    process.exit(0);
  });

node
  .command('chores')
  .description("list node <i>'s chores (background loops): interval, runs, last run, last error")
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    print(formatChores(`node-${i}`, await listChores(resolve(opts.dir), i)));
  });

node
  .command('run')
  .description("run node <i>'s chore <chore> now (e.g. check-in, expired-pieces) and wait until it finished")
  .argument('<chore>', 'chore name (see `testnet node chores <i>`)')
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (chore: string, i: number, opts) => {
    const run = await runChore(resolve(opts.dir), i, chore);
    print(`node-${i}: ran ${chore} in ${run.durationMs} ms`);
  });

node
  .command('restore-trash')
  .description("move every piece garbage collection put in node <i>'s trash back (Storj's RestoreTrash)")
  .argument('<i>', 'node index, from 0', index)
  .addOption(dirOption())
  .action(async (i: number, opts) => {
    print(`node-${i}: ${await restoreTrash(resolve(opts.dir), i)}`);
  });

const satellite = program
  .command('satellite')
  .description("the satellite's chores: list them, or run one now; audit every segment now; repair now; garbage collection now");

satellite
  .command('audit')
  .description("audit every segment now (one random stripe each) and print what each node's audits came to")
  .option('--json', 'print the round as JSON: every segment, stripe, piece outcome, and the first bytes of each share')
  .addOption(dirOption())
  .action(async (opts) => {
    const dir = resolve(opts.dir);
    const began = performance.now();
    const round = await auditNow(dir);
    print(opts.json ? JSON.stringify(round, null, 2) : formatAudit(dir, round, Math.round(performance.now() - began)));
  });

satellite
  .command('chores')
  .description("list the satellite's chores (background loops): interval, runs, last run, last error")
  .addOption(dirOption())
  .action(async (opts) => {
    print(formatChores('satellite', await listChores(resolve(opts.dir), 'satellite')));
  });

satellite
  .command('run')
  .description("run the satellite's chore <chore> now (e.g. cleanup, retired-objects, piece-deletion) and wait until it finished")
  .argument('<chore>', 'chore name (see `testnet satellite chores`)')
  .addOption(dirOption())
  .action(async (chore: string, opts) => {
    const run = await runChore(resolve(opts.dir), 'satellite', chore);
    print(`satellite: ran ${chore} in ${run.durationMs} ms`);
  });

satellite
  .command('repair')
  .description('ping every node, find every segment with too few healthy pieces, repair them all, wait until done; print what was repaired')
  .addOption(dirOption())
  .action(async (opts) => {
    print((await repairNow(resolve(opts.dir))).report);
  });

satellite
  .command('admin')
  .description("run `satellite admin <command> [args...]` on the testnet's satellite, with its project as --project by default")
  .argument('<command>', 'admin command: usage, set-limits, node-usage, list-projects, create-api-key...')
  .argument('[args...]', 'its arguments, e.g. --storage 4MB')
  .allowUnknownOption()
  .helpOption(false)
  .addOption(dirOption())
  .action(async (command: string, args: string[], opts) => {
    process.exitCode = await satelliteAdmin(resolve(opts.dir), command, args);
  });

satellite
  .command('tally')
  .description("make every node settle its orders now, then run the satellite's tally (see `testnet satellite admin usage`)")
  .addOption(dirOption())
  .action(async (opts) => {
    const report = await settleAndTally(resolve(opts.dir));
    print(`settled the orders of ${report.settled.length} node(s); satellite: ran tally in ${report.tallyMs} ms`);
  });

satellite
  .command('gc')
  .description('garbage collection now: send every node a bloom filter of the pieces to keep, wait until each applied it')
  .addOption(dirOption())
  .action(async (opts) => {
    print(formatGc(await collectGarbage(resolve(opts.dir))));
  });

const time = program.command('time').description("the testnet's clock: move it forward and see what time does, without waiting");

time
  .command('advance')
  .description('move the clock of every process forward by <duration> (8d, 25h, 90m) and wait until each has run its chores')
  .argument('<duration>', 'how far: a number and a unit (d, h, m, s, ms), e.g. 8d, 25h, 1h30m', duration)
  .addOption(dirOption())
  .action(async (ms: number, opts) => {
    const advanced = await advanceTime(resolve(opts.dir), ms);
    print(formatAdvanced(ms, advanced));
    if (advanced.failures.length > 0) process.exitCode = 1;
  });

function stopReport(report: StopReport): string {
  const lines = report.stopped.map((s) => `${s.name} (pid ${s.pid}): ${s.outcome}`);
  if (report.owner !== null) lines.unshift(`asked the foreground testnet (pid ${report.owner}) to stop its processes`);
  return lines.length === 0 ? 'nothing was running' : lines.join('\n');
}

function index(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a node index (0, 1, 2...)');
  return n;
}

await runProgram('testnet', program);
