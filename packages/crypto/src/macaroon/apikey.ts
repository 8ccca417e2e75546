/**
 * API keys: macaroons as the satellite and uplink use them (storj/common macaroon/apikey.go), printed as
 * base58check version 0 of the binary macaroon. `check` is the satellite's whole authorization decision
 * for one request; everything else here is what an uplink may do with a key without the secret.
 */
import { checkDecode, checkEncode } from '@dcsim/common/base58';
import { constantTimeEqual } from '@dcsim/common/bytes';
import { CryptoError } from '../errors.js';
import type { Action } from './action.js';
import { caveatRefusal, decodeCaveat, encodeCaveat, type Caveat } from './caveat.js';
import { Macaroon } from './macaroon.js';
import { parseMacaroon, serializeMacaroon } from './serialize.js';

export { ActionType, type Action } from './action.js';

/**
 * malformed: not a macaroon, or a caveat that does not decode; invalid: the tail chain does not verify
 * (wrong secret, tampered bytes); unauthorized: a caveat refuses the action; revoked: a tail is revoked.
 */
export type ApiKeyErrorCode = 'malformed' | 'invalid' | 'unauthorized' | 'revoked';

export class ApiKeyError extends CryptoError {
  override name = 'ApiKeyError';
  constructor(
    readonly code: ApiKeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class APIKey {
  private constructor(readonly macaroon: Macaroon) {}

  /** A new unrestricted key with a random 32-byte head; the satellite keeps `secret` and finds it by the head. */
  static generate(secret: Uint8Array): APIKey {
    return new APIKey(Macaroon.newUnrestricted(secret));
  }

  /** A key from its parts, as Storj's FromParts: head, secret, then each caveat appended in turn. */
  static fromParts(head: Uint8Array, secret: Uint8Array, ...caveats: Caveat[]): APIKey {
    return caveats.reduce((key, c) => key.restrict(c), new APIKey(Macaroon.newUnrestricted(secret, head.slice())));
  }

  /** Parses the printed form (base58check version 0); does not verify anything. */
  static parse(text: string): APIKey {
    let decoded;
    try {
      decoded = checkDecode(text.trim());
    } catch (err) {
      throw new ApiKeyError('malformed', `invalid API key: ${(err as Error).message}`);
    }
    if (decoded.version !== 0) throw new ApiKeyError('malformed', `invalid API key: base58check version ${decoded.version}, want 0`);
    return APIKey.fromBytes(decoded.payload);
  }

  /** Parses the binary macaroon (what requests carry in their header); does not verify anything. */
  static fromBytes(raw: Uint8Array): APIKey {
    try {
      return new APIKey(parseMacaroon(raw));
    } catch (err) {
      throw new ApiKeyError('malformed', `invalid API key: ${(err as Error).message}`);
    }
  }

  /** The root ancestor's id: the same for a key and everything restricted from it. */
  head(): Uint8Array {
    return this.macaroon.head.slice();
  }

  /** This key's own signature: what revocation records. */
  tail(): Uint8Array {
    return this.macaroon.tail.slice();
  }

  rawBytes(): Uint8Array {
    return serializeMacaroon(this.macaroon);
  }

  serialize(): string {
    return checkEncode(this.rawBytes(), 0);
  }

  /** The decoded caveats, oldest first. */
  caveats(): Caveat[] {
    return this.macaroon.caveats.map((bytes, i) => {
      try {
        return decodeCaveat(bytes);
      } catch (err) {
        throw new ApiKeyError('malformed', `invalid API key: caveat ${i + 1}: ${(err as Error).message}`);
      }
    });
  }

  /** A child key that additionally obeys `caveat`. Needs no secret, and can only narrow what the key allows. */
  restrict(caveat: Caveat): APIKey {
    return new APIKey(this.macaroon.addFirstPartyCaveat(encodeCaveat(caveat)));
  }

  /** Every tail of the chain, recomputed with the secret: after the head, then after each caveat. */
  tails(secret: Uint8Array): Uint8Array[] {
    return this.macaroon.tails(secret);
  }

  /**
   * The satellite's check, in Storj's order: the tail chain must verify against the secret (compared in
   * constant time), every caveat must decode and allow the action, and no tail of the chain may be
   * revoked, so revoking a key revokes everything derived from it. Throws ApiKeyError; returns if allowed.
   */
  check(secret: Uint8Array, action: Action, isRevoked?: (tail: Uint8Array) => boolean): void {
    const tails = this.verify(secret);
    checkCaveats(this.caveats(), action);
    if (isRevoked && tails.some((t) => isRevoked(t))) throw new ApiKeyError('revoked', 'API key revoked');
  }

  /** Recomputes the tail chain and checks it ends in this key's tail; returns every tail, for the revocation check. */
  verify(secret: Uint8Array): Uint8Array[] {
    const tails = this.tails(secret);
    if (!constantTimeEqual(tails.at(-1)!, this.macaroon.tail)) {
      throw new ApiKeyError('invalid', 'invalid API key: signature does not verify');
    }
    return tails;
  }
}

/**
 * Every caveat must allow the action (decoded ones, from `APIKey.caveats`, so a satellite decodes them once
 * per request however many checks it makes).
 *
 * Unlike Storj, a caveat with fields this code does not know is refused: it might restrict something we
 * cannot see, so failing closed is the only safe reading.
 */
export function checkCaveats(caveats: readonly Caveat[], action: Action): void {
  if (Number.isNaN(action.time?.getTime())) throw new ApiKeyError('malformed', 'the action has no valid time');
  caveats.forEach((caveat, i) => {
    if (caveat.hasUnknownFields) {
      throw new ApiKeyError('unauthorized', `permission denied: caveat ${i + 1} has fields this satellite does not understand`);
    }
    const refusal = caveatRefusal(caveat, action);
    if (refusal) throw new ApiKeyError('unauthorized', `permission denied: ${refusal}`);
  });
}
