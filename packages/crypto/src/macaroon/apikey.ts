/**
 * API keys: macaroons as the satellite and uplink use them (storj/common macaroon/apikey.go), printed as
 * base58check version 0. `check` is the satellite's whole authorization decision for one request.
 */
import { checkDecode, checkEncode } from '../base58.js';
import { caveatRefusal, type Action } from './action.js';
import { decodeCaveat, encodeCaveat, type Caveat } from './caveat.js';
import { Macaroon } from './macaroon.js';
import { parseMacaroon, serializeMacaroon } from './serialize.js';

export type ApiKeyErrorCode = 'malformed' | 'invalid' | 'unauthorized' | 'revoked';

export class ApiKeyError extends Error {
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

  /** A new unrestricted key; the satellite keeps `secret` and stores the head to find it again. */
  static generate(secret: Uint8Array): APIKey {
    return new APIKey(Macaroon.newUnrestricted(secret));
  }

  static parse(text: string): APIKey {
    let decoded;
    try {
      decoded = checkDecode(text.trim());
    } catch (err) {
      throw new ApiKeyError('malformed', `invalid API key: ${(err as Error).message}`);
    }
    if (decoded.version !== 0) throw new ApiKeyError('malformed', `invalid API key: version ${decoded.version}, want 0`);
    return APIKey.fromBytes(decoded.payload);
  }

  static fromBytes(raw: Uint8Array): APIKey {
    try {
      return new APIKey(parseMacaroon(raw));
    } catch (err) {
      throw new ApiKeyError('malformed', `invalid API key: ${(err as Error).message}`);
    }
  }

  head(): Uint8Array {
    return this.macaroon.head;
  }

  tail(): Uint8Array {
    return this.macaroon.tail;
  }

  rawBytes(): Uint8Array {
    return serializeMacaroon(this.macaroon);
  }

  serialize(): string {
    return checkEncode(this.rawBytes(), 0);
  }

  caveats(): Caveat[] {
    return this.macaroon.caveats.map((c) => decodeCaveat(c));
  }

  restrict(caveat: Caveat): APIKey {
    return new APIKey(this.macaroon.addFirstPartyCaveat(encodeCaveat(caveat)));
  }

  tails(secret: Uint8Array): Uint8Array[] {
    return this.macaroon.tails(secret);
  }

  /**
   * Verifies the tail chain against the secret, refuses a key any tail of which is revoked (so revoking a
   * key revokes everything derived from it), and asks every caveat whether it allows the action.
   */
  check(secret: Uint8Array, action: Action, isRevoked?: (tail: Uint8Array) => boolean): void {
    if (!this.macaroon.validate(secret)) throw new ApiKeyError('invalid', 'invalid API key: signature does not verify');
    if (isRevoked && this.tails(secret).some(isRevoked)) throw new ApiKeyError('revoked', 'API key revoked');
    this.macaroon.caveats.forEach((bytes, i) => {
      let caveat: Caveat;
      try {
        caveat = decodeCaveat(bytes);
      } catch {
        throw new ApiKeyError('malformed', `invalid API key: caveat ${i + 1} is not a valid caveat`);
      }
      // Fail closed: a restriction we cannot read might forbid this request.
      if (caveat.hasUnknownFields) throw new ApiKeyError('unauthorized', `caveat ${i + 1} has fields this satellite does not understand`);
      const refusal = caveatRefusal(caveat, action);
      if (refusal) throw new ApiKeyError('unauthorized', `permission denied: ${refusal}`);
    });
  }
}
