/**
 * The admin service (packages/protocol/proto/admin.proto) of a long-running process, on its admin socket
 * `<data dir>/admin.sock`. The socket file has mode 0600: file permissions are the authorization, as for any
 * local admin socket (only the account that runs the process may connect), so it has no TLS and no other check.
 * It is made under the process's umask and set to 0600 right after binding; connecting needs write permission
 * on the file, which the usual umask (022) gives nobody else in between.
 *
 * It shows what the process is (Status) and its chores, runs them (RunChore, RunChores) and moves its clock
 * (AdvanceTime): how the testnet and withTestnet drive time and background loops from outside.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { formatDuration } from '@dcsim/common/duration';
import {
  AdminService,
  bindServer,
  fieldInvalid,
  Reason,
  RpcError,
  SERVER_OPTIONS,
  unaryHandler,
  type AdminServer,
  type ChoreInfo,
  type ChoreRunInfo,
  type ProcessStatus,
} from '@dcsim/protocol';
import type { ChoreRun, ChoreStatus } from '../chore.js';
import { UnknownChoreError, type Chores } from '../chores.js';
import { adminSocketPath, prepareSocketPath } from './socket.js';

export interface AdminTarget {
  kind: 'satellite' | 'storagenode';
  nodeId: Uint8Array;
  /** Where the process serves its public API. */
  address: string;
  /** Its chores and clock. */
  chores: Chores;
  log: (line: string) => void;
}

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

const SOCKET_MODE = 0o600;
const SHUTDOWN_GRACE_MS = 2_000;

/** Serves the admin service on `<dataDir>/admin.sock` until `close()`. */
export async function serveAdmin(dataDir: string, target: AdminTarget): Promise<AdminSocket> {
  const path = adminSocketPath(dataDir);
  await prepareSocketPath(path);
  const server = new Server(SERVER_OPTIONS);
  server.addService(AdminService, adminService(target));
  await bindServer(server, `unix:${path}`, ServerCredentials.createInsecure());
  try {
    chmodSync(path, SOCKET_MODE);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          try {
            unlinkSync(path);
          } catch {
            // grpc-js removed it already
          }
          resolve();
        });
      }),
  };
}

function adminService(target: AdminTarget): AdminServer {
  const { chores, log } = target;
  const started = performance.now();
  return {
    status: unaryHandler(
      (): ProcessStatus => ({
        kind: target.kind,
        nodeId: target.nodeId,
        address: target.address,
        clockOffsetMs: chores.clock.offsetMs,
        uptimeMs: Math.round(performance.now() - started),
        pid: process.pid,
      }),
      log,
    ),
    chores: unaryHandler(() => ({ chores: chores.list().map(choreInfo) }), log),
    runChore: unaryHandler(async (req: { name: string }) => {
      let chore;
      try {
        chore = chores.get(req.name);
      } catch (err) {
        if (err instanceof UnknownChoreError) throw new RpcError(Reason.CHORE_NOT_FOUND, err.message, { chore: req.name });
        throw err;
      }
      return { run: runInfo(await chore.trigger()) };
    }, log),
    runChores: unaryHandler(async () => ({ runs: (await chores.runAll()).map(runInfo) }), log),
    advanceTime: unaryHandler((req: { ms: number }) => {
      if (!Number.isSafeInteger(req.ms) || req.ms < 0) {
        throw fieldInvalid('ms', `time only moves forward, by whole milliseconds: got ${req.ms}`);
      }
      const offset = chores.clock.advance(req.ms);
      log(`clock advanced by ${formatDuration(req.ms)}: now ${formatDuration(offset)} ahead of real time`);
      return { clockOffsetMs: offset };
    }, log),
  };
}

function runInfo(run: ChoreRun): ChoreRunInfo {
  return {
    chore: run.chore,
    startedAt: new Date(run.startedAt),
    durationMs: Math.round(run.durationMs),
    error: run.error ?? '',
    summary: run.summary ?? '',
  };
}

function choreInfo(status: ChoreStatus): ChoreInfo {
  return {
    name: status.name,
    intervalMs: status.intervalMs,
    runs: status.runs,
    running: status.running,
    lastRun: status.last && runInfo(status.last),
    lastError: status.lastError ?? '',
  };
}
