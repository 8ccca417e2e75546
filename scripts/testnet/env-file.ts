/**
 * `D/env`: shell lines that point `uplink` (and later `aws s3`, rclone) at the testnet: `source .testnet/env`.
 * It holds an access grant, which is a secret, so the file is readable by its owner only.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

export interface TestnetEnv {
  /** Access grant: satellite address, API key and the root encryption key derived from the passphrase. */
  UPLINK_ACCESS: string;
  /** `<satellite id>@127.0.0.1:PORT` */
  SATELLITE_ADDR: string;
  /** S3 credentials the auth service issued for UPLINK_ACCESS, and the gateway (when the testnet runs one). */
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  AWS_ENDPOINT_URL?: string;
  AWS_DEFAULT_REGION?: string;
}

/** Single-quotes a value for sh/bash/zsh (grants are base58, but a path or passphrase might not be). */
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function envFileText(env: TestnetEnv, dir: string): string {
  return [
    `# dcsim testnet in ${dir}: source this file, then run uplink commands (local testnet only).`,
    ...Object.entries(env)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `export ${name}=${shellQuote(value!)}`),
    '',
  ].join('\n');
}

export function writeEnvFile(file: string, env: TestnetEnv, dir: string): void {
  writeFileSync(file, envFileText(env, dir), { mode: 0o600 });
  chmodSync(file, 0o600); // also when an older file was there
}

/** Reads the variables back (tests, and `status`). Understands exactly the lines writeEnvFile writes. */
export function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (match) vars[match[1]] = match[2].replaceAll(`'\\''`, "'");
  }
  return vars;
}
