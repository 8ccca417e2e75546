/**
 * Where the gateway finds, for an S3 access key ID, the secret to check signatures with and the access
 * grant to run the request under: one fixed pair (single-tenant), or the auth service (multi-tenant).
 */

export interface Credentials {
  /** The S3 secret key the client signs with. */
  secretKey: string;
  /** Serialized access grant: API key and encryption keys. */
  access: string;
}

export interface CredentialStore {
  /** undefined: no such access key ID (InvalidAccessKeyId). */
  lookup(accessKeyId: string): Promise<Credentials | undefined>;
  close?(): void;
}

/** Single-tenant: one access key ID, its secret and the grant behind them, from the command line. */
export function staticCredentials(accessKeyId: string, secretKey: string, access: string): CredentialStore {
  return { lookup: async (id) => (id === accessKeyId ? { secretKey, access } : undefined) };
}
