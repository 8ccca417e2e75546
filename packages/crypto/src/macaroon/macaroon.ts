/**
 * Macaroons as Storj uses them (storj/common macaroon/macaroon.go): a random head, a list of caveats, and a
 * tail that chains HMAC-SHA256 over them: tail₀ = HMAC(secret, head), tailᵢ₊₁ = HMAC(tailᵢ, caveatᵢ).
 * Anyone holding a macaroon can append a caveat (and so only narrow it), because the new tail needs only
 * the old one; only the satellite, holding the secret, can recompute the chain and so verify it.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@dcsim/common/bytes';
import { randomBytes } from '@noble/hashes/utils.js';

export class Macaroon {
  constructor(
    readonly head: Uint8Array,
    /** Each caveat exactly as signed: the encoded Caveat protobuf. */
    readonly caveats: readonly Uint8Array[],
    readonly tail: Uint8Array,
  ) {}

  /** A fresh macaroon with a random 32-byte head (or the given one) and no caveats. */
  static newUnrestricted(secret: Uint8Array, head: Uint8Array = randomBytes(32)): Macaroon {
    return new Macaroon(head, [], sign(secret, head));
  }

  addFirstPartyCaveat(caveat: Uint8Array): Macaroon {
    return new Macaroon(this.head, [...this.caveats, caveat], sign(this.tail, caveat));
  }

  /** Every tail of the chain: after the head, then after each caveat; the last one is what `tail` must be. */
  tails(secret: Uint8Array): Uint8Array[] {
    const out = [sign(secret, this.head)];
    for (const c of this.caveats) out.push(sign(out[out.length - 1], c));
    return out;
  }

  /** Recomputes the chain and compares in constant time, so the comparison leaks nothing about the tail. */
  validate(secret: Uint8Array): boolean {
    return constantTimeEqual(this.tails(secret).at(-1)!, this.tail);
  }
}

/** HMAC-SHA256 through Node's crypto: a satellite computes one per caveat per request, ~8x faster than pure JS. */
function sign(key: Uint8Array, data: Uint8Array): Uint8Array {
  const mac = createHmac('sha256', key).update(data).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.length);
}
