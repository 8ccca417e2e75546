/**
 * The testnet's access grant, made the way any uplink makes one (Storj's RequestAccessWithPassphrase): the
 * uplink library asks the satellite for the project's salt with the API key, derives the root key from the
 * passphrase here, and the grant is serialized for `D/env`. Only the API key travels to the satellite.
 */

/**
 * Loads the uplink library. Not at the top of the file, so `testnet status` and `stop` work even while that
 * code is broken; `start` calls this early, so the loading overlaps the satellite's start-up instead of the
 * nodes'.
 */
export function loadUplink(): Promise<[typeof import('@dcsim/uplink'), typeof import('@dcsim/crypto/grant')]> {
  return Promise.all([import('@dcsim/uplink'), import('@dcsim/crypto/grant')]); // Node loads each module once, however often asked
}

export async function requestAccess(satelliteUrl: string, apiKey: string, passphrase: string): Promise<string> {
  const [{ requestAccess: requestGrant }, { serializeAccess }] = await loadUplink();
  return serializeAccess(await requestGrant(satelliteUrl, apiKey, passphrase));
}
