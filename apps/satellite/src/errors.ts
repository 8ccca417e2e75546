/**
 * The base class of the satellite's own errors (bad settings, admin commands that cannot be done), so
 * `instanceof SatelliteAppError` tells them from bugs. What it answers clients are RpcErrors with a reason
 * (@dcsim/protocol). Not "SatelliteError": that is the uplink's name for a satellite's refusal.
 */
export class SatelliteAppError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
