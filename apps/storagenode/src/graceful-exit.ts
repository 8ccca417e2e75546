/**
 * Graceful exit, the node's side (Storj's former storagenode/gracefulexit worker): the operator asks to leave (the
 * `graceful-exit` chore, run through the admin socket: `testnet node exit <i>`). The node calls the satellite's
 * GracefulExit.Process: the first call starts the exit, and each call answers with transfer orders. For each the
 * node reads the piece from its disk and uploads it to the new node under the order's PUT_REPAIR limit (with
 * @dcsim/piecestore-client, the uplink's and repairer's code), then reports the new node's signed hash; once the
 * satellite accepts it, the node deletes its copy. When the satellite says the exit is complete, the node records
 * it, deletes whatever pieces of that satellite remain (the satellite left them to repair) and from then on serves
 * that satellite no more: order limits are refused and check-ins stop. One run of the chore goes until the exit
 * is complete; a run cut short (the node stopped) is taken up again by the next, the satellite keeping the state.
 */
import { createReadStream } from 'node:fs';
import { nodeIdString } from '@dcsim/common/nodeid';
import { shortPieceId } from '@dcsim/common/short';
import type { Identity } from '@dcsim/identity';
import { DEFAULT_UPLOAD_CHUNK, NodeClients, PieceError, rememberPieceKey, uploadPiece } from '@dcsim/piecestore-client';
import type { Clock } from '@dcsim/process';
import {
  CHANNEL_OPTIONS,
  ExitProcessRequest,
  GracefulExitClient,
  TransferError,
  TransferReport,
  UploadMessageWriter,
  rpcErrorInfo,
  signNodeMessage,
  unary,
  type ExitCompleted,
  type ExitProcessResponse,
  type TransferReportResponse,
  type TransferPiece,
  type Transport,
} from '@dcsim/protocol';
import type { NodeDb } from './db.js';
import { StorageNodeError } from './errors.js';
import type { Pieces } from './pieces.js';
import type { TrustedSatellite } from './trust.js';

/** Transfers in flight at once (Storj's NumConcurrentTransfers). */
const CONCURRENT_TRANSFERS = 5;
/** Process calls one exit may take: each either moves pieces or uses up one of a piece's bounded tries. */
const MAX_ROUNDS = 1000;
const EMPTY = new Uint8Array(0);

export interface GracefulExitOptions {
  identity: Identity;
  transport: Transport;
  satellite: TrustedSatellite;
  pieces: Pieces;
  db: NodeDb;
  clock: Clock;
  log: (line: string) => void;
}

/** What an exit did, as the chore's result (JSON). */
export interface ExitSummary {
  satelliteId: string;
  success: boolean;
  piecesTransferred: number;
  piecesFailed: number;
  /** Pieces this run moved (an exit resumed after a restart moved some before). */
  movedThisRun: number;
}

export class GracefulExitWorker {
  private readonly client: GracefulExitClient;
  private readonly nodes: NodeClients;
  private readonly messages = new UploadMessageWriter(CONCURRENT_TRANSFERS * 4);

  constructor(private readonly opts: GracefulExitOptions) {
    this.client = new GracefulExitClient(opts.satellite.address, opts.transport.client(opts.satellite.id), CHANNEL_OPTIONS);
    this.nodes = new NodeClients(opts.transport);
  }

  /** Exits the satellite: moves every piece, then records the exit. Returns what happened. */
  async run(): Promise<ExitSummary> {
    const { satellite, log } = this.opts;
    const finished = exitOf(this.opts.db, satellite.id);
    if (finished) return { ...finished, movedThisRun: 0 };
    let moved = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const response = await this.process();
      if (response.completed) {
        await this.complete(response.completed);
        return { ...exitOf(this.opts.db, satellite.id)!, movedThisRun: moved };
      }
      if (round === 0) log(`graceful exit from satellite ${nodeIdString(satellite.id)} under way`);
      const queue = [...response.transfers];
      const worker = async () => {
        for (let t = queue.shift(); t; t = queue.shift()) if (await this.transfer(t)) moved++;
      };
      await Promise.all(Array.from({ length: CONCURRENT_TRANSFERS }, worker));
    }
    throw new StorageNodeError(`graceful exit not complete after ${MAX_ROUNDS} rounds of transfer orders`);
  }

  close(): void {
    this.client.close();
    this.nodes.close();
  }

  /** One transfer order: upload the piece to its new node, report; true when the piece has moved. */
  private async transfer(transfer: TransferPiece): Promise<boolean> {
    const { pieces, log } = this.opts;
    const addressed = transfer.addressedOrderLimit!;
    const target = nodeIdString(addressed.limit!.storageNodeId);
    const name = `piece ${shortPieceId(transfer.originalPieceId)} (number ${transfer.pieceNum})`;
    const stored = pieces.get(transfer.originalPieceId);
    const report: TransferReport = { ...this.stamped(), transfer, error: TransferError.TRANSFER_OK, errorMessage: '' };
    if (!stored) {
      Object.assign(report, { error: TransferError.TRANSFER_NOT_FOUND, errorMessage: 'the exiting node has no such piece' });
    } else {
      try {
        // The satellite handed over the limit's piece key: this node signs the upload's orders, as an uplink would.
        rememberPieceKey({ addressedLimits: [addressed], privateKey: transfer.privateKey });
        const source = { size: stored.size, chunks: createReadStream(stored.path, { highWaterMark: DEFAULT_UPLOAD_CHUNK }) };
        const replacement = await uploadPiece(this.nodes.get(addressed.limit!.storageNodeId, addressed.address), addressed, source, {
          messages: this.messages,
        });
        Object.assign(report, { originalPieceHash: stored.signedHash, replacementPieceHash: replacement });
      } catch (err) {
        const bad = err instanceof PieceError && err.bad;
        const error = bad ? TransferError.TRANSFER_HASH_VERIFICATION : TransferError.TRANSFER_NODE_UNAVAILABLE;
        Object.assign(report, { error, errorMessage: err instanceof Error ? err.message : String(err) });
      }
    }
    const answer = await this.reportTransfer(report);
    if (report.error !== TransferError.TRANSFER_OK) {
      log(`graceful exit: could not move ${name} to node ${target}: ${report.errorMessage}`);
      return false;
    }
    if (answer.deleteOriginal) await pieces.delete(transfer.originalPieceId);
    if (answer.moved) log(`graceful exit: moved ${name} to node ${target} at ${addressed.address}`);
    else if (answer.deleteOriginal) log(`graceful exit: ${name} had already left its segment: deleted, nothing moved`);
    else log(`graceful exit: the satellite did not accept ${name} on node ${target}; keeping it`);
    return answer.moved;
  }

  /** The satellite says the exit is over: record it, delete what is left, and stop serving that satellite. */
  private async complete(completed: ExitCompleted): Promise<void> {
    const { db, satellite, pieces, clock, log } = this.opts;
    db.prepare(
      `INSERT OR REPLACE INTO exits (satellite_id, finished_at, success, pieces_transferred, pieces_failed)
        VALUES (?, ?, ?, ?, ?)`,
    ).run(
      satellite.id,
      completed.finishedAt?.getTime() ?? clock.now(),
      completed.success ? 1 : 0,
      completed.piecesTransferred,
      completed.piecesFailed,
    );
    satellite.exited = true;
    const deleted = await pieces.deleteAllOf(satellite.id);
    log(
      `graceful exit ${completed.success ? 'completed' : 'failed'}: satellite ${nodeIdString(satellite.id)}, ` +
        `${completed.piecesTransferred} piece(s) transferred, ${completed.piecesFailed} left to repair, ` +
        `${deleted} remaining piece(s) deleted; no longer serving this satellite`,
    );
  }

  private process(): Promise<ExitProcessResponse> {
    const request = signNodeMessage(this.opts.identity, ExitProcessRequest, this.stamped());
    return this.ask('Process', () => unary(this.client, this.client.process, request));
  }

  private reportTransfer(report: TransferReport): Promise<TransferReportResponse> {
    const request = signNodeMessage(this.opts.identity, TransferReport, { ...report, ...this.stamped() });
    return this.ask('ReportTransfer', () => unary(this.client, this.client.reportTransfer, request));
  }

  /** Who asks, and when (the satellite refuses a request far from its clock): the fields every request signs. */
  private stamped() {
    return { nodeId: this.opts.identity.id, timestamp: this.opts.clock.date(), signature: EMPTY };
  }

  private async ask<T>(rpc: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new StorageNodeError(`graceful exit: the satellite's ${rpc} failed: ${rpcErrorInfo(err).message}`, { cause: err });
    }
  }
}

/** The recorded exit from `satelliteId`, if there was one. */
export function exitOf(db: NodeDb, satelliteId: Uint8Array): Omit<ExitSummary, 'movedThisRun'> | undefined {
  const row = db
    .prepare('SELECT success, pieces_transferred AS piecesTransferred, pieces_failed AS piecesFailed FROM exits WHERE satellite_id = ?')
    .get(satelliteId) as { success: number; piecesTransferred: number; piecesFailed: number } | undefined;
  return row && { satelliteId: nodeIdString(satelliteId), ...row, success: row.success === 1 };
}
