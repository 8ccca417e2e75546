/**
 * Order limits: the satellite's signed permission for one node to accept one action on one piece,
 * up to a byte limit, until an expiration. Nodes trust nothing else (invariant 5), so everything an
 * uplink does on a node starts here.
 */
import { randomBytes } from 'node:crypto';
import { derivePieceId } from '@dcsim/common/pieceid';
import { encryptedSize, type EncryptionParameters } from '@dcsim/crypto/encryption';
import { pieceSize, type RedundancyScheme } from '@dcsim/erasure';
import type { Identity } from '@dcsim/identity';
import type { Clock } from '@dcsim/process';
import { PieceAction, signOrderLimit, type AddressedOrderLimit, type OrderLimit } from '@dcsim/protocol';
import type { NodeRow } from './db/index.js';

const SERIAL_NUMBER_SIZE = 16;

/** Where one piece of a segment lives. */
export interface PiecePlacement {
  pieceNum: number;
  node: NodeRow;
}

export class OrderSigner {
  constructor(
    private readonly satellite: Identity,
    private readonly orderExpirationMs: number,
    /** Order creation and expiration are stamped with the satellite's clock (nodes check them against theirs). */
    private readonly clock: Clock,
  ) {}

  /** PUT limits for a new segment: piece i goes to placements[i].node. */
  putLimits(rootPieceId: Uint8Array, placements: PiecePlacement[], limit: number, pieceExpiration?: Date): AddressedOrderLimit[] {
    return placements.map((p) => this.addressed(PieceAction.PUT, rootPieceId, p, limit, pieceExpiration));
  }

  /** GET limits for a stored segment, one per piece. */
  getLimits(rootPieceId: Uint8Array, placements: PiecePlacement[], limit: number, pieceExpiration?: Date): AddressedOrderLimit[] {
    return placements.map((p) => this.addressed(PieceAction.GET, rootPieceId, p, limit, pieceExpiration));
  }

  /**
   * GET_AUDIT limits, one per piece: `limit` bytes (one share for an audit, the whole piece for a
   * reverification). Audits are the satellite's own reads; nodes serve them like any download.
   */
  auditLimits(rootPieceId: Uint8Array, placements: PiecePlacement[], limit: number): AddressedOrderLimit[] {
    return placements.map((p) => this.addressed(PieceAction.GET_AUDIT, rootPieceId, p, limit));
  }

  /**
   * Limits for the repairer, the satellite itself being the client: GET_REPAIR to fetch pieces from their
   * holders, PUT_REPAIR to store rebuilt ones on new nodes. Nodes tell them apart from an uplink's (Storj bills
   * repair traffic to nobody's bucket).
   */
  repairLimits(
    action: PieceAction.GET_REPAIR | PieceAction.PUT_REPAIR,
    rootPieceId: Uint8Array,
    placements: PiecePlacement[],
    limit: number,
    pieceExpiration?: Date,
  ): AddressedOrderLimit[] {
    return placements.map((p) => this.addressed(action, rootPieceId, p, limit, pieceExpiration));
  }

  /** A DELETE limit for one piece, by its derived ID. */
  deleteLimit(nodeId: Uint8Array, pieceId: Uint8Array): OrderLimit {
    return this.sign(PieceAction.DELETE, nodeId, pieceId, 0);
  }

  private addressed(
    action: PieceAction,
    rootPieceId: Uint8Array,
    { pieceNum, node }: PiecePlacement,
    limit: number,
    pieceExpiration?: Date,
  ): AddressedOrderLimit {
    const pieceId = derivePieceId(rootPieceId, node.id, pieceNum);
    return {
      limit: this.sign(action, node.id, pieceId, limit, pieceExpiration),
      address: node.address,
      nodePublicKey: node.publicKey,
      pieceNum,
    };
  }

  private sign(action: PieceAction, nodeId: Uint8Array, pieceId: Uint8Array, limit: number, pieceExpiration?: Date): OrderLimit {
    const now = this.clock.now();
    return signOrderLimit(this.satellite, {
      serialNumber: new Uint8Array(randomBytes(SERIAL_NUMBER_SIZE)),
      satelliteId: this.satellite.id,
      storageNodeId: nodeId,
      pieceId,
      limit,
      action,
      pieceExpiration,
      orderExpiration: new Date(now + this.orderExpirationMs),
      orderCreation: new Date(now),
      satelliteSignature: new Uint8Array(0),
    });
  }
}

/**
 * The largest piece a segment of `maxSegmentSize` plain bytes can produce with these encryption
 * parameters and this scheme: the ceiling for a PUT order limit.
 */
export function maxPieceSize(maxSegmentSize: number, encryption: EncryptionParameters, scheme: RedundancyScheme): number {
  return pieceSize(encryptedSize(maxSegmentSize, encryption), scheme);
}
