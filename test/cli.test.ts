/**
 * The `uplink` CLI against a real network (one satellite, four storage nodes, one start for the whole file):
 * buckets, uploads and downloads byte for byte (files, ranges, stdin/stdout), listings that show the satellite
 * no plaintext key, metadata, the teaching output of `cp --explain`, sharing a read-only grant that is then
 * refused an upload and, once revoked, refused everything; access create from a passphrase on stdin; and the
 * one-line errors that name the bucket or object.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTestnet, type TestNet, type UplinkRun } from './harness.js';
import { ok, useTempDir } from './support/fixtures.js';

const SEGMENT = 64 * 1024;
const work = useTempDir('uplink-cli-e2e-');

/** Exit 1 with exactly one line on stderr matching `pattern`. */
function failsWith(run: UplinkRun, pattern: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr.trimEnd()).toMatch(pattern);
}

describe('uplink CLI on a real network', () => {
  it('mb, cp, ls, meta, share, revoke, rm, rb, mv, access create', { timeout: 300_000 }, async () => {
    await withTestnet({ nodes: 4, segmentSize: SEGMENT, inlineThreshold: 4096 }, async (net: TestNet) => {
      const uplink = (args: string[], input?: string | Uint8Array, env?: NodeJS.ProcessEnv) =>
        net.runUplink(args, { input, env: { XDG_CONFIG_HOME: join(work(), 'xdg'), ...env } });

      // Buckets
      expect(ok(await uplink(['mb', 'sj://cli'])).stdout).toBe('Bucket "cli" created\n');
      failsWith(await uplink(['mb', 'sj://cli']), /^uplink: bucket already exists: cli$/);

      // Upload a file of several segments, with metadata, and explain it.
      const secretName = `secret-name-${randomBytes(4).toString('hex')}`;
      const data = randomBytes(3 * SEGMENT + 1234);
      const local = join(work(), 'upload.bin');
      writeFileSync(local, data);
      const up = ok(
        await uplink(['cp', local, `sj://cli/docs/${secretName}.bin`, '--explain', '--metadata', '{"color":"blue","owner":"ada"}']),
      );
      expect(up.stdout).toContain(`upload ${local} to sj://cli/docs/${secretName}.bin\n`);
      expect(up.stdout).toMatch(/^Redundancy {4}: 1\/2\/2\/3, 256-byte shares/m);
      expect(up.stdout).toMatch(/^Segments {6}: 4$/m);
      const encryptedKey = /^Encrypted key : ([0-9a-f]+)$/m.exec(up.stdout)![1];
      expect(encryptedKey).not.toContain(Buffer.from(secretName).toString('hex'));
      // Each remote segment lists its pieces: piece number, node ID, address, piece ID, status.
      // (n = 3 of the 4 nodes per segment: a node may have been left out of all four.)
      expect(net.nodes.filter((node) => up.stdout.includes(node.id)).length).toBeGreaterThanOrEqual(3);
      expect(up.stdout).toMatch(/^ {2}0 +\S+ +127\.0\.0\.1:\d+ +[A-Z2-7]{52} +(stored|cancelled)/m);

      // Download: byte-identical, and which nodes served which pieces.
      const down = join(work(), 'download.bin');
      const get = ok(await uplink(['cp', `sj://cli/docs/${secretName}.bin`, down, '--explain']));
      expect(Buffer.compare(readFileSync(down), data)).toBe(0);
      expect(get.stdout).toMatch(/^Segment 0 {5}: \d+ pieces downloaded and verified from \d+ nodes \(1 needed\)$/m);
      expect(get.stdout).toMatch(/ downloaded$/m);

      // Ranges, to stdout.
      const range = ok(await uplink(['cp', `sj://cli/docs/${secretName}.bin`, '-', '--range', `bytes=${SEGMENT - 10}-${SEGMENT + 9}`]));
      expect(Buffer.compare(range.stdoutBytes, data.subarray(SEGMENT - 10, SEGMENT + 10))).toBe(0);
      const tail = ok(await uplink(['cp', `sj://cli/docs/${secretName}.bin`, '-', '--range', 'bytes=-7']));
      expect(Buffer.compare(tail.stdoutBytes, data.subarray(data.length - 7))).toBe(0);

      // stdin → object → stdout.
      const text = `from stdin ${randomBytes(8).toString('hex')}\n`;
      expect(ok(await uplink(['cp', '-', 'sj://cli/stdin.txt'], text)).stdout).toBe('upload - to sj://cli/stdin.txt\n');
      expect(ok(await uplink(['cp', 'sj://cli/stdin.txt', '-'])).stdout).toBe(text);

      // Listings: decrypted here; --encrypted is what the satellite has, and holds no plaintext name.
      expect(ok(await uplink(['ls'])).stdout).toMatch(/^CREATED +NAME\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +cli\n$/);
      const top = ok(await uplink(['ls', 'sj://cli']));
      expect(top.stdout).toMatch(/^PRE +docs\/$/m);
      expect(top.stdout).toMatch(/^OBJ +\S+ \S+ +\d+ +stdin\.txt$/m);
      expect(ok(await uplink(['ls', 'sj://cli/docs/'])).stdout).toMatch(new RegExp(`^OBJ .* ${data.length} +${secretName}\\.bin$`, 'm'));
      const encrypted = ok(await uplink(['ls', '--recursive', '--encrypted', 'sj://cli']));
      expect(encrypted.stdout).not.toContain(secretName);
      expect(encrypted.stdout).not.toContain('stdin');
      expect(encrypted.stdout).toContain(encryptedKey);

      // Metadata, decrypted.
      expect(ok(await uplink(['meta', 'get', `sj://cli/docs/${secretName}.bin`])).stdout).toBe(
        '{\n  "color": "blue",\n  "owner": "ada"\n}\n',
      );
      expect(ok(await uplink(['meta', 'get', `sj://cli/docs/${secretName}.bin`, 'owner'])).stdout).toBe('ada\n');

      // A read-only share of docs/: it downloads, it may not upload, and revoked it may do nothing.
      const share = ok(await uplink(['share', '--readonly', 'sj://cli/docs/']));
      expect(share.stdout).toContain('Upload       : Disallowed\n');
      const shared = /^Access\s*: (\S+)$/m.exec(share.stdout)![1];
      const viaShare = ok(await uplink(['--access', shared, 'cp', `sj://cli/docs/${secretName}.bin`, '-', '--range', 'bytes=0-99']));
      expect(Buffer.compare(viaShare.stdoutBytes, data.subarray(0, 100))).toBe(0);
      const refused = await uplink(['--access', shared, 'cp', local, 'sj://cli/docs/new.bin']);
      failsWith(refused, /^uplink: access denied: .*disallow_writes/m);
      expect(ok(await uplink(['access', 'revoke', shared])).stdout).toBe('Revoked the access grant\n');
      failsWith(await uplink(['--access', shared, 'ls', 'sj://cli/docs/']), /^uplink: access revoked/);
      // The grant it was derived from still works.
      ok(await uplink(['ls', 'sj://cli/docs/']));

      // mv: the new key has the bytes (and metadata), the old one is gone.
      expect(ok(await uplink(['mv', 'sj://cli/stdin.txt', 'sj://cli/moved/'])).stdout).toBe(
        'Move sj://cli/stdin.txt to sj://cli/moved/stdin.txt\n',
      );
      expect(ok(await uplink(['cp', 'sj://cli/moved/stdin.txt', '-'])).stdout).toBe(text);
      failsWith(await uplink(['cp', 'sj://cli/stdin.txt', '-']), /^uplink: object not found: sj:\/\/cli\/stdin\.txt$/);

      // rm, rb, rb --force.
      expect(ok(await uplink(['rm', 'sj://cli/moved/stdin.txt'])).stdout).toBe('removed sj://cli/moved/stdin.txt\n');
      failsWith(await uplink(['rm', 'sj://cli/moved/stdin.txt']), /^uplink: object not found: sj:\/\/cli\/moved\/stdin\.txt$/);
      failsWith(await uplink(['rb', 'sj://cli']), /^uplink: bucket cli is not empty/);
      expect(ok(await uplink(['rb', '--force', 'sj://cli'])).stdout).toBe('Bucket "cli" has been deleted.\n');
      failsWith(await uplink(['ls', 'sj://cli']), /^uplink: bucket not found: cli$/);
      ok(await uplink(['mb', 'sj://empty']));
      expect(ok(await uplink(['rb', 'sj://empty'])).stdout).toBe('Bucket "empty" has been deleted.\n');

      // access create with the passphrase on stdin gives the testnet's own grant, saved as the default.
      const created = ok(
        await uplink(
          ['access', 'create', '--satellite-address', net.satelliteUrl, '--api-key', net.apiKey, '--import-as', 'mine'],
          `${net.passphrase}\n`,
          { UPLINK_ACCESS: '' },
        ),
      );
      expect(created.stdout).toMatch(/^Imported access "mine" to ".*dcsim-uplink\/access\.json"\n$/);
      const saved = JSON.parse(readFileSync(join(work(), 'xdg', 'dcsim-uplink', 'access.json'), 'utf8'));
      expect(saved).toEqual({ default: 'mine', accesses: { mine: net.access } });
      // With no UPLINK_ACCESS the saved default is used.
      expect(ok(await uplink(['ls'], undefined, { UPLINK_ACCESS: '' })).stdout).toBe('');
    });
  });
});
