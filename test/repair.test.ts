/**
 * Repair on a real network (issue 14): the satellite finds segments that lost pieces, rebuilds them from k
 * healthy pieces onto new nodes and swaps the segment's piece list, never seeing plaintext or a key.
 *
 * Every segment of the object is placed on the same four nodes (the four spares are stopped, and known offline,
 * during the upload), so "stop every holder but k" is the same two nodes for every segment.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { nodeIdString } from '@dcsim/common/nodeid';
import { deriveContentKey, derivePathKey } from '@dcsim/crypto/encryption';
import { parseAccess, restrictAccess, serializeAccess } from '@dcsim/crypto/grant';
import { layout } from '../scripts/testnet/layout.js';
import { withTestnet, type TestNet } from './harness.js';
import { scanDir, type Finding } from './support/leak-scan.js';
import { readAll } from './support/streams.js';

const SEGMENT = 64 * 1024;
const HOLDERS = [0, 1, 2, 3];
const SPARES = [4, 5, 6, 7];
const run = randomBytes(4).toString('hex');
const marker = (what: string) => `dcsim-repair-${what}-${run}`;
const KEY = `${marker('folder')}/${marker('file')}`;

/** One marker repeated: any plaintext stripe on disk would contain it whole. */
function content(tag: string, size: number): Uint8Array {
  const unit = Buffer.from(`${marker(tag)}|`);
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += unit.length) unit.copy(out, at);
  return new Uint8Array(out);
}

interface PiecesJson {
  segments: { index: number; inline: boolean; pieces: { number: number; nodeId: string; address: string; online: boolean }[] }[];
}

async function piecesOf(net: TestNet, key = KEY): Promise<PiecesJson> {
  const cli = await net.runUplink(['pieces', '--json', `sj://repair/${key}`]);
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  return JSON.parse(cli.stdout) as PiecesJson;
}

/** The satellite's own records: (segment index, piece number, node ID) of every piece, from its database file. */
function recordedPieces(net: TestNet): string[] {
  const sql = new BetterSqlite3(join(net.satelliteDir, 'satellite.db'), { readonly: true });
  try {
    const rows = sql.prepare<[], { idx: number; num: number; node: Uint8Array }>(
      `SELECT p.idx, p.piece_num AS num, p.node_id AS node FROM pieces p JOIN objects o ON o.stream_id = p.stream_id
        WHERE o.status = 'committed'`,
    );
    return rows
      .all()
      .map((r) => `${r.idx}/${r.num}@${nodeIdString(r.node)}`)
      .sort();
  } finally {
    sql.close();
  }
}

const flatten = (json: PiecesJson) => json.segments.flatMap((s) => s.pieces.map((p) => `${s.index}/${p.number}@${p.nodeId}`)).sort();
const holdersOf = (net: TestNet, json: PiecesJson) =>
  new Set(json.segments.flatMap((s) => s.pieces.map((p) => net.nodes.findIndex((n) => n.id === p.nodeId))));

/** Uploads `data` with every segment on nodes 0-3: the spares are stopped, and the satellite told so, meanwhile. */
async function uploadOnHolders(net: TestNet, key: string, data: Uint8Array): Promise<void> {
  await Promise.all(SPARES.map((i) => net.nodes[i].stop()));
  await net.satellite.runChore('node-liveness');
  const project = await net.uplink();
  await project.ensureBucket('repair');
  await project.upload('repair', key, data);
  await Promise.all(SPARES.map((i) => net.nodes[i].start()));
}

/** withTestnet keeps the background checker and repairer off: each test runs them when it means to, so none races it. */
const OPTIONS = {
  nodes: 8,
  scheme: '2/3/4/4',
  segmentSize: SEGMENT,
};

describe('repair', () => {
  it('rebuilds the pieces of stopped nodes on new ones: the object then downloads from repaired pieces alone', async () => {
    await withTestnet(OPTIONS, async (net) => {
      const data = content('content', 3 * SEGMENT + 12_345);
      await uploadOnHolders(net, KEY, data);
      const before = await piecesOf(net);
      expect(before.segments.length).toBe(4);
      expect([...holdersOf(net, before)].sort()).toEqual(HOLDERS);
      expect(flatten(before)).toEqual(recordedPieces(net));

      // Every holder but k = 2 goes away: 2 healthy pieces, at or below the repair threshold of 3.
      await Promise.all([net.nodes[2].stop(), net.nodes[3].stop()]);
      const report = await net.satellite.repair();
      expect(report).toMatch(/repair checker: 4 remote segment\(s\) checked, 4 queued for repair/);
      expect(report).toMatch(/repairer: 4 segment\(s\) repaired/);

      const after = await piecesOf(net);
      expect(flatten(after)).toEqual(recordedPieces(net));
      for (const segment of after.segments) {
        const nodes = segment.pieces.map((p) => net.nodes.findIndex((n) => n.id === p.nodeId));
        // Back at optimal (4): the two survivors and two new nodes; the stopped nodes' pieces left the segment.
        expect(segment.pieces.length).toBe(4);
        expect(nodes.filter((i) => i === 0 || i === 1).length).toBe(2);
        expect(nodes.filter((i) => SPARES.includes(i)).length).toBe(2);
        expect(new Set(segment.pieces.map((p) => p.number)).size).toBe(4);
        expect(segment.pieces.every((p) => p.online)).toBe(true);
      }

      // The satellite pays for its own transfers: the nodes settle the GET_REPAIR and PUT_REPAIR orders it signed.
      await net.tally();
      const usage = (await net.admin('node-usage')) as unknown as { nodes: { settled: Record<string, number> }[] };
      const settled = (action: string) => usage.nodes.reduce((n, node) => n + (node.settled[action] ?? 0), 0);
      expect(settled('GET_REPAIR')).toBeGreaterThan(0);
      expect(settled('PUT_REPAIR')).toBeGreaterThan(0);

      // The remaining original holders go too: only repaired pieces are left.
      await Promise.all([net.nodes[0].stop(), net.nodes[1].stop()]);
      const project = await net.uplink();
      expect((await readAll(project.download('repair', KEY))).equals(Buffer.from(data))).toBe(true);

      // `uplink pieces` marks the stopped holders offline once the satellite has pinged them.
      await net.satellite.runChore('node-liveness');
      const offline = await piecesOf(net);
      for (const segment of offline.segments) {
        for (const p of segment.pieces) {
          const i = net.nodes.findIndex((n) => n.id === p.nodeId);
          expect(p.online).toBe(SPARES.includes(i));
          expect(p.address).toBe(net.nodes[i].address);
        }
      }

      const table = await net.runUplink(['pieces', `sj://repair/${KEY}`]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^SEGMENT\s+PIECE\s+NODE\s+ADDRESS\s+ONLINE/);
      for (const i of [0, 1, ...SPARES]) {
        const rows = table.stdout.split('\n').filter((line) => line.includes(net.nodes[i].id));
        expect(rows.every((row) => row.trimEnd().endsWith(SPARES.includes(i) ? 'yes' : 'no'))).toBe(true);
      }

      // Repair saw only erasure shares of ciphertext: no plaintext and no key in the satellite's files, its log
      // (every repair line) or any node's files, new pieces included.
      const grant = parseAccess(net.access);
      const secrets = new Map<string, Uint8Array>([
        ['content marker', Buffer.from(marker('content'))],
        ['key component', Buffer.from(marker('file'))],
        ['passphrase', Buffer.from(net.passphrase)],
        ['root key', grant.encAccess.store.defaultKey!],
        ['derived content key', deriveContentKey(derivePathKey('repair', KEY, grant.encAccess.store))],
      ]);
      const found: Finding[] = [...scanDir(net.satelliteDir, secrets), ...scanDir(layout(net.dir).logsDir, secrets)];
      for (const node of net.nodes) found.push(...scanDir(node.dir, secrets));
      expect(found).toEqual([]);
    });
  });

  it('leaves a segment alone that changed after it was queued: an overwrite wins, its pieces untouched', async () => {
    await withTestnet(OPTIONS, async (net) => {
      await uploadOnHolders(net, 'object', content('v1', 2 * SEGMENT));
      await Promise.all([net.nodes[2].stop(), net.nodes[3].stop()]);
      await net.satellite.runChore('node-liveness');
      await net.satellite.runChore('repair-checker'); // both segments of v1 queued

      const project = await net.uplink();
      const v2 = content('v2', 2 * SEGMENT + 1);
      await project.upload('repair', 'object', v2);
      const placed = flatten(await piecesOf(net, 'object'));

      await net.satellite.runChore('repairer');
      expect(flatten(await piecesOf(net, 'object'))).toEqual(placed);
      // Where the pieces are is read access: a write-only grant is refused.
      const writeOnly = serializeAccess(restrictAccess(parseAccess(net.access), { allowUpload: true }));
      const refused = await net.runUplink(['pieces', 'sj://repair/object'], { env: { UPLINK_ACCESS: writeOnly } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^uplink: access denied/);
      expect((await readAll(project.download('repair', 'object'))).equals(Buffer.from(v2))).toBe(true);
      const log = readFileSync(layout(net.dir).logFile('satellite'), 'utf8');
      expect(log).toMatch(/repair of segment \S+\/0\/0: segment was deleted/);
      expect(log).not.toMatch(/repaired segment/);
    });
  });
});
