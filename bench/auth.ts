/**
 * What authorization costs the satellite per request: parsing the macaroon from the request header,
 * finding its head, recomputing the tail chain, checking every caveat against the action and looking
 * every tail up in the revocation list. Measured on the satellite's own Auth class over a real SQLite
 * file, with a 10-caveat key and 10,000 revoked tails. Target: under 100 µs per request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIKey, ActionType, type Caveat } from '@dcsim/crypto/macaroon';
import { Clock } from '@dcsim/process';
import { Auth, openDatabase } from '@dcsim/satellite';

const CAVEATS = 10;
const REVOCATIONS = 10_000;
const ROUNDS = 20_000;
const TARGET_US = 100;

const encoder = new TextEncoder();

/** Ten caveats of the kinds `uplink share` writes: paths, times, operations, each with a nonce. */
function chainOf(key: APIKey): APIKey {
  const now = Date.now();
  for (let i = 0; i < CAVEATS; i++) {
    const caveat: Caveat = {
      allowedPaths: [{ bucket: encoder.encode('bench'), encryptedPathPrefix: encoder.encode('enc-prefix') }],
      notBefore: new Date(now - 3_600_000),
      notAfter: new Date(now + 3_600_000),
      disallowDeletes: i % 2 === 0,
      nonce: randomBytes(4),
    };
    key = key.restrict(caveat);
  }
  return key;
}

export default async function authBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dcsim-auth-bench-'));
  try {
    const db = openDatabase(join(dir, 'satellite.db'));
    const project = db.projects.create('bench');
    const secret = randomBytes(32);
    const root = APIKey.generate(secret);
    db.apiKeys.create(project.id, root.head(), secret, 'bench');
    db.transaction(() => {
      for (let i = 0; i < REVOCATIONS; i++) db.revocations.add(randomBytes(32), Date.now());
    });
    const auth = new Auth(db, new Clock());
    const header = { apiKey: chainOf(root).rawBytes() };
    const action = { op: ActionType.Read, bucket: 'bench', encryptedPath: encoder.encode('enc-prefix/object') };

    for (let i = 0; i < 2_000; i++) auth.authorize(header, action); // warm up the JIT
    const start = process.hrtime.bigint();
    for (let i = 0; i < ROUNDS; i++) auth.authorize(header, action);
    const perRequestUs = Number(process.hrtime.bigint() - start) / 1000 / ROUNDS;

    console.log(
      `macaroon with ${CAVEATS} caveats, ${REVOCATIONS.toLocaleString('en')} revoked tails, ${ROUNDS.toLocaleString('en')} requests`,
    );
    console.log(`  authorize (parse + head lookup + tail chain + caveats + revocations): ${perRequestUs.toFixed(1)} µs/request`);
    console.log(`  target: < ${TARGET_US} µs  ${perRequestUs < TARGET_US ? 'met' : 'MISSED'}`);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
