/**
 * Nodes joining and leaving a running testnet (issue 14's churn):
 * - `node exit <i>`: graceful exit. Runs node i's `graceful-exit` chore through its admin socket: the node asks the
 *   satellite to leave, moves every piece to the new nodes the satellite names, and the run returns once the
 *   satellite says the exit is complete (what it returns: pieces moved, pieces left to repair).
 * - `node remove <i>`: gone for good. Stops the node (if it runs), deletes its data dir and marks it removed in
 *   state.json; the index is never reused. Its pieces are lost to the network unless it exited first.
 * - `node add`: a new node joins with the next index and port (flags like node 0's), started and checked in.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { layout, nodeName } from './layout.js';
import { runChore } from './chores.js';
import { NodeCommandError, nodeOf, startNode, type StartNodeOptions } from './node-commands.js';
import { assertPortsFree, parsePortBase, planPorts } from './ports.js';
import { stopProcess } from './processes.js';
import { readState, updateState, type NodeState } from './state.js';
import { isRunning } from './status.js';

/** What the node's `graceful-exit` chore returns (apps/storagenode/src/graceful-exit.ts ExitSummary). */
export interface ExitSummary {
  satelliteId: string;
  success: boolean;
  piecesTransferred: number;
  piecesFailed: number;
  movedThisRun: number;
}

/** Gracefully exits node `index` and waits until the satellite says the exit is complete. */
export async function exitNode(dir: string, index: number): Promise<ExitSummary> {
  nodeOf(readState(dir), index);
  const run = await runChore(dir, index, 'graceful-exit');
  return JSON.parse(run.result) as ExitSummary;
}

/** Stops node `index` if it runs, deletes its data and marks it removed. */
export async function removeNode(dir: string, index: number): Promise<NodeState> {
  const node = nodeOf(readState(dir), index);
  if (isRunning(node.pid, dir)) await stopProcess(node.pid, dir);
  rmSync(node.dir, { recursive: true, force: true });
  return updateState(dir, (s) => Object.assign(s.nodes[index], { pid: null, removed: true }));
}

/** A new node with the next index and port: started, and checked in with the satellite when this resolves. */
export async function addNode(dir: string, options: StartNodeOptions = {}): Promise<NodeState> {
  const state = readState(dir);
  const index = state.nodes.length;
  if (!isRunning(state.satellite.pid, dir))
    throw new NodeCommandError(`the satellite of ${dir} is not running: testnet start --dir ${dir}`);
  const port = planPorts(parsePortBase(state.portBase, index + 1), index + 1).nodes[index];
  await assertPortsFree([port], dir);
  const name = nodeName(index);
  const paths = layout(dir);
  mkdirSync(paths.nodeDir(index), { recursive: true });
  const args = state.nodes[0]?.args ?? [];
  updateState(dir, (s) => s.nodes.push({ name, index, pid: null, port, dir: paths.nodeDir(index), log: paths.logFile(name), args }));
  return startNode(dir, index, options);
}
