/**
 * Orders: what an uplink signs for the bytes it moved under an order limit (Storj's storj.io/common signing
 * SignUplinkOrder / VerifyUplinkOrderSignature). Each call that creates limits (one segment upload, one
 * download) makes a fresh piece key pair: the limits carry its public key, the uplink gets the private key, and
 * signs cumulative orders with it. A node can then prove to the satellite what the uplink agreed it moved.
 *
 * The private key travels as Go's 64-byte Ed25519 form (seed ‖ public key), as Storj's PiecePrivateKey does.
 * The signature is plain Ed25519 over the Order's encoding with its signature field empty.
 */
import { createPrivateKey, generateKeyPairSync, sign as edSign, type KeyObject } from 'node:crypto';
import { rawPublicKey, verify } from '@dcsim/identity';
import { Order, OrderLimit } from '../gen/orders.js';
import { ProtocolError } from './errors.js';

export const PIECE_PUBLIC_KEY_SIZE = 32;
export const PIECE_PRIVATE_KEY_SIZE = 64;

/** A piece key pair: `privateKey` is seed ‖ public key (64 bytes), `publicKey` the 32 raw bytes. */
export interface PieceKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

// DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const EMPTY = new Uint8Array(0);

export function generatePieceKey(): PieceKeyPair {
  const pair = generateKeyPairSync('ed25519');
  const seed = pair.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const publicKey = rawPublicKey(pair.publicKey);
  const full = new Uint8Array(PIECE_PRIVATE_KEY_SIZE);
  full.set(seed, 0);
  full.set(publicKey, 32);
  return { publicKey, privateKey: full };
}

/** A piece private key, ready to sign many orders (parsing it once). */
export class PieceSigner {
  private readonly key: KeyObject;

  constructor(privateKey: Uint8Array) {
    if (privateKey.length !== PIECE_PRIVATE_KEY_SIZE) {
      throw new ProtocolError(`piece private key must be ${PIECE_PRIVATE_KEY_SIZE} bytes, got ${privateKey.length}`);
    }
    const seed = privateKey.subarray(0, 32);
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }

  /** The order for `amount` bytes moved so far under `limit`. */
  order(limit: OrderLimit, amount: number): Order {
    const order: Order = { serialNumber: limit.serialNumber, amount, uplinkSignature: EMPTY };
    return { ...order, uplinkSignature: new Uint8Array(edSign(null, orderSigningBytes(order), this.key)) };
  }
}

function orderSigningBytes(order: Order): Uint8Array {
  return Order.encode({ ...order, uplinkSignature: EMPTY }).finish();
}

/** True if the order's signature is by the piece key whose public half `limit` carries. */
export function verifyOrderSignature(limit: OrderLimit, order: Order): boolean {
  if (limit.uplinkPublicKey?.length !== PIECE_PUBLIC_KEY_SIZE) return false;
  return verify(limit.uplinkPublicKey, orderSigningBytes(order), order.uplinkSignature);
}
