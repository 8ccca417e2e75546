/**
 * Check-in: the node tells its satellite who it is, where it listens and how much space it offers, signed
 * with its identity key: at start, retrying with backoff until the satellite answers (`ready`), and then as
 * the node's `check-in` chore (node.ts) so the satellite keeps selecting it. The connection is TLS and must
 * prove the configured satellite ID; the satellite pings the node back at its address before it selects it
 * (ping.ts serves that). The response carries the satellite's public key, which the node trusts only if it
 * hashes to the configured satellite ID.
 */
import type { Identity } from '@dcsim/identity';
import type { Clock } from '@dcsim/process';
import {
  CheckInRequest,
  ContactClient,
  CHANNEL_OPTIONS,
  rpcErrorInfo,
  signCheckIn,
  unary,
  type PeerChannelCredentials,
  type Transport,
} from '@dcsim/protocol';
import { shortNodeId } from '@dcsim/common/short';
import { formatBytes } from '@dcsim/common/size';
import { StorageNodeError } from './errors.js';
import type { TrustedSatellite } from './trust.js';

export interface CheckInOptions {
  identity: Identity;
  /** Dials the satellite over TLS, expecting its ID. */
  transport: Transport;
  satellite: TrustedSatellite;
  /** The piecestore address the node advertises (with the real port). */
  address: string;
  freeDisk: () => Promise<number>;
  version: string;
  /** Check-ins are stamped with the node's clock; the satellite refuses one far from its own. */
  clock: Clock;
  log: (line: string) => void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
const CHECKIN_DEADLINE_MS = 10_000;

/** A check-in that did not make the node selectable; the message names the satellite and the reason. */
export class CheckInError extends StorageNodeError {}

export class CheckIn {
  private readonly client: ContactClient;
  private readonly credentials: PeerChannelCredentials;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private isReady = false;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  /** Settles once: resolved at the first successful check-in (the satellite reached the node), rejected if stopped before one. */
  readonly ready: Promise<void>;

  constructor(private readonly opts: CheckInOptions) {
    this.credentials = opts.transport.client(opts.satellite.id);
    this.client = new ContactClient(opts.satellite.address, this.credentials, CHANNEL_OPTIONS);
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody need be waiting on `ready` when the node stops early; that must not be an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** Checks in until the first success, backing off from 250 ms to 5 s, so the node is ready soon after the satellite is. */
  start(): void {
    void this.untilReady(FIRST_RETRY_MS, false);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client.close();
    this.rejectReady(new Error('storage node stopped before its first check-in'));
  }

  /** One signed check-in; accepts the satellite key from the answer, or throws a CheckInError (also when the ping back failed). */
  async run(): Promise<void> {
    const { identity, satellite } = this.opts;
    if (satellite.exited) return; // gracefully exited: the satellite has nothing more to do with this node
    const freeDisk = await this.opts.freeDisk();
    const request = signCheckIn(identity, {
      nodeId: identity.id,
      publicKey: identity.publicKey,
      address: this.opts.address,
      freeDisk,
      timestamp: this.opts.clock.date(),
      version: this.opts.version,
      signature: new Uint8Array(0),
    } satisfies CheckInRequest);
    const where = `satellite ${shortNodeId(satellite.id)} at ${satellite.address}`;
    let response;
    try {
      response = await unary(this.client, this.client.checkIn, request, CHECKIN_DEADLINE_MS);
      satellite.accept(response.satellitePublicKey);
    } catch (err) {
      // Someone else at the satellite's address says who it is; other failures say what went wrong.
      const message = this.credentials.identityFailure?.message ?? rpcErrorInfo(err).message;
      throw new CheckInError(`${where}: ${message}`, { cause: err });
    }
    // Not reachable means not selected: as good as a failed check-in, and retried like one.
    if (!response.pingNodeSuccess) {
      throw new CheckInError(`${where}: the satellite could not reach this node at ${this.opts.address}: ${response.pingErrorMessage}`);
    }
    if (!this.isReady) {
      this.isReady = true;
      this.opts.log(`checked in with ${where}: offering ${formatBytes(freeDisk)} at ${this.opts.address}`);
      this.resolveReady();
    }
  }

  private async untilReady(retryMs: number, failing: boolean): Promise<void> {
    if (this.stopped || this.isReady) return;
    try {
      await this.run();
    } catch (err) {
      if (this.stopped || this.isReady) return;
      if (!failing) this.opts.log(`check-in failed (retrying): ${(err as Error).message}`);
      this.timer = setTimeout(() => void this.untilReady(Math.min(retryMs * 2, MAX_RETRY_MS), true), retryMs);
      this.timer.unref();
    }
  }
}
