/**
 * The satellite database: one SQLite file (`satellite.db` in the data dir), opened as every dcsim database is
 * (@dcsim/sqlite: WAL, so the admin commands can write to it while the satellite runs; foreign keys; every
 * commit synced, since the uplink is told it is kept). Opening it runs the migrations of each table group.
 */
import type { Database } from 'better-sqlite3';
import { openSqlite, type Migration } from '@dcsim/sqlite';
import { auditMigrations, AuditableSegments, Reputations, Reverifications } from './audits.js';
import { Bandwidth, bandwidthMigrations } from './bandwidth.js';
import { bucketMigrations, Buckets } from './buckets.js';
import { limitMigrations, Limits } from './limits.js';
import { Tallies, tallyMigrations } from './tallies.js';
import { deletionMigrations, PieceDeletions } from './deletions.js';
import { nodeMigrations, Nodes } from './nodes.js';
import { objectMigrations, Objects } from './objects.js';
import { ApiKeys, projectMigrations, Projects, Revocations } from './projects.js';
import { PendingSegments, segmentMigrations, Segments } from './segments.js';
import { RemoteSegments } from './remote-segments.js';
import { RepairQueue, repairQueueMigrations } from './repair-queue.js';

export const DATABASE_FILE = 'satellite.db';

/** Every migration, in the order table groups depend on each other. */
export const MIGRATIONS: Migration[] = [
  ...projectMigrations,
  ...bucketMigrations,
  ...objectMigrations,
  ...segmentMigrations,
  ...nodeMigrations,
  ...deletionMigrations,
  ...auditMigrations,
  ...repairQueueMigrations,
  ...bandwidthMigrations,
  ...limitMigrations,
  ...tallyMigrations,
];

export interface SatelliteDb {
  sql: Database;
  projects: Projects;
  apiKeys: ApiKeys;
  revocations: Revocations;
  buckets: Buckets;
  objects: Objects;
  segments: Segments;
  pendingSegments: PendingSegments;
  nodes: Nodes;
  pieceDeletions: PieceDeletions;
  reputations: Reputations;
  reverifications: Reverifications;
  auditableSegments: AuditableSegments;
  remoteSegments: RemoteSegments;
  repairQueue: RepairQueue;
  bandwidth: Bandwidth;
  limits: Limits;
  tallies: Tallies;
  /** Runs `fn` in one transaction (BEGIN IMMEDIATE): all of its changes land, or none. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export function openDatabase(file: string): SatelliteDb {
  const sql = openSqlite(file, { migrations: MIGRATIONS });
  return {
    sql,
    projects: new Projects(sql),
    apiKeys: new ApiKeys(sql),
    revocations: new Revocations(sql),
    buckets: new Buckets(sql),
    objects: new Objects(sql),
    segments: new Segments(sql),
    pendingSegments: new PendingSegments(sql),
    nodes: new Nodes(sql),
    pieceDeletions: new PieceDeletions(sql),
    reputations: new Reputations(sql),
    reverifications: new Reverifications(sql),
    auditableSegments: new AuditableSegments(sql),
    remoteSegments: new RemoteSegments(sql),
    repairQueue: new RepairQueue(sql),
    bandwidth: new Bandwidth(sql),
    limits: new Limits(sql),
    tallies: new Tallies(sql),
    transaction: <T>(fn: () => T) => sql.transaction(fn).immediate(),
    close: () => sql.close(),
  };
}

export type { ApiKeyRow, ProjectRow } from './projects.js';
export type { BucketRow } from './buckets.js';
export type { ObjectRow } from './objects.js';
export type { PendingSegmentRow, PieceRow, SegmentRow } from './segments.js';
export type { NodeRow, NodeStates } from './nodes.js';
export type { PieceDeletionRow } from './deletions.js';
export type { AuditableSegment, ReputationRow, ReverificationRow } from './audits.js';
export type { RemoteSegment } from './remote-segments.js';
export type { InjuredSegment, SegmentPosition } from './repair-queue.js';
