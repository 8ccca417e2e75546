/**
 * The reporter (Storj's audit.DBReporter): turns an audit report into consequences, and says so in one log line.
 *
 * - success, failure, offline, unknown → the node's reputation (reputation/service.ts);
 * - failure → the piece also leaves the segment (it is lost; repair counts it so) and the node is asked to delete
 *   it; more than MAX_PIECES_TO_REMOVE failures in one audit look like a satellite problem, so then the pieces stay;
 * - contained (timed out) → a reverification is queued for that node and piece (reverifier.ts); until it is
 *   resolved the node is not audited for other segments.
 */
import { derivePieceId } from '@dcsim/common/pieceid';
import { shortNodeId } from '@dcsim/common/short';
import type { AuditableSegment, SatelliteDb } from '../db/index.js';
import type { Logger } from '../log.js';
import type { ReputationService } from '../reputation/service.js';
import { fmt } from '../reputation/service.js';
import type { AuditReport, PieceAudit } from './verifier.js';

/** Storj's maxPiecesToRemoveAtOnce. */
const MAX_PIECES_TO_REMOVE = 6;

export class Reporter {
  constructor(
    private readonly db: SatelliteDb,
    private readonly reputation: ReputationService,
    private readonly log: Logger,
  ) {}

  /** Records the report at `now`; returns each judged piece with the node's audit score after. */
  record(report: AuditReport, now: number): (PieceAudit & { auditScore?: number })[] {
    const { segment } = report;
    const failures = report.pieces.filter((p) => p.outcome === 'failure');
    const removeFailed = failures.length <= MAX_PIECES_TO_REMOVE;
    // One transaction (one sync to disk) for the whole audit, not one per piece.
    const recorded = this.db.transaction(() =>
      report.pieces.map((p) => {
        if (p.outcome === 'contained') {
          this.db.reverifications.insert({ nodeId: p.nodeId, ...position(segment), pieceNum: p.pieceNum, insertedAt: now });
          return p;
        }
        const auditScore = this.reputation.apply(p.nodeId, p.outcome, now);
        if (p.outcome === 'failure' && removeFailed) this.removePiece(segment, p, now);
        return { ...p, auditScore };
      }),
    );
    this.log(describe(report, recorded));
    if (!removeFailed) {
      this.log(`cowardly refusing to remove ${failures.length} pieces of segment ${segmentName(segment)} for one failed audit`);
    }
    return recorded;
  }

  /** Drops a failed piece from its segment and queues its deletion on the node. */
  removePiece(segment: AuditableSegment, p: { pieceNum: number; nodeId: Uint8Array }, now: number): void {
    this.db.transaction(() => {
      if (!this.db.segments.removePiece(segment.streamId, segment.part, segment.index, p.pieceNum, p.nodeId)) return;
      this.db.pieceDeletions.queue(p.nodeId, derivePieceId(segment.rootPieceId, p.nodeId, p.pieceNum), now);
    });
  }
}

export function position(s: { streamId: Uint8Array; part: number; index: number }) {
  return { streamId: s.streamId, part: s.part, index: s.index };
}

/** `0a1b2c3d…/0/2`: the stream ID's first bytes (random, says nothing about the object), part, index. */
export function segmentName(s: { streamId: Uint8Array; part: number; index: number }): string {
  return `${Buffer.from(s.streamId).toString('hex', 0, 4)}…/${s.part}/${s.index}`;
}

/** `audit of segment 0a1b…/0/0, stripe 3 of 8: 12vha9o… success, 1x7kq… FAILURE (share data altered; score 0.970)...`. */
function describe(report: AuditReport, pieces: (PieceAudit & { auditScore?: number })[]): string {
  const { segment } = report;
  const stripes = Math.max(1, Math.round(segment.pieceSize / segment.scheme.shareSize));
  const parts = pieces.map((p) => {
    const name = `piece ${p.pieceNum} on ${shortNodeId(p.nodeId)}`;
    if (p.outcome === 'success') return `${name} success`;
    const score = p.outcome === 'failure' && p.auditScore !== undefined ? `; audit score ${fmt(p.auditScore)}` : '';
    return `${name} ${p.outcome.toUpperCase()} (${p.why ?? p.outcome}${score})`;
  });
  const problem = report.problem ? ` [${report.problem}]` : '';
  const judged = parts.join(', ') || 'nobody judged';
  return `audit of segment ${segmentName(segment)}, stripe ${report.stripe} of ${stripes}:${problem} ${judged}`;
}
