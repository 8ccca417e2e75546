/**
 * Settlement (Storj's storagenode/orders SendOrders): the `orders-sender` chore streams each window's kept orders
 * to the satellite's Orders service (SettlementWithWindow) and archives them with its answer, ACCEPTED or
 * REJECTED. A call that fails (the satellite is down, the connection broke) leaves the window unsent for the
 * next run. Orders of another satellite than the node's are archived as rejected without sending, as Storj does
 * for an untrusted satellite. Archived orders are deleted after a week (Storj's ArchiveTTL).
 */
import { equalBytes } from '@dcsim/common/bytes';
import { shortNodeId } from '@dcsim/common/short';
import { formatBytes } from '@dcsim/common/size';
import type { Clock } from '@dcsim/process';
import {
  CHANNEL_OPTIONS,
  OrdersClient,
  SettlementWithWindowResponse_Status as SettlementStatus,
  pieceActionToJSON,
  type SettlementWithWindowResponse,
  type Transport,
} from '@dcsim/protocol';
import { ARCHIVE_TTL_MS, type OrderStore, type StoredOrder, type UnsentWindow } from './order-store.js';
import type { TrustedSatellite } from './trust.js';

const SETTLEMENT_DEADLINE_MS = 60_000;

export interface OrderSenderOptions {
  orders: OrderStore;
  transport: Transport;
  satellite: TrustedSatellite;
  clock: Clock;
  log: (line: string) => void;
}

export class OrderSender {
  private readonly client: OrdersClient;

  constructor(private readonly opts: OrderSenderOptions) {
    this.client = new OrdersClient(opts.satellite.address, opts.transport.client(opts.satellite.id), CHANNEL_OPTIONS);
  }

  /** Settles every window with unsent orders, oldest first; the first failed call stops the run (and fails the chore). */
  async run(): Promise<void> {
    const { orders, satellite, clock, log } = this.opts;
    for (const window of orders.unsentWindows()) {
      if (!equalBytes(window.satelliteId, satellite.id)) {
        const count = orders.archiveWindow(window, 'rejected', clock.now());
        log(`archived ${count} order(s) of untrusted satellite ${shortNodeId(window.satelliteId)} as rejected, unsent`);
        continue;
      }
      await this.settle(window);
    }
    const pruned = orders.pruneArchive(clock.now() - ARCHIVE_TTL_MS);
    if (pruned > 0) log(`deleted ${pruned} archived order(s) older than a week`);
  }

  private async settle(window: UnsentWindow): Promise<void> {
    const { orders, clock, log } = this.opts;
    const kept = orders.window(window);
    const response = await this.send(kept);
    const accepted = response.status === SettlementStatus.ACCEPTED;
    orders.archiveWindow(window, accepted ? 'accepted' : 'rejected', clock.now());
    const settled = Object.entries(response.actionSettled)
      .map(([action, bytes]) => `${pieceActionToJSON(Number(action))} ${formatBytes(bytes)}`)
      .join(', ');
    log(
      `settled window ${new Date(window.windowStart).toISOString()}: ${kept.length} order(s) ${accepted ? 'accepted' : 'REJECTED'}` +
        `${response.refused > 0 ? ` (${response.refused} refused)` : ''}${settled ? `; newly settled ${settled}` : ''}`,
    );
  }

  private send(kept: StoredOrder[]): Promise<SettlementWithWindowResponse> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + SETTLEMENT_DEADLINE_MS);
      const call = this.client.settlementWithWindow({ deadline }, (err, response) => (err ? reject(err) : resolve(response!)));
      for (const { limit, order } of kept) call.write({ limit, order });
      call.end();
    });
  }

  close(): void {
    this.client.close();
  }
}
