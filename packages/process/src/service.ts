/**
 * `runService`: the one way a dcsim service (satellite, storage node, gateway, auth service) runs.
 *
 *   await runService('satellite', async () => {
 *     const satellite = await startSatellite(config);
 *     return { ready: { id: satellite.id, address: satellite.address }, stop: () => satellite.stop() };
 *   });
 *
 * 1. The guard treats the process as a service: an unhandled rejection is reported and it keeps serving.
 * 2. `start()` brings the service up. If it throws: one line `<name>: <message>`, exit 1.
 * 3. Once `ready` resolves (a storage node is ready after its first check-in), exactly one line goes to stdout:
 *    `READY {json}`. The testnet and the tests wait for it; nothing else is ever written to stdout.
 * 4. SIGINT or SIGTERM: `stop()`, then exit 0 (exit 1 with a line if stopping failed). A signal that comes
 *    before `ready` stops the service too, without a READY line.
 */
import { writeSync } from 'node:fs';
import { exitWithError, errorMessage, FAILURE_EXIT_CODE } from './exit.js';
import { guardProcess } from './guard.js';

export interface StartedService {
  /** What the READY line carries, or a promise of it (rejected: the service failed to become ready). */
  ready: object | Promise<object>;
  /** Stops serving and releases everything (ports, databases, sockets). */
  stop(): Promise<void>;
}

export const READY_PREFIX = 'READY ';

export interface ServiceOptions {
  /** Where the "stopping" line goes; default stderr as `<name>: <line>`. */
  log?: (line: string) => void;
}

export async function runService(name: string, start: () => Promise<StartedService>, options: ServiceOptions = {}): Promise<void> {
  guardProcess(name, 'service');
  const log = options.log ?? ((line: string) => process.stderr.write(`${name}: ${line}\n`));
  let signalled: NodeJS.Signals | undefined;
  let service: StartedService | undefined;
  const stopOn = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    if (service) void stop(service, signal);
  };
  const stop = async (s: StartedService, signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    try {
      await s.stop();
    } catch (err) {
      log(`could not stop cleanly: ${errorMessage(err)}`);
      process.exit(FAILURE_EXIT_CODE);
    }
    process.exit(0);
  };
  process.on('SIGINT', stopOn);
  process.on('SIGTERM', stopOn);

  try {
    service = await start();
  } catch (err) {
    exitWithError(name, err);
  }
  if (signalled) return stop(service, signalled);
  let info: object;
  try {
    info = await service.ready;
  } catch (err) {
    if (signalled) return; // stopped before it was ready: stop() exits
    await service.stop().catch(() => undefined);
    exitWithError(name, err);
  }
  if (!signalled) writeSync(1, `${READY_PREFIX}${JSON.stringify(info)}\n`);
}
