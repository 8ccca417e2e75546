/**
 * The uplink CLI as a user runs it (a child process): `access inspect` prints exactly what Storj's uplink
 * prints, `encrypt-key` prints the encrypted key Storj computes, and a bad grant ends with one line on
 * stderr naming the problem and exit code 1.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkDecode, checkEncode } from '@dcsim/common/base58';
import { CipherSuite, Store } from '@dcsim/crypto/encryption';
import { serializeAccess } from '@dcsim/crypto/grant';
import { APIKey } from '@dcsim/crypto/macaroon';
import { describe, expect, it } from 'vitest';
import { runUplink } from '../../../test/harness.js';
import { useTempDir } from '../../../test/support/fixtures.js';

// Storj's known-answer vectors, kept with the crypto package's tests (packages/crypto/test/vectors/README.md).
const vector = (name: string) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../packages/crypto/test/vectors/${name}`, import.meta.url)), 'utf8'));
const grants = vector('access-grants.json').grants[0];
const pathVector = vector('path-encryption.json').vectors[0];

// An empty config dir, so no saved access of the machine running the tests is picked up.
const configDir = useTempDir('uplink-cli-test-');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI's bin script (through tsx, as `npx uplink` does) with no access in the environment. */
async function uplink(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { code, stdout, stderr } = await runUplink(args, {
    runner: 'tsx',
    env: { UPLINK_ACCESS: '', UPLINK_CONFIG_DIR: configDir(), ...env },
  });
  return { code, stdout, stderr };
}

const expectedInspect = `${JSON.stringify(grants.inspect, null, 2)}\n`;

describe('uplink access inspect', () => {
  it('prints the JSON Storj prints, from the argument, --access or UPLINK_ACCESS', async () => {
    const [fromArg, fromFlag, fromEnv] = await Promise.all([
      uplink(['access', 'inspect', grants.grant]),
      uplink(['access', 'inspect', '--access', grants.grant]),
      uplink(['access', 'inspect'], { UPLINK_ACCESS: grants.grant }),
    ]);
    for (const run of [fromArg, fromFlag, fromEnv]) expect(run).toEqual({ code: 0, stdout: expectedInspect, stderr: '' });
  });

  it('has --help', async () => {
    const run = await uplink(['access', 'inspect', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: uplink access inspect/);
  });

  it('refuses malformed grants with one line naming the problem', async () => {
    const payload = checkDecode(grants.grant).payload;
    const noSatellite = payload.subarray(payload.indexOf(0x12)); // drop field 1, keep the rest
    // The vector's satellite and key, with the macaroon cut short by 5 bytes.
    const satellite = new TextEncoder().encode(grants.inspect.satellite_addr);
    const macaroon = checkDecode(grants.inspect.api_key).payload;
    const cut = macaroon.subarray(0, macaroon.length - 5);
    const badMacaroon = new Uint8Array([0x0a, satellite.length, ...satellite, 0x12, cut.length, ...cut, 0x1a, 0x00]);
    const cases: [string, string, RegExp][] = [
      ['bad checksum', grants.grant.slice(0, -1) + (grants.grant.endsWith('Q') ? 'R' : 'Q'), /checksum mismatch/],
      ['wrong version', checkEncode(payload, 1), /base58check version 1, want 0/],
      ['truncated protobuf', checkEncode(payload.subarray(0, payload.length - 20)), /truncated protobuf/],
      ['missing satellite address', checkEncode(noSatellite), /no satellite address/],
      ['bad macaroon', checkEncode(badMacaroon), /malformed API key: macaroon is truncated/],
    ];
    const runs = await Promise.all(cases.map(([, grant]) => uplink(['access', 'inspect', grant])));
    cases.forEach(([name, grant, reason], i) => {
      const run = runs[i];
      expect(run.code, name).toBe(1);
      expect(run.stdout, name).toBe('');
      expect(run.stderr, name).toMatch(/^uplink: [^\n]*\n$/);
      expect(run.stderr, name).toMatch(reason);
      expect(run.stderr, name).not.toContain(grant); // a grant is a secret: never echoed
    });
  });
});

describe('uplink encrypt-key', () => {
  it('prints the encrypted object key Storj computes, as lowercase hex', async () => {
    const store = new Store({
      defaultKey: new Uint8Array(Buffer.from(pathVector.root_key_hex, 'hex')),
      defaultPathCipher: CipherSuite.AESGCM,
    });
    const grant = serializeAccess({
      satelliteAddress: '1sat@127.0.0.1:7777',
      apiKey: APIKey.generate(new Uint8Array(32)),
      encAccess: { store },
    });
    const run = await uplink(['encrypt-key', '--access', grant, `sj://${pathVector.bucket}/${pathVector.path}`]);
    expect(run).toEqual({ code: 0, stdout: `${pathVector.encrypted_path_hex}\n`, stderr: '' });
  });

  it('says what is missing', async () => {
    const run = await uplink(['encrypt-key', '--access', grants.grant, 'sj://bucket']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^uplink: "sj:\/\/bucket" names no object key\n$/);
  });
});
