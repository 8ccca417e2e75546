/**
 * Check-in: the node tells its satellite who it is, where it listens and how much space it offers, signed
 * with its identity key, at start (retrying until the satellite answers) and then periodically so the
 * satellite keeps selecting it. The connection is TLS and must prove the configured satellite ID; the
 * satellite pings the node back at its address before it selects it (ping.ts serves that). The response
 * carries the satellite's public key, which the node trusts only if it hashes to the configured satellite ID.
 */
import type { Identity } from '@dcsim/identity';
import {
  CheckInRequest, ContactClient, CHANNEL_OPTIONS, rpcErrorInfo, signCheckIn, unary, type PeerChannelCredentials, type Transport,
} from '@dcsim/protocol';
import { shortNodeId } from '@dcsim/common/short';
import { formatBytes } from '@dcsim/common/size';
import type { TrustedSatellite } from './trust.js';

export interface CheckInOptions {
  identity: Identity;
  /** Dials the satellite over TLS, expecting its ID. */
  transport: Transport;
  satellite: TrustedSatellite;
  /** The piecestore address the node advertises (with the real port). */
  address: string;
  freeDisk: () => Promise<number>;
  intervalMs: number;
  version: string;
  log: (line: string) => void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
const CHECKIN_DEADLINE_MS = 10_000;

export class CheckInLoop {
  private readonly client: ContactClient;
  private readonly credentials: PeerChannelCredentials;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
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

  /** Starts checking in: retries with backoff until the first success, then every `intervalMs`. */
  start(): void {
    void this.attempt(FIRST_RETRY_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.client.close();
    this.rejectReady(new Error('storage node stopped before its first check-in'));
  }

  /** One signed check-in; accepts the satellite key from the answer, or throws (also when the satellite's ping back failed). */
  async checkIn(): Promise<void> {
    const { identity, satellite } = this.opts;
    const freeDisk = await this.opts.freeDisk();
    const request = signCheckIn(identity, {
      nodeId: identity.id,
      publicKey: identity.publicKey,
      address: this.opts.address,
      freeDisk,
      timestamp: new Date(),
      version: this.opts.version,
      signature: new Uint8Array(0),
    } satisfies CheckInRequest);
    const response = await unary(this.client, this.client.checkIn, request, CHECKIN_DEADLINE_MS);
    satellite.accept(response.satellitePublicKey);
    // Not reachable means not selected: as good as a failed check-in, and retried like one.
    if (!response.pingNodeSuccess) throw new Error(`the satellite could not reach this node at ${this.opts.address}: ${response.pingErrorMessage}`);
    if (this.failing || !this.isReady) {
      const offer = `offering ${formatBytes(freeDisk)} at ${this.opts.address}`;
      this.opts.log(`checked in with satellite ${shortNodeId(satellite.id)} at ${satellite.address}: ${offer}`);
    }
    this.failing = false;
  }

  private async attempt(retryMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.checkIn();
      if (!this.isReady) {
        this.isReady = true;
        this.resolveReady();
      }
      this.schedule(this.opts.intervalMs, FIRST_RETRY_MS);
    } catch (err) {
      if (this.stopped) return;
      // Someone else at the satellite's address says who it is; other failures say what went wrong.
      const message = this.credentials.identityFailure?.message ?? rpcErrorInfo(err).message;
      const when = this.isReady ? `retrying every ${this.opts.intervalMs / 1000} s` : 'retrying';
      const { id, address } = this.opts.satellite;
      if (!this.failing) this.opts.log(`check-in with satellite ${shortNodeId(id)} at ${address} failed (${when}): ${message}`);
      this.failing = true;
      // Before the first success: back off quickly so the node is ready soon after the satellite is.
      // Later: keep the regular interval, the node keeps serving with the key it already trusts.
      if (this.isReady) this.schedule(this.opts.intervalMs, FIRST_RETRY_MS);
      else this.schedule(retryMs, Math.min(retryMs * 2, MAX_RETRY_MS));
    }
  }

  private schedule(delayMs: number, nextRetryMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(nextRetryMs), delayMs);
    this.timer.unref();
  }
}
