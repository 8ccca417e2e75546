/**
 * Audits, reputation and disqualification with real processes (issue 14): the satellite fetches one stripe's
 * shares from every piece holder, error-corrects the stripe to name wrong shares, and scores nodes from that.
 * Background audit loops are off (withTestnet's default): each test runs audit rounds itself.
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAdmin } from '@dcsim/process/admin';
import { describe, expect, it } from 'vitest';
import type { AuditRound } from '../scripts/testnet/audit.js';
import type { TestnetStatus } from '../scripts/testnet/status.js';
import { withTestnet, type TestNet, type TestNode } from './harness.js';
import { readAll } from './support/streams.js';

const MARKER = 'AUDIT-PLAINTEXT-MARKER-';
const plaintext = (n: number, seed: number) => Buffer.from(`${MARKER}${seed}-`.repeat(Math.ceil(n / 30)).slice(0, n));

/** 8 nodes, k = 2, n = 7 (one node can go): every segment has 5 to 7 pieces, so an audit can name 1 or 2 wrong shares. */
const OPTIONS = { nodes: 8, scheme: '2/3/5/7', inlineThreshold: 64 };
/** The satellite's default erasure share size: what one audit fetches from each holder. */
const SHARE_SIZE = 256;

/** What every node settled for `action` (`satellite admin node-usage`), summed. */
async function settledBytes(net: TestNet, action: string): Promise<number> {
  const usage = (await net.admin('node-usage')) as unknown as { nodes: { settled: Record<string, number> }[] };
  return usage.nodes.reduce((n, node) => n + (node.settled[action] ?? 0), 0);
}

function pieceFiles(node: TestNode): { file: string; size: number }[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return walk(join(node.dir, 'pieces')).map((file) => ({ file, size: statSync(file).size }));
}

/** Every piece outcome of a round for one node. */
const outcomesOf = (round: AuditRound, nodeId: string) =>
  round.segments.flatMap((s) => s.pieces.filter((p) => p.nodeId === nodeId).map((p) => p.outcome));

async function statusOf(net: TestNet, node: TestNode) {
  const status = await net.satellite.status();
  return status.processes.find((p) => p.id === node.id)!;
}

/** The satellite only ever sees erasure shares of ciphertext: no share it fetched is a piece of the plaintext. */
function expectNoPlaintext(round: AuditRound, data: Buffer[]): void {
  const samples = round.segments.flatMap((s) => Object.values(s.samples)).map((h) => Buffer.from(h, 'hex'));
  expect(samples.length).toBeGreaterThan(0);
  for (const sample of samples) {
    expect(sample.toString('latin1')).not.toContain('MARKER');
    for (const d of data) expect(d.indexOf(sample)).toBe(-1);
  }
}

describe('audits', () => {
  it('find a node whose every piece is corrupt, disqualify it after 3 failures, and move no other score', async () => {
    await withTestnet(OPTIONS, async (net) => {
      const project = await net.uplink();
      await project.createBucket('audited');
      const data = [0, 1, 2, 3, 4].map((i) => plaintext(3000, i));
      for (const [i, d] of data.entries()) await project.upload('audited', `object-${i}`, d);

      // Audits of healthy nodes pass, and show only shares of ciphertext.
      const clean = await net.satellite.audit();
      expect(clean.segments).toHaveLength(5);
      for (const s of clean.segments) expect(s.pieces.every((p) => p.outcome === 'success')).toBe(true);
      expectNoPlaintext(clean, data);

      // The satellite pays for its audits as an uplink pays for downloads: the nodes settle its GET_AUDIT orders,
      // one share per audited piece.
      await net.tally();
      const audited = clean.segments.reduce((n, s) => n + s.pieces.length, 0);
      expect(await settledBytes(net, 'GET_AUDIT')).toBe(audited * SHARE_SIZE);

      // The node holding the most pieces (by the satellite's records: every node is audited once per piece).
      const held = (n: TestNode) => clean.nodes[n.id]?.success ?? 0;
      const cheat = net.nodes.reduce((a, b) => (held(b) > held(a) ? b : a));
      expect(held(cheat)).toBeGreaterThanOrEqual(4);
      expect(cheat.corruptAll().length).toBeGreaterThanOrEqual(held(cheat));

      const round = await net.satellite.audit();
      const failures = round.segments.flatMap((s) => s.pieces.filter((p) => p.outcome !== 'success'));
      // Exactly that node, in every segment it holds a piece of, until it is disqualified.
      expect(new Set(failures.map((p) => p.nodeId))).toEqual(new Set([cheat.id]));
      expect(failures.every((p) => p.outcome === 'failure' && p.why === 'share data altered')).toBe(true);
      // Applied one after the other (segments audit two at a time, so the report's order may differ): λ, λ², λ³.
      const scores = failures.flatMap((p) => (p.auditScore === undefined ? [] : [p.auditScore])).sort((a, b) => b - a);
      expect(scores).toEqual([expect.closeTo(0.985, 6), expect.closeTo(0.970225, 6), expect.closeTo(0.955672, 6)]);

      const viewed = await net.satellite.status();
      for (const p of viewed.processes.filter((x) => x.name.startsWith('node-'))) {
        if (p.id === cheat.id) {
          expect(p).toMatchObject({ disqualified: true, online: true });
          expect(p.auditScore).toBeLessThanOrEqual(0.96);
        } else {
          expect(p).toMatchObject({ disqualified: false, suspended: false, auditScore: 1 });
        }
      }

      // Never selected again: new uploads put no piece on it, and the data stays readable.
      const before = new Set(pieceFiles(cheat).map((p) => p.file));
      for (let i = 5; i < 10; i++) await project.upload('audited', `object-${i}`, plaintext(3000, i));
      expect(pieceFiles(cheat).filter((p) => !before.has(p.file))).toEqual([]);
      for (const [i, d] of data.entries()) expect(await readAll(project.download('audited', `object-${i}`))).toEqual(d);

      // A disqualified node is no longer audited, and the others keep passing.
      const after = await net.satellite.audit();
      expect(outcomesOf(after, cheat.id)).toEqual([]);
      expect(after.segments.every((s) => s.pieces.every((p) => p.outcome === 'success'))).toBe(true);

      // The same from the command line.
      const status = JSON.parse((await testnet(['status', '--json', '--dir', net.dir])).stdout) as TestnetStatus;
      expect(status.processes.find((p) => p.id === cheat.id)).toMatchObject({ disqualified: true, online: true, suspended: false });
      const audit = await testnet(['satellite', 'audit', '--dir', net.dir]);
      expect(audit.stdout).toMatch(/^audited 10 segment\(s\) in \d+ ms: \d+ shares verified\n {2}node-\d+ \(\w+…\): \d+ success/);
      expect(audit.stdout).not.toContain(cheat.name);
    });
  });

  it('name exactly the node whose piece has one wrong stripe, in the audit that picks that stripe', async () => {
    await withTestnet(OPTIONS, async (net) => {
      const project = await net.uplink();
      await project.createBucket('stripes');
      // One segment: 1,200 bytes encrypt to one 7,440-byte block, 15 stripes of 2 × 256 bytes; pieces of 3,840 bytes.
      await project.upload('stripes', 'one-segment', plaintext(1200, 7));
      const [clean] = (await net.satellite.audit()).segments;
      expect(clean.pieces.every((p) => p.outcome === 'success')).toBe(true);
      const victim = net.nodes.find((n) => n.id === clean.pieces[0].nodeId)!;
      const [piece] = pieceFiles(victim);
      const middle = Math.floor(piece.size / 256 / 2);
      expect(middle).toBeGreaterThan(0);
      flip(piece.file, middle * 256 + 100, 8); // one stripe in the middle of the piece, nothing else

      // Each audit picks a random stripe: audit until one picks that stripe (200 rounds miss it with p < 1e-5).
      let hit: AuditRound['segments'][number] | undefined;
      for (let round = 0; round < 200 && !hit; round++) {
        const [segment] = (await net.satellite.audit()).segments;
        if (segment.stripe === middle) hit = segment;
        else expect(segment.pieces.every((p) => p.outcome === 'success')).toBe(true); // the other stripes are intact
      }
      expect(hit).toBeDefined();
      const failed = hit!.pieces.filter((p) => p.outcome !== 'success');
      expect(failed).toEqual([expect.objectContaining({ nodeId: victim.id, outcome: 'failure', why: 'share data altered' })]);
      expect(hit!.pieces.length).toBeGreaterThanOrEqual(5);
    });
  });

  it('count a stopped node offline (score unchanged) and contain a hung one until reverification', async () => {
    await withTestnet({ ...OPTIONS, satelliteArgs: ['--audit-timeout', '2', '--reverify-retry', '0'] }, async (net) => {
      const project = await net.uplink();
      await project.createBucket('churn');
      for (let i = 0; i < 3; i++) await project.upload('churn', `object-${i}`, plaintext(3000, i));
      // Chosen by the satellite's records: a slow node's files may be long-tail pieces no segment kept.
      const held = new Map<string, number>();
      for (let i = 0; i < 3; i++) {
        for (const segment of await project.pieces('churn', `object-${i}`)) {
          for (const p of segment.pieces) held.set(p.nodeId, (held.get(p.nodeId) ?? 0) + 1);
        }
      }
      const count = (n: TestNode) => held.get(n.id) ?? 0;
      const [stopped, hung] = [...net.nodes].sort((a, b) => count(b) - count(a));
      await stopped.stop();
      process.kill(hung.pid!, 'SIGSTOP'); // takes connections, answers nothing: the audit times out
      let round: AuditRound;
      try {
        round = await net.satellite.audit();
      } finally {
        process.kill(hung.pid!, 'SIGCONT');
      }
      expect(new Set(outcomesOf(round, stopped.id))).toEqual(new Set(['offline']));
      // Contained on the first segment it holds; not audited on the others until that is resolved.
      expect(outcomesOf(round, hung.id)).toContain('contained');
      expect(new Set(outcomesOf(round, hung.id))).toEqual(new Set(['contained']));
      for (const [id, tally] of Object.entries(round.nodes)) {
        if (id !== stopped.id && id !== hung.id) expect(tally).toMatchObject({ failure: 0, offline: 0, contained: 0 });
      }
      expect(await statusOf(net, stopped)).toMatchObject({ auditScore: 1, disqualified: false, suspended: false });
      expect(await statusOf(net, hung)).toMatchObject({ auditScore: 1, disqualified: false });
      expect((await satelliteNodes(net)).find((n) => n.id === hung.id)!.contained).toBe(true);

      // Awake again, it sends the whole piece; it matches its signed hash: success, no longer contained.
      await net.satellite.runChore('reverify');
      expect((await satelliteNodes(net)).find((n) => n.id === hung.id)).toMatchObject({ contained: false, auditScore: 1 });
      const log = readFileSync(join(net.dir, 'logs', 'satellite.log'), 'utf8');
      expect(log).toMatch(/reverification of piece \d+ of segment \S+ on \S+: SUCCESS/);
    });
  });
});

/** The satellite's `nodes` report (what `satellite admin list-nodes` prints), through its admin socket. */
async function satelliteNodes(net: TestNet): Promise<{ id: string; contained: boolean; auditScore: number }[]> {
  const admin = connectAdmin(net.satelliteDir);
  try {
    return (await admin.report('nodes')) as { id: string; contained: boolean; auditScore: number }[];
  } finally {
    admin.close();
  }
}

/** The testnet CLI as a child process. */
function testnet(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const bin = fileURLToPath(new URL('../scripts/bin/testnet.js', import.meta.url));
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(err) : resolve({ stdout, stderr }),
    ),
  );
}

function flip(file: string, offset: number, length: number): void {
  const fd = openSync(file, 'r+');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, offset);
    for (let i = 0; i < length; i++) buf[i] ^= 0xff;
    writeSync(fd, buf, 0, length, offset);
  } finally {
    closeSync(fd);
  }
}
