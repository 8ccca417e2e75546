/**
 * The orders a node keeps (Storj's storagenode/orders store): for every transfer, the largest order the uplink
 * signed, saved when the transfer ends (also when it failed: the bytes moved were moved). Orders are grouped by
 * settlement window, the hour their order limit was created in; the sender (order-sender.ts) settles each window
 * with the satellite and archives the orders with its answer. Storj writes one file per window and waits until
 * the window is over (its files may still be written); here a saved row is final, so any saved order can go.
 */
import type { Statement } from 'better-sqlite3';
import { Order, OrderLimit, type PieceAction } from '@dcsim/protocol';
import type { NodeDb } from './db.js';

/** A settlement window is the hour an order limit was created in (Storj's Truncate(OrderCreation, 1h)). */
export const WINDOW_MS = 60 * 60 * 1000;
/** Archived orders are deleted after this long (Storj's ArchiveTTL, 168h). */
export const ARCHIVE_TTL_MS = 7 * 24 * WINDOW_MS;

export interface StoredOrder {
  limit: OrderLimit;
  order: Order;
}

export interface UnsentWindow {
  satelliteId: Uint8Array;
  windowStart: number;
}

export type SettlementStatus = 'accepted' | 'rejected';

export function windowOf(limit: OrderLimit): number {
  const created = limit.orderCreation?.getTime() ?? 0;
  return created - (created % WINDOW_MS);
}

export class OrderStore {
  private readonly upsert: Statement;
  private readonly windows: Statement<[]>;
  private readonly ofWindow: Statement<[Uint8Array, number]>;
  private readonly archive: Statement<[string, number, Uint8Array, number]>;
  private readonly prune: Statement<[number]>;
  private readonly counts: Statement<[]>;

  constructor(db: NodeDb) {
    // One row per serial: a larger order for the same transfer replaces a smaller one, never the other way.
    this.upsert = db.prepare(`
      INSERT INTO orders (satellite_id, serial_number, window_start, action, amount, order_limit, uplink_order)
      VALUES (@satelliteId, @serial, @window, @action, @amount, @limit, @order)
      ON CONFLICT (satellite_id, serial_number) DO UPDATE SET amount = excluded.amount, uplink_order = excluded.uplink_order
      WHERE excluded.amount > orders.amount AND orders.status = 'unsent'`);
    this.windows = db.prepare(`SELECT DISTINCT satellite_id, window_start FROM orders WHERE status = 'unsent' ORDER BY window_start`);
    this.ofWindow = db.prepare(`
      SELECT order_limit, uplink_order FROM orders WHERE status = 'unsent' AND satellite_id = ? AND window_start = ?`);
    this.archive = db.prepare(`
      UPDATE orders SET status = ?, settled_at = ? WHERE status = 'unsent' AND satellite_id = ? AND window_start = ?`);
    this.prune = db.prepare(`DELETE FROM orders WHERE status <> 'unsent' AND settled_at < ?`);
    this.counts = db.prepare(`SELECT status, COUNT(*) AS n FROM orders GROUP BY status`);
  }

  /** Keeps `order` as the transfer's order, unless a larger one for its serial is kept already. Zero amounts are not kept. */
  save(limit: OrderLimit, order: Order): void {
    if (order.amount <= 0) return;
    this.upsert.run({
      satelliteId: limit.satelliteId,
      serial: limit.serialNumber,
      window: windowOf(limit),
      action: limit.action as PieceAction,
      amount: order.amount,
      limit: OrderLimit.encode(limit).finish(),
      order: Order.encode(order).finish(),
    });
  }

  /** Every (satellite, window) with orders not yet settled, oldest first. */
  unsentWindows(): UnsentWindow[] {
    return (this.windows.all() as { satellite_id: Uint8Array; window_start: number }[]).map((r) => ({
      satelliteId: new Uint8Array(r.satellite_id),
      windowStart: r.window_start,
    }));
  }

  /** The unsent orders of one window. */
  window({ satelliteId, windowStart }: UnsentWindow): StoredOrder[] {
    return (this.ofWindow.all(satelliteId, windowStart) as { order_limit: Uint8Array; uplink_order: Uint8Array }[]).map((r) => ({
      limit: OrderLimit.decode(r.order_limit),
      order: Order.decode(r.uplink_order),
    }));
  }

  /** Archives a window's unsent orders with the satellite's answer. */
  archiveWindow({ satelliteId, windowStart }: UnsentWindow, status: SettlementStatus, now: number): number {
    return this.archive.run(status, now, satelliteId, windowStart).changes;
  }

  /** Deletes archived orders settled before `before`; returns how many. */
  pruneArchive(before: number): number {
    return this.prune.run(before).changes;
  }

  /** How many orders are unsent, accepted, rejected. */
  statusCounts(): Record<'unsent' | SettlementStatus, number> {
    const counts = { unsent: 0, accepted: 0, rejected: 0 };
    for (const row of this.counts.all() as { status: keyof typeof counts; n: number }[]) counts[row.status] = row.n;
    return counts;
  }
}
