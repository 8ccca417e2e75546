/**
 * Order limits: the satellite's signed permission for one node to accept one action on one piece,
 * up to a byte limit, until an expiration. Nodes trust nothing else (invariant 5), so everything an
 * uplink does on a node starts here.
 *
 * As in Storj (satellite/orders signer.go), each call that hands out limits (one segment upload, one download)
 * makes one batch: one serial number, one creation time and one fresh piece key pair for all its limits. The
 * limits carry the public key; the uplink gets the private key and signs its orders with it (order-signing.ts of
 * @dcsim/protocol). PUT and GET limits also carry their project and bucket, sealed with the satellite's orders
 * key (NaCl secretbox, nonce = the serial), so settlement knows whose bandwidth an order is without a table and
 * nodes learn nothing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { derivePieceId } from '@dcsim/common/pieceid';
import { decryptSecretbox, encryptSecretbox, encryptedSize, type EncryptionParameters } from '@dcsim/crypto/encryption';
import { pieceSize, type RedundancyScheme } from '@dcsim/erasure';
import type { Identity } from '@dcsim/identity';
import { rememberPieceKey } from '@dcsim/piecestore-client';
import type { Clock } from '@dcsim/process';
import {
  OrderLimitMetadata,
  PieceAction,
  generatePieceKey,
  signOrderLimit,
  type AddressedOrderLimit,
  type OrderLimit,
} from '@dcsim/protocol';
import type { NodeRow } from './db/index.js';

const SERIAL_NUMBER_SIZE = 16;
const NONCE_SIZE = 24;
const EMPTY = new Uint8Array(0);

/** Where one piece of a segment lives. */
export interface PiecePlacement {
  pieceNum: number;
  node: NodeRow;
}

/** Whose bandwidth a limit's orders are: sealed into PUT and GET limits, opened at settlement. */
export interface BucketLocation {
  projectId: string;
  bucket: string;
}

/** Limits of one batch and the piece private key that signs orders under them. */
export interface SignedLimits {
  addressedLimits: AddressedOrderLimit[];
  privateKey: Uint8Array;
}

interface Batch {
  serialNumber: Uint8Array;
  uplinkPublicKey?: Uint8Array;
  encryptedMetadata?: Uint8Array;
  now: number;
}

export class OrderSigner {
  /** The key that seals limits' bucket locations: derived from the identity key, so it survives restarts. */
  private readonly ordersKey: Uint8Array;

  constructor(
    private readonly satellite: Identity,
    private readonly orderExpirationMs: number,
    /** Order creation and expiration are stamped with the satellite's clock (nodes check them against theirs). */
    private readonly clock: Clock,
  ) {
    const der = satellite.privateKey.export({ format: 'der', type: 'pkcs8' });
    this.ordersKey = new Uint8Array(createHmac('sha256', der).update('dcsim orders metadata key').digest());
  }

  /** PUT limits for a new segment: piece i goes to placements[i].node. */
  putLimits(
    rootPieceId: Uint8Array,
    placements: PiecePlacement[],
    limit: number,
    pieceExpiration: Date | undefined,
    bucket: BucketLocation,
  ) {
    return this.limits(PieceAction.PUT, rootPieceId, placements, limit, pieceExpiration, bucket);
  }

  /** GET limits for a stored segment, one per piece. */
  getLimits(
    rootPieceId: Uint8Array,
    placements: PiecePlacement[],
    limit: number,
    pieceExpiration: Date | undefined,
    bucket: BucketLocation,
  ) {
    return this.limits(PieceAction.GET, rootPieceId, placements, limit, pieceExpiration, bucket);
  }

  /**
   * GET_AUDIT limits, one per piece: `limit` bytes (one share for an audit, the whole piece for a
   * reverification). Audits are the satellite's own reads; nodes serve them like any download.
   */
  auditLimits(rootPieceId: Uint8Array, placements: PiecePlacement[], limit: number): AddressedOrderLimit[] {
    return this.own(PieceAction.GET_AUDIT, rootPieceId, placements, limit);
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
    return this.own(action, rootPieceId, placements, limit, pieceExpiration);
  }

  /**
   * Limits for the satellite's own transfers (audit, repair), which it pays for itself: like an uplink, it keeps the
   * batch's piece key (in @dcsim/piecestore-client, found by the limit) and signs orders for what it moves, so nodes
   * settle audit and repair traffic too (kept apart per action in the node's rollups; no bucket pays for it).
   */
  private own(
    action: PieceAction,
    rootPieceId: Uint8Array,
    placements: PiecePlacement[],
    limit: number,
    pieceExpiration?: Date,
  ): AddressedOrderLimit[] {
    return rememberPieceKey(this.limits(action, rootPieceId, placements, limit, pieceExpiration)).addressedLimits;
  }

  /**
   * One batch of limits for `action`, one per placement, with a fresh piece key: the uplink gets its private half
   * and signs its orders with it. PUT and GET limits also carry their project and bucket, sealed.
   */
  limits(
    action: PieceAction,
    rootPieceId: Uint8Array,
    placements: PiecePlacement[],
    limit: number,
    pieceExpiration?: Date,
    bucket?: BucketLocation,
  ): SignedLimits {
    const key = generatePieceKey();
    const batch = this.batch(key.publicKey, bucket);
    const addressedLimits = placements.map(({ pieceNum, node }) => ({
      limit: this.sign(action, node.id, derivePieceId(rootPieceId, node.id, pieceNum), limit, pieceExpiration, batch),
      address: node.address,
      nodePublicKey: node.publicKey,
      pieceNum,
    }));
    return { addressedLimits, privateKey: key.privateKey };
  }

  /** A DELETE limit for one piece, by its derived ID. Deletes move no bytes: no orders, no piece key. */
  deleteLimit(nodeId: Uint8Array, pieceId: Uint8Array): OrderLimit {
    return this.sign(PieceAction.DELETE, nodeId, pieceId, 0, undefined, this.batch());
  }

  /** The project and bucket a limit was handed out for, if it carries them and they are this satellite's. */
  openBucketLocation(limit: OrderLimit): BucketLocation | undefined {
    if (!limit.encryptedMetadata || limit.encryptedMetadata.length === 0) return undefined;
    try {
      const plain = decryptSecretbox(limit.encryptedMetadata, this.ordersKey, nonceOf(limit.serialNumber));
      const { projectId, bucket } = OrderLimitMetadata.decode(plain);
      return { projectId: uuidFromBytes(projectId), bucket };
    } catch {
      return undefined;
    }
  }

  private batch(uplinkPublicKey?: Uint8Array, bucket?: BucketLocation): Batch {
    const now = this.clock.now();
    // Storj's CreateSerial: the order expiration (seconds, big-endian) then 8 random bytes.
    const serialNumber = new Uint8Array(SERIAL_NUMBER_SIZE);
    new DataView(serialNumber.buffer).setBigUint64(0, BigInt(Math.floor((now + this.orderExpirationMs) / 1000)));
    serialNumber.set(randomBytes(8), 8);
    const encryptedMetadata = bucket
      ? encryptSecretbox(
          OrderLimitMetadata.encode({ projectId: uuidToBytes(bucket.projectId), bucket: bucket.bucket }).finish(),
          this.ordersKey,
          nonceOf(serialNumber),
        )
      : undefined;
    return { serialNumber, uplinkPublicKey, encryptedMetadata, now };
  }

  private sign(
    action: PieceAction,
    nodeId: Uint8Array,
    pieceId: Uint8Array,
    limit: number,
    pieceExpiration: Date | undefined,
    batch: Batch,
  ): OrderLimit {
    return signOrderLimit(this.satellite, {
      serialNumber: batch.serialNumber,
      satelliteId: this.satellite.id,
      storageNodeId: nodeId,
      pieceId,
      limit,
      action,
      pieceExpiration,
      orderExpiration: new Date(batch.now + this.orderExpirationMs),
      orderCreation: new Date(batch.now),
      satelliteSignature: EMPTY,
      uplinkPublicKey: batch.uplinkPublicKey,
      encryptedMetadata: batch.encryptedMetadata,
    });
  }
}

/** The serial, zero-padded to a secretbox nonce (Storj's createEncryptedMetadata). */
function nonceOf(serial: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(NONCE_SIZE);
  nonce.set(serial.subarray(0, NONCE_SIZE));
  return nonce;
}

function uuidToBytes(uuid: string): Uint8Array {
  return new Uint8Array(Buffer.from(uuid.replaceAll('-', ''), 'hex'));
}

function uuidFromBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The largest piece a segment of `maxSegmentSize` plain bytes can produce with these encryption
 * parameters and this scheme: the ceiling for a PUT order limit.
 */
export function maxPieceSize(maxSegmentSize: number, encryption: EncryptionParameters, scheme: RedundancyScheme): number {
  return pieceSize(encryptedSize(maxSegmentSize, encryption), scheme);
}
