import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { status } from '@dcsim/protocol';
import { Clock } from '@dcsim/process';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../src/config.js';
import { openDatabase, type NodeStates, type SatelliteDb } from '../src/db/index.js';
import { Overlay, subnetOf } from '../src/overlay.js';
import { tempDir } from './helpers.js';

const NOW = Date.now();
const NO_STATES: NodeStates = { vettedAt: null, disqualifiedAt: null, disqualificationReason: null, unknownAuditSuspendedAt: null };

function setup(overrides: { newNodeFraction?: number } = {}) {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'satellite.db'));
  const config = makeConfig({ dir, listen: '127.0.0.1:0', ...overrides });
  return { db, overlay: new Overlay(db, config, new Clock()), config };
}

function addNode(
  db: SatelliteDb,
  opts: {
    address?: string;
    lastContact?: number;
    freeDisk?: number;
    vetted?: boolean;
    reachable?: boolean;
    states?: Partial<NodeStates>;
  } = {},
) {
  const id = new Uint8Array(randomBytes(32));
  db.nodes.checkIn({
    id,
    publicKey: new Uint8Array(randomBytes(32)),
    address: opts.address ?? '127.0.0.1:9000',
    freeDisk: opts.freeDisk ?? 1 << 30,
    version: '',
    reachable: opts.reachable ?? true,
    now: opts.lastContact ?? NOW,
  });
  const states = { ...NO_STATES, ...(opts.vetted ? { vettedAt: NOW } : {}), ...opts.states };
  db.nodes.setStates(id, states);
  return Buffer.from(id).toString('hex');
}

const hexIds = (nodes: { id: Uint8Array }[]) => nodes.map((n) => Buffer.from(n.id).toString('hex'));

describe('node selection', () => {
  it('returns n distinct nodes', () => {
    const { db, overlay } = setup();
    for (let i = 0; i < 12; i++) addNode(db);
    for (let round = 0; round < 5; round++) {
      const chosen = hexIds(overlay.selectNodes(10, 1, NOW));
      expect(new Set(chosen).size).toBe(10);
    }
    db.close();
  });

  it('picks only nodes that checked in within the online window', () => {
    const { db, overlay, config } = setup();
    const online = new Set(Array.from({ length: 5 }, () => addNode(db)));
    for (let i = 0; i < 5; i++) addNode(db, { lastContact: NOW - config.nodeOnlineWindowMs - 1000 });
    expect(new Set(hexIds(overlay.selectNodes(5, 1, NOW)))).toEqual(online);
    db.close();
  });

  it('skips nodes whose last ping back failed, until one succeeds again', () => {
    const { db, overlay } = setup();
    const reachable = new Set([addNode(db), addNode(db)]);
    const never = addNode(db, { reachable: false });
    expect(new Set(hexIds(overlay.selectNodes(2, 1, NOW)))).toEqual(reachable);
    expect(() => overlay.selectNodes(3, 1, NOW)).toThrow(/not enough nodes: need 3, have 2/);

    // A node that was reachable and then failed a ping is out; its next successful ping brings it back.
    const flaky = [...reachable][0];
    const row = (hex: string) => db.nodes.get(Buffer.from(hex, 'hex'))!;
    const again = (hex: string, reachable: boolean, now: number) => db.nodes.checkIn({ ...row(hex), reachable, now });
    again(flaky, false, NOW + 1);
    expect(overlay.isOnline(row(flaky), NOW + 1)).toBe(false);
    expect(() => overlay.selectNodes(2, 1, NOW + 1)).toThrow(/have 1/);
    again(flaky, true, NOW + 2);
    again(never, true, NOW + 2);
    expect(overlay.selectNodes(3, 1, NOW + 2)).toHaveLength(3);
    db.close();
  });

  it('skips nodes without enough free space', () => {
    const { db, overlay } = setup();
    const roomy = new Set([addNode(db, { freeDisk: 10_000 }), addNode(db, { freeDisk: 10_000 })]);
    addNode(db, { freeDisk: 9_999 });
    expect(new Set(hexIds(overlay.selectNodes(2, 10_000, NOW)))).toEqual(roomy);
    db.close();
  });

  it('fails with RESOURCE_EXHAUSTED naming both counts when there are too few nodes', () => {
    const { db, overlay, config } = setup();
    for (let i = 0; i < 4; i++) addNode(db);
    addNode(db, { lastContact: NOW - config.nodeOnlineWindowMs - 1 });
    let error: unknown;
    try {
      overlay.selectNodes(5, 1, NOW);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: status.RESOURCE_EXHAUSTED, message: 'not enough nodes: need 5, have 4' });
    db.close();
  });

  it('takes the new-node fraction from unvetted nodes and the rest from vetted ones', () => {
    const { db, overlay } = setup({ newNodeFraction: 0.2 });
    const fresh = new Set(Array.from({ length: 10 }, () => addNode(db)));
    for (let i = 0; i < 10; i++) addNode(db, { vetted: true });
    for (let round = 0; round < 5; round++) {
      const chosen = hexIds(overlay.selectNodes(10, 1, NOW));
      expect(chosen.filter((id) => fresh.has(id))).toHaveLength(2);
    }
    db.close();
  });

  it('falls back to new nodes when there are not enough vetted ones (a fresh testnet)', () => {
    const { db, overlay } = setup({ newNodeFraction: 0 });
    for (let i = 0; i < 10; i++) addNode(db);
    expect(overlay.selectNodes(10, 1, NOW)).toHaveLength(10);
    db.close();
  });

  it('counts committed pieces against a node and its free space', () => {
    const { db } = setup();
    addNode(db);
    const [node] = db.nodes.all();
    for (let i = 0; i < 4; i++) db.nodes.recordStoredPiece(node.id, 100);
    expect(db.nodes.get(node.id)!.piecesStored).toBe(4);
    expect(db.nodes.get(node.id)!.freeDisk).toBe((1 << 30) - 400);
    db.close();
  });

  it('never selects a disqualified or suspended node', () => {
    const { db, overlay } = setup();
    const good = new Set(Array.from({ length: 4 }, () => addNode(db)));
    const dq = addNode(db, { states: { disqualifiedAt: NOW, disqualificationReason: 'audit failure' } });
    const suspended = addNode(db, { states: { unknownAuditSuspendedAt: NOW } });
    for (let round = 0; round < 5; round++) expect(new Set(hexIds(overlay.selectNodes(4, 1, NOW)))).toEqual(good);
    expect(() => overlay.selectNodes(5, 1, NOW)).toThrow('not enough nodes: need 5, have 4');
    const byHex = (h: string) => db.nodes.get(Buffer.from(h, 'hex'))!;
    expect(overlay.isDisqualified(byHex(dq))).toBe(true);
    expect(overlay.isHealthy(byHex(dq), NOW)).toBe(false);
    expect(overlay.isSuspended(byHex(suspended))).toBe(true);
    expect(overlay.isHealthy(byHex(suspended), NOW)).toBe(true);
    db.close();
  });

  it('spreads a segment over distinct /24 subnets when it can', () => {
    const { db, overlay } = setup();
    for (const net of ['10.0.1', '10.0.2', '10.0.3']) {
      for (let i = 1; i <= 4; i++) addNode(db, { address: `${net}.${i}:7777` });
    }
    for (let round = 0; round < 5; round++) {
      const subnets = overlay.selectNodes(3, 1, NOW).map((n) => subnetOf(n.address));
      expect(new Set(subnets).size).toBe(3);
    }
    // More nodes than subnets: the rest are filled in regardless of subnet.
    expect(overlay.selectNodes(12, 1, NOW)).toHaveLength(12);
    db.close();
  });

  it('derives subnets from IPv4 addresses and treats other hosts individually', () => {
    expect(subnetOf('192.168.7.42:28967')).toBe('192.168.7');
    expect(subnetOf('127.0.0.1:1')).toBe(subnetOf('127.0.0.2:2'));
    expect(subnetOf('[::1]:7777')).toBe('::1');
    expect(subnetOf('node.example:7777')).toBe('node.example');
  });
});
