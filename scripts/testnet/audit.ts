/**
 * `testnet satellite audit`: one audit round over every segment, now (the satellite's `audit-all` chore, run through
 * its admin socket), and what it found per node. `net.satellite.audit()` in withTestnet is the same.
 */
import { runChore } from './chores.js';
import { readState } from './state.js';

export type PieceOutcome = 'success' | 'failure' | 'offline' | 'unknown' | 'contained';

/** What the satellite's audit-all returns (apps/satellite/src/audit/auditor.ts AuditRound). */
export interface AuditRound {
  segments: {
    streamId: string;
    part: number;
    index: number;
    stripe: number;
    problem?: string;
    pieces: { pieceNum: number; nodeId: string; outcome: PieceOutcome; why?: string; auditScore?: number }[];
    /** First bytes (hex) of each share the satellite received, by piece number. */
    samples: Record<string, string>;
  }[];
  nodes: Record<string, Record<PieceOutcome, number>>;
  sharesVerified: number;
}

export async function auditNow(dir: string): Promise<AuditRound> {
  const run = await runChore(dir, 'satellite', 'audit-all');
  return JSON.parse(run.result || '{"segments":[],"nodes":{},"sharesVerified":0}') as AuditRound;
}

/** One line per node (by testnet name where it is one of ours), then the segments where something was wrong. */
export function formatAudit(dir: string, round: AuditRound, ms: number): string {
  const names = new Map(readState(dir).nodes.map((n) => [n.id, n.name]));
  const name = (id: string) => names.get(id) ?? id;
  const lines = [`audited ${round.segments.length} segment(s) in ${ms} ms: ${round.sharesVerified} shares verified`];
  for (const [id, t] of Object.entries(round.nodes).sort(([a], [b]) => name(a).localeCompare(name(b), 'en', { numeric: true }))) {
    const counts = (Object.entries(t) as [PieceOutcome, number][]).filter(([, n]) => n > 0).map(([o, n]) => `${n} ${o}`);
    lines.push(`  ${name(id)} (${id.slice(0, 12)}…): ${counts.join(', ')}`);
  }
  for (const s of round.segments) {
    const bad = s.pieces.filter((p) => p.outcome !== 'success');
    if (bad.length === 0 && !s.problem) continue;
    const what = bad.map((p) => `${name(p.nodeId)} ${p.outcome}${p.why ? ` (${p.why})` : ''}`).join(', ');
    lines.push(
      `  segment ${s.streamId.slice(0, 8)}…/${s.part}/${s.index} stripe ${s.stripe}: ${[s.problem, what].filter(Boolean).join('; ')}`,
    );
  }
  return lines.join('\n');
}
