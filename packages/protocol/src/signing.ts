/**
 * Signing of the signed messages (order limits, piece hashes, check-ins, retain requests, graceful exit requests).
 * The signed bytes are the message's protobuf encoding with its signature field empty, so signer and verifier agree
 * without a separate canonical form.
 */
import { sign, verify, type Identity } from '@dcsim/identity';
import { CheckInRequest } from '../gen/contact.js';
import { OrderLimit, PieceHash } from '../gen/orders.js';
import { RetainRequest } from '../gen/piecestore.js';

const EMPTY = new Uint8Array(0);

function orderLimitSigningBytes(limit: OrderLimit): Uint8Array {
  return OrderLimit.encode({ ...limit, satelliteSignature: EMPTY }).finish();
}

export function signOrderLimit(satellite: Identity, limit: OrderLimit): OrderLimit {
  return { ...limit, satelliteSignature: sign(satellite, orderLimitSigningBytes(limit)) };
}

export function verifyOrderLimitSignature(satellitePublicKey: Uint8Array, limit: OrderLimit): boolean {
  return verify(satellitePublicKey, orderLimitSigningBytes(limit), limit.satelliteSignature);
}

function pieceHashSigningBytes(hash: PieceHash): Uint8Array {
  return PieceHash.encode({ ...hash, signature: EMPTY }).finish();
}

export function signPieceHash(node: Identity, hash: PieceHash): PieceHash {
  return { ...hash, signature: sign(node, pieceHashSigningBytes(hash)) };
}

export function verifyPieceHashSignature(nodePublicKey: Uint8Array, hash: PieceHash): boolean {
  return verify(nodePublicKey, pieceHashSigningBytes(hash), hash.signature);
}

export function signCheckIn(node: Identity, request: CheckInRequest): CheckInRequest {
  const bytes = CheckInRequest.encode({ ...request, signature: EMPTY }).finish();
  return { ...request, signature: sign(node, bytes) };
}

export function verifyCheckInSignature(request: CheckInRequest): boolean {
  const bytes = CheckInRequest.encode({ ...request, signature: EMPTY }).finish();
  return verify(request.publicKey, bytes, request.signature);
}

function retainSigningBytes(request: RetainRequest): Uint8Array {
  return RetainRequest.encode({ ...request, satelliteSignature: EMPTY }).finish();
}

/** The satellite signs each garbage-collection request, naming the node in it (piecestore.proto says why). */
export function signRetainRequest(satellite: Identity, request: RetainRequest): RetainRequest {
  return { ...request, satelliteSignature: sign(satellite, retainSigningBytes(request)) };
}

export function verifyRetainRequestSignature(satellitePublicKey: Uint8Array, request: RetainRequest): boolean {
  return verify(satellitePublicKey, retainSigningBytes(request), request.satelliteSignature);
}

/** A message a node signs with its identity: its encoding with `signature` empty (graceful exit requests). */
interface NodeSigned {
  signature: Uint8Array;
}
interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
}

export function signNodeMessage<T extends NodeSigned>(node: Identity, codec: Codec<T>, message: T): T {
  return { ...message, signature: sign(node, codec.encode({ ...message, signature: EMPTY }).finish()) };
}

export function verifyNodeMessage<T extends NodeSigned>(nodePublicKey: Uint8Array, codec: Codec<T>, message: T): boolean {
  return verify(nodePublicKey, codec.encode({ ...message, signature: EMPTY }).finish(), message.signature);
}
