/**
 * `testnet satellite repair`: make the satellite repair everything injured now and wait until it is done
 * (testplanet's checker RunOnce + repairer TriggerWait). Three of the satellite's chores, in order, through its
 * admin socket: `node-liveness` pings every node (so a node stopped a moment ago already counts as offline; no
 * sleeping), `repair-checker` walks every segment and queues the injured ones, `repairer` repairs the queue.
 * What it prints is what each chore said it did: one line per segment for the repairer.
 */
import type { ChoreRunInfo } from '@dcsim/protocol';
import { resultLine, runChore } from './chores.js';

/** The satellite's chores a repair runs, in this order. */
export const REPAIR_CHORES = ['node-liveness', 'repair-checker', 'repairer'] as const;

export interface RepairRun {
  runs: ChoreRunInfo[];
  /** Each chore's summary, in order: what `testnet satellite repair` prints. */
  report: string;
}

/** Runs the repair chores of the testnet in `dir` one after the other; a failed run throws (ChoreCommandError). */
export async function repairNow(dir: string): Promise<RepairRun> {
  const runs: ChoreRunInfo[] = [];
  for (const chore of REPAIR_CHORES) runs.push(await runChore(dir, 'satellite', chore));
  return { runs, report: runs.map((r) => resultLine(r) ?? `${r.chore}: done in ${r.durationMs} ms`).join('\n') };
}
