/**
 * The other end of an admin socket (server.ts): what the testnet and withTestnet use to read a process's status
 * and chores, run chores and move its clock. `connectAdmin(dataDir)` reaches the process whose data dir it is.
 */
import { existsSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import { AdminClient, rpcErrorInfo, unary, type ChoreInfo, type ChoreRunInfo, type ProcessStatus } from '@dcsim/protocol';
import { adminSocketPath } from './socket.js';

/** The process behind a socket did not answer, or refused; the message names the socket. */
export class AdminCallError extends Error {
  override name = 'AdminCallError';
}

/** Quick questions; chore runs may move many pieces (deletions, later repair) and get longer. */
const QUESTION_DEADLINE_MS = 10_000;
const RUN_DEADLINE_MS = 10 * 60_000;

export class AdminConnection {
  private readonly client: AdminClient;

  constructor(readonly path: string) {
    this.client = new AdminClient(`unix:${path}`, credentials.createInsecure());
  }

  status(): Promise<ProcessStatus> {
    return this.call((c) => unary(c, c.status, {}, QUESTION_DEADLINE_MS));
  }

  async chores(): Promise<ChoreInfo[]> {
    return (await this.call((c) => unary(c, c.chores, {}, QUESTION_DEADLINE_MS))).chores;
  }

  /** Runs chore `name` now and resolves once it finished, with the run (its `error` is '' when it succeeded). */
  async runChore(name: string): Promise<ChoreRunInfo> {
    return (await this.call((c) => unary(c, c.runChore, { name }, RUN_DEADLINE_MS))).run!;
  }

  async runChores(): Promise<ChoreRunInfo[]> {
    return (await this.call((c) => unary(c, c.runChores, {}, RUN_DEADLINE_MS))).runs;
  }

  /** The process's report `name` (the Report RPC), parsed from its JSON. */
  async report(name: string): Promise<unknown> {
    return JSON.parse((await this.call((c) => unary(c, c.report, { name }, QUESTION_DEADLINE_MS))).json);
  }

  /** Moves the process's clock `ms` forward; resolves with its new offset from real time. */
  async advanceTime(ms: number): Promise<number> {
    return (await this.call((c) => unary(c, c.advanceTime, { ms }, QUESTION_DEADLINE_MS))).clockOffsetMs;
  }

  close(): void {
    this.client.close();
  }

  private async call<T>(fn: (client: AdminClient) => Promise<T>): Promise<T> {
    if (!existsSync(this.path)) throw new AdminCallError(`no admin socket at ${this.path}: the process is not running`);
    try {
      return await fn(this.client);
    } catch (err) {
      throw new AdminCallError(`${this.path}: ${rpcErrorInfo(err).message}`, { cause: err });
    }
  }
}

/** A connection to the admin socket of the process whose data dir is `dataDir`. */
export function connectAdmin(dataDir: string): AdminConnection {
  return new AdminConnection(adminSocketPath(dataDir));
}
