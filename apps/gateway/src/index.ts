/** @dcsim/gateway: the S3 gateway and its auth service, as a library for tests and the testnet. */
export { createS3Server, type S3ServerOptions } from './s3/server.js';
export { ProjectPool } from './projects.js';
export { staticCredentials, type CredentialStore, type Credentials } from './credentials.js';
export { S3Error, type S3ErrorCode } from './s3/errors.js';
export { GatewayError } from './errors.js';
export { createAuthService, type AuthServiceOptions } from './auth/service.js';
export { AuthServiceCredentials } from './auth/client.js';
export { AuthDb, AUTH_DB_FILE } from './auth/db.js';
export { parseAccessKeyId, newAccessKey, newSecretKey } from './auth/keys.js';
