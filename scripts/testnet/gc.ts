/**
 * Garbage collection on demand: `testnet satellite gc` (and `net.satellite.gc()`) runs the satellite's `gc` chore,
 * which sends every node a bloom filter of the pieces to keep, then each running node's `retain` chore, which
 * waits for the filter the node is applying and applies any still queued: when it returns, every filter sent
 * has been applied. `testnet node restore-trash <i>` brings a node's trashed pieces back.
 */
import { resultLine, runChore, runningProcesses } from './chores.js';
import { pieceCounts, type PieceCounts } from './piece-counts.js';
import { readState } from './state.js';

export interface NodeGc extends PieceCounts {
  name: string;
  /** What the node's retain chore said it did. */
  retain: string;
}

export interface GcReport {
  /** One line per node the satellite sent a filter (pieces in it, its size), or why it sent none. */
  satellite: string;
  nodes: NodeGc[];
}

export async function collectGarbage(dir: string): Promise<GcReport> {
  const sent = await runChore(dir, 'satellite', 'gc');
  const state = readState(dir);
  const running = new Set(runningProcesses(state).nodes.map((n) => n.name));
  const nodes: NodeGc[] = [];
  for (const node of state.nodes.filter((n) => running.has(n.name))) {
    const run = await runChore(dir, node.index, 'retain');
    nodes.push({ name: node.name, retain: resultLine(run) ?? '', ...pieceCounts(node.dir)! });
  }
  return { satellite: resultLine(sent) ?? '', nodes };
}

export function formatGc(report: GcReport): string {
  return [
    'satellite: sent the bloom filters',
    ...report.satellite.split('\n').map((line) => `  ${line}`),
    ...report.nodes.map((n) => `${n.name}: ${n.pieces} piece(s), ${n.trash} in trash, ${n.usedBytes} bytes: ${n.retain}`),
  ].join('\n');
}

/** Runs node `index`'s `restore-trash` chore; returns its summary (`restored 12 piece(s) from trash`). */
export async function restoreTrash(dir: string, index: number): Promise<string> {
  return resultLine(await runChore(dir, index, 'restore-trash')) ?? '';
}
