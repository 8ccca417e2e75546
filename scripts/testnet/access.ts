/**
 * The testnet's access grant, made the way any uplink makes one (Storj's RequestAccessWithPassphrase): the
 * uplink library asks the satellite for the project's salt with the API key, derives the root key from the
 * passphrase here, and the grant is serialized for `D/env`. Only the API key travels to the satellite.
 */

export async function requestAccess(satelliteUrl: string, apiKey: string, passphrase: string): Promise<string> {
  // Loaded here, not at the top, so `testnet status` and `stop` work even while that code is broken.
  const [{ requestAccess: requestGrant }, { serializeAccess }] = await Promise.all([import('@dcsim/uplink'), import('@dcsim/crypto')]);
  return serializeAccess(await requestGrant(satelliteUrl, apiKey, passphrase));
}
