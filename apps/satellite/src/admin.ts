/**
 * Admin commands: projects, API keys, limits and usage, straight on the SQLite file (WAL mode lets them run while
 * the satellite serves). In Storj this is the satellite console's job; here it is a CLI, so a
 * testnet can be set up with a few commands.
 *
 * The API key printed by `createApiKey` is the only copy of the macaroon: the satellite keeps its
 * head and secret, never the key itself. Nothing here logs secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APIKey } from '@dcsim/crypto/macaroon';
import { nodeIdString } from '@dcsim/common/nodeid';
import { PieceAction, pieceActionToJSON } from '@dcsim/protocol';
import { REPUTATION_DEFAULTS } from './config.js';
import { DATABASE_FILE, openDatabase, type SatelliteDb } from './db/index.js';
import type { LimitChanges, ProjectLimits } from './db/limits.js';
import { monthStart } from './limits/project-limits.js';
import { SatelliteAppError } from './errors.js';
import { ReputationService } from './reputation/service.js';

export class AdminError extends SatelliteAppError {}

const SECRET_SIZE = 32;

/** Opens `dir/satellite.db` (creating it and running migrations if needed), runs `fn`, closes it. */
export function withDatabase<T>(dir: string, fn: (db: SatelliteDb) => T): T {
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, DATABASE_FILE));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function createProject(db: SatelliteDb, name: string) {
  if (name.trim() === '') throw new AdminError('project name must not be empty');
  const project = db.projects.create(name);
  return { projectId: project.id, name: project.name, createdAt: new Date(project.createdAt).toISOString() };
}

/** A new unrestricted API key for the project: a fresh secret and a macaroon with a random head. */
export function createApiKey(db: SatelliteDb, projectId: string, name = 'default') {
  const project = db.projects.get(projectId);
  if (!project) throw new AdminError(`no project with ID ${projectId}`);
  const secret = new Uint8Array(randomBytes(SECRET_SIZE));
  const key = APIKey.generate(secret);
  const row = db.apiKeys.create(project.id, key.head(), secret, name);
  return { apiKey: key.serialize(), id: row.id, projectId: project.id, name: row.name };
}

/** Deletes an API key by its ID or by the key itself; every key derived from it stops working. */
export function deleteApiKey(db: SatelliteDb, by: { id?: string; apiKey?: string }) {
  let id = by.id;
  if (!id && by.apiKey) {
    let head: Uint8Array;
    try {
      head = APIKey.parse(by.apiKey).head();
    } catch {
      throw new AdminError('--api-key is not a valid API key');
    }
    id = db.apiKeys.byHead(head)?.id;
    if (!id) throw new AdminError('no such API key on this satellite');
  }
  if (!id) throw new AdminError('give --id <key id> or --api-key <key>');
  const row = db.apiKeys.byId(id);
  if (!row || !db.apiKeys.delete(id)) throw new AdminError(`no API key with ID ${id}`);
  return { deleted: true, id, projectId: row.projectId, name: row.name };
}

export function listProjects(db: SatelliteDb) {
  return db.projects.list().map((p) => ({
    projectId: p.id,
    name: p.name,
    createdAt: new Date(p.createdAt).toISOString(),
    apiKeys: db.apiKeys.ofProject(p.id).map((k) => ({ id: k.id, name: k.name, createdAt: new Date(k.createdAt).toISOString() })),
  }));
}

/**
 * The node registry as the satellite sees it, with the online rule (recent contact, last ping answered) applied at
 * `now`, and each node's reputation: audit scores, suspension, disqualification, containment (a reverification
 * pending), and its graceful exit (exiting, exited, pieces moved and left to repair). `testnet status` shows it
 * (the satellite's `nodes` report).
 */
export function listNodes(db: SatelliteDb, onlineWindowMs: number, now: number) {
  const reputation = new ReputationService(db, REPUTATION_DEFAULTS, () => {});
  const contained = new Set(db.reverifications.all().map((r) => Buffer.from(r.nodeId).toString('hex')));
  return db.nodes.all().map((n) => ({
    id: nodeIdString(n.id),
    address: n.address,
    online: n.lastContact >= now - onlineWindowMs && n.lastContact > n.lastContactFailure,
    ...reputation.view(n),
    disqualificationReason: n.disqualificationReason,
    exiting: n.exitInitiatedAt !== null && n.exitFinishedAt === null,
    exited: n.exitFinishedAt !== null,
    exitSuccess: n.exitSuccess === null ? null : n.exitSuccess === 1,
    exitPiecesTransferred: n.exitPiecesTransferred,
    exitPiecesFailed: n.exitPiecesFailed,
    contained: contained.has(Buffer.from(n.id).toString('hex')),
    piecesStored: n.piecesStored,
    freeDisk: n.freeDisk,
    version: n.version,
    lastContact: n.lastContact ? new Date(n.lastContact).toISOString() : null,
    lastPingFailure: n.lastContactFailure ? new Date(n.lastContactFailure).toISOString() : null,
    createdAt: new Date(n.createdAt).toISOString(),
  }));
}

/** A project's limits as `set-limits` and `usage` print them (null: unlimited). */
function limitsJson(limits: ProjectLimits) {
  return {
    storageBytes: limits.storageBytes,
    egressBytes: limits.egressBytes,
    segments: limits.segments,
    buckets: limits.buckets,
    rate: limits.rate,
  };
}

/** Changes the limits given (null: unlimited; for buckets, the default); prints them all. */
export function setLimits(db: SatelliteDb, projectId: string, changes: LimitChanges) {
  if (!db.projects.get(projectId)) throw new AdminError(`no project with ID ${projectId}`);
  return { projectId, limits: limitsJson(db.limits.set(projectId, changes)) };
}

/**
 * What a project uses: stored bytes (encrypted, before erasure coding), segments and committed objects now, read
 * live; settled bandwidth over all time (egress = GET, ingress = PUT, per bucket too); the egress the limit counts
 * this month (allocated); its limits; and its latest tally. `now` is the caller's clock (real time for the CLI).
 */
export function usage(db: SatelliteDb, projectId: string, now: number) {
  if (!db.projects.get(projectId)) throw new AdminError(`no project with ID ${projectId}`);
  const stored = db.limits.storageUsage(projectId, now);
  const rows = db.bandwidth.projectBandwidth(projectId, 0, Number.MAX_SAFE_INTEGER);
  const sum = (action: PieceAction, bucket?: string) =>
    rows.filter((r) => r.action === action && (bucket === undefined || r.bucket === bucket)).reduce((a, r) => a + r.settled, 0);
  const tallies = db.tallies.latestBucketTallies(projectId);
  const bucketNames = [...new Set([...rows.map((r) => r.bucket), ...tallies.map((t) => t.bucket)])].sort();
  return {
    projectId,
    storageBytes: stored.storageBytes,
    segments: stored.segments,
    objects: stored.objects,
    egressBytes: sum(PieceAction.GET),
    ingressBytes: sum(PieceAction.PUT),
    egressThisMonthBytes: db.bandwidth.projectEgress(projectId, monthStart(now), now),
    buckets: bucketNames.map((bucket) => ({
      bucket,
      egressBytes: sum(PieceAction.GET, bucket),
      ingressBytes: sum(PieceAction.PUT, bucket),
    })),
    limits: limitsJson(db.limits.of(projectId)),
    tally:
      tallies.length === 0
        ? null
        : {
            at: new Date(Math.max(...tallies.map((t) => t.at))).toISOString(),
            storageBytes: tallies.reduce((a, t) => a + t.totalBytes, 0),
            segments: tallies.reduce((a, t) => a + t.totalSegments, 0),
            objects: tallies.reduce((a, t) => a + t.objectCount, 0),
            buckets: tallies.map(({ bucket, totalBytes, totalSegments, objectCount }) => ({
              bucket,
              storageBytes: totalBytes,
              segments: totalSegments,
              objects: objectCount,
            })),
          },
  };
}

/** What each node settled, per action (name → bytes), and its latest at-rest tally. */
export function nodeUsage(db: SatelliteDb) {
  const tallies = new Map(db.tallies.latestNodeTallies().map((t) => [nodeIdString(t.nodeId), t]));
  const nodes = db.nodes.all().map((n) => {
    const id = nodeIdString(n.id);
    const settled = db.bandwidth.nodeSettled(n.id);
    return {
      id,
      settled: Object.fromEntries(Object.entries(settled).map(([action, bytes]) => [pieceActionToJSON(Number(action)), bytes])),
      atRestBytes: tallies.get(id)?.atRestBytes ?? null,
    };
  });
  return { nodes };
}
