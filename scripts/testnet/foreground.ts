/**
 * A foreground `testnet start` after start-up: it reports processes that exit, and on Ctrl-C, SIGTERM (what
 * `testnet stop` sends it) or a closed terminal it stops every process of the testnet and exits 0. A dead
 * satellite ends the testnet (exit 1): the nodes are useless without it.
 */
import { SATELLITE_NAME } from './layout.js';
import { killNow, logTail } from './processes.js';
import type { Reaper } from './reaper.js';
import type { StartedTestnet } from './start.js';
import { readState, listedPids } from './state.js';
import { stopTestnet } from './stop.js';

export function superviseForeground(started: StartedTestnet, reaper: Reaper, print: (line: string) => void): Promise<number> {
  const dir = started.state.dir;
  let stopping = false;
  return new Promise((resolve) => {
    const shutdown = (code: number, why: string) => {
      if (stopping) {
        // A second Ctrl-C: no more waiting.
        killNow(listedPids(readState(dir)));
        return;
      }
      stopping = true;
      print(`\n${why}: stopping the testnet...`);
      stopTestnet(dir).then(
        ({ stopped }) => {
          const killed = stopped.filter((s) => s.outcome === 'killed').map((s) => s.name);
          print(`stopped ${stopped.length} processes${killed.length ? ` (had to kill ${killed.join(', ')})` : ''}; data kept in ${dir}`);
          reaper.dismiss();
          resolve(code);
        },
        (err: Error) => {
          print(`error while stopping: ${err.message}`);
          reaper.dismiss();
          resolve(1);
        },
      );
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(0, signal));
    for (const child of started.children) {
      void child.exited.then((exit) => {
        if (stopping) return;
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        if (child.name === SATELLITE_NAME) {
          print(`\nthe satellite ${how}; last lines of ${child.logFile}:\n${logTail(child.logFile, child.logOffset)}`);
          shutdown(1, 'satellite gone');
        } else {
          print(`${child.name} ${how}${exit.code === 0 ? '' : ` (see ${child.logFile})`}`);
        }
      });
    }
  });
}
