/**
 * The base class of every error the gateway throws on purpose (S3 errors it answers, auth service refusals,
 * bad flags), so `instanceof GatewayError` tells them from bugs. The uplink's errors it receives are mapped
 * to S3 errors by their type (s3/uplink-errors.ts).
 */
export class GatewayError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
