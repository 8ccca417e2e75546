/**
 * Macaroons as Storj uses them: a random head, a list of caveats, and a tail that chains HMAC-SHA256 over
 * them: tail₀ = HMAC(secret, head), tailᵢ₊₁ = HMAC(tailᵢ, caveatᵢ). Anyone holding a macaroon can add a
 * caveat (and so only narrow it); only the satellite, holding the secret, can recompute the chain.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export class Macaroon {
  constructor(
    readonly head: Uint8Array,
    readonly caveats: readonly Uint8Array[],
    readonly tail: Uint8Array,
  ) {}

  static newUnrestricted(secret: Uint8Array, head: Uint8Array = new Uint8Array(randomBytes(32))): Macaroon {
    return new Macaroon(head, [], sign(secret, head));
  }

  addFirstPartyCaveat(caveat: Uint8Array): Macaroon {
    return new Macaroon(this.head, [...this.caveats, caveat], sign(this.tail, caveat));
  }

  /** Every tail of the chain: after the head, then after each caveat. The last one is `tail`. */
  tails(secret: Uint8Array): Uint8Array[] {
    const out = [sign(secret, this.head)];
    for (const c of this.caveats) out.push(sign(out[out.length - 1], c));
    return out;
  }

  validate(secret: Uint8Array): boolean {
    const expected = this.tails(secret).at(-1)!;
    return expected.length === this.tail.length && timingSafeEqual(expected, this.tail);
  }
}

function sign(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}
