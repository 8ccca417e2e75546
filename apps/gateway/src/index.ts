/** @dcsim/gateway: the S3 gateway and its auth service, as a library for tests and the testnet. */
export { createS3Server, type S3ServerOptions } from './s3/server.js';
export { ProjectPool } from './projects.js';
export { staticCredentials, type CredentialStore, type Credentials } from './credentials.js';
export { S3Error, type S3ErrorCode } from './s3/errors.js';
