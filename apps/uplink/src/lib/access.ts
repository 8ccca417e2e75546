/**
 * Requesting an access grant, as Storj's `RequestAccessWithPassphrase`: ask the satellite for the
 * project's salt (ProjectInfo, authorized by the API key), derive the root key from the passphrase
 * and the salt here (argon2id), and put the satellite address, API key and root key into a grant.
 * Only the API key is sent; the passphrase and the root key never leave this process.
 */
import { CipherSuite, Store, deriveRootKey } from '@dcsim/crypto/encryption';
import { type AccessGrant } from '@dcsim/crypto/grant';
import { APIKey } from '@dcsim/crypto/macaroon';
import { parseNodeUrl } from '@dcsim/common/nodeid';
import { Transport } from '@dcsim/protocol';
import { InvalidAccessError } from './errors.js';
import { MetainfoConnection } from './metainfo.js';

export interface RequestAccessOptions {
  /** Path cipher of the grant (default AES-GCM; CipherSuite.Null keeps object keys readable to the satellite). */
  pathCipher?: CipherSuite;
  /** Deadline of the ProjectInfo request (default 30 s). */
  timeoutMs?: number;
}

/** `satelliteUrl` is `<node id>@host:port`; `apiKey` the base58 key from `satellite admin create-api-key`. */
export async function requestAccess(
  satelliteUrl: string,
  apiKey: string | APIKey,
  passphrase: string,
  options: RequestAccessOptions = {},
): Promise<AccessGrant> {
  let satellite: { id: Uint8Array; address: string };
  try {
    satellite = parseNodeUrl(satelliteUrl);
  } catch (err) {
    throw new InvalidAccessError(`bad satellite address: ${(err as Error).message}`);
  }
  const key = typeof apiKey === 'string' ? parseApiKey(apiKey) : apiKey;
  if (passphrase.length === 0) throw new InvalidAccessError('the passphrase must not be empty');

  const metainfo = new MetainfoConnection(satellite, key.rawBytes(), Transport.ephemeral(), options.timeoutMs);
  let salt: Uint8Array;
  try {
    salt = (await metainfo.projectInfo()).projectSalt;
  } finally {
    metainfo.close();
  }
  const rootKey = await deriveRootKey(passphrase, salt);
  const store = new Store({ defaultKey: rootKey, defaultPathCipher: options.pathCipher ?? CipherSuite.AESGCM });
  return { satelliteAddress: satelliteUrl, apiKey: key, encAccess: { store } };
}

function parseApiKey(text: string): APIKey {
  try {
    return APIKey.parse(text.trim());
  } catch (err) {
    throw new InvalidAccessError(`cannot parse the API key: ${(err as Error).message}`);
  }
}
