/**
 * The satellite this node works for. The node is configured with the satellite's ID only; it learns the
 * public key from the check-in response and accepts it only if it hashes to that ID, so a man in the
 * middle cannot slip in a key of its own. Until then the node refuses all piece requests.
 */
import { shortNodeId } from '@dcsim/common/short';
import { idMatchesKey } from '@dcsim/identity';
import { StorageNodeError } from './errors.js';

export class UntrustedKeyError extends StorageNodeError {}

export class TrustedSatellite {
  private key: Uint8Array | undefined;
  /** The node gracefully exited this satellite (graceful-exit.ts): it refuses its order limits and checks in no more. */
  exited = false;

  constructor(
    readonly id: Uint8Array,
    readonly address: string,
  ) {}

  /** The satellite's public key, once a check-in has proven it. */
  get publicKey(): Uint8Array | undefined {
    return this.key;
  }

  /** Accepts the key the satellite sent if it belongs to the configured ID; throws otherwise. */
  accept(publicKey: Uint8Array): void {
    if (publicKey.length === 0) throw new UntrustedKeyError('satellite sent no public key');
    if (!idMatchesKey(this.id, publicKey)) {
      throw new UntrustedKeyError(
        `satellite at ${this.address} sent a public key that does not belong to satellite ID ${shortNodeId(this.id)}: not trusting it`,
      );
    }
    this.key = publicKey;
  }
}
