/**
 * `cp --explain`: what one transfer looked like from the network's side. For an upload, the key as the
 * satellite stores it, the redundancy scheme, and which node got which piece (node ID, piece number, piece
 * ID); for a download, which nodes served which pieces. Everything printed here is what left this machine
 * or where it went; nothing in it is secret.
 */
import { cipherSuiteName } from '@dcsim/crypto/encryption';
import type { RedundancyScheme } from '@dcsim/erasure';
import type { ObjectInfo, ProgressEvent, UploadReport } from '../index.js';
import { sjUrl } from './sj-url.js';
import { formatColumns } from './tabbed.js';

export function explainUpload(report: UploadReport): string {
  const lines = [
    '=========== WHAT THE NETWORK SAW ==========================================================',
    `Object        : ${sjUrl(report.bucket, report.key)} (${report.size} bytes)`,
    `Encrypted key : ${report.encryptedKey}`,
    '                (all the satellite knows of the key: each path component encrypted with ' + report.pathCipher + ')',
    `Content       : ${cipherSuiteName(report.encryption.cipherSuite)} in ${report.encryption.blockSize}-byte blocks, ` +
      'a fresh random key per segment',
    `Redundancy    : ${describeScheme(report.scheme)}`,
    `Segments      : ${report.segments.length}`,
  ];
  for (const segment of report.segments) {
    if (segment.inline) {
      lines.push(
        `Segment ${segment.index}     : ${segment.plainSize} bytes, inline: ` +
          `${segment.encryptedSize} encrypted bytes kept in the satellite's database, on no node`,
      );
      continue;
    }
    const stored = segment.pieces.filter((p) => p.status === 'stored').length;
    lines.push(
      `Segment ${segment.index}     : ${segment.plainSize} bytes -> ${segment.encryptedSize} encrypted -> ` +
        `${report.scheme.total} pieces of ${segment.pieceSize} bytes; ${stored} stored`,
    );
    const rows = [['PIECE', 'NODE', 'ADDRESS', 'PIECE ID', 'STATUS']];
    for (const p of [...segment.pieces].sort((a, b) => a.pieceNum - b.pieceNum)) {
      rows.push([String(p.pieceNum), p.nodeId, p.address, p.pieceId, p.status + (p.error ? ` (${p.error})` : '')]);
    }
    lines.push(indent(formatColumns(rows)));
  }
  return `${lines.join('\n')}\n`;
}

function describeScheme(s: RedundancyScheme): string {
  return (
    `${s.required}/${s.repair}/${s.optimal}/${s.total}, ${s.shareSize}-byte shares ` +
    `(any ${s.required} of ${s.total} pieces rebuild a segment; uploads stop at ${s.optimal}; repair below ${s.repair})`
  );
}

interface ServedPiece {
  pieceNum: number;
  nodeId: string;
  address: string;
  status: string;
  error?: string;
}

/** Collects a download's progress events: which node served which piece of which segment. */
export class DownloadTrace {
  private readonly pieces = new Map<number, Map<number, ServedPiece>>();
  private readonly inline = new Map<number, boolean>();

  readonly listener = (event: ProgressEvent): void => {
    if (event.type === 'segment') {
      this.inline.set(event.index, event.inline);
    } else if (event.type === 'piece') {
      let segment = this.pieces.get(event.segment);
      if (!segment) this.pieces.set(event.segment, (segment = new Map()));
      const { pieceNum, nodeId, address, status, error } = event;
      // Keep the outcome, not the 'started' that came before it.
      if (status !== 'started' || !segment.has(pieceNum)) segment.set(pieceNum, { pieceNum, nodeId, address, status, error });
    }
  };

  explain(info: ObjectInfo, offset: number, length: number): string {
    const range = offset === 0 && length === info.size ? `${info.size} bytes` : `bytes ${offset}-${offset + length - 1} of ${info.size}`;
    const lines = [
      '=========== WHERE THE BYTES CAME FROM =====================================================',
      `Object        : ${sjUrl(info.bucket, info.key)} (${range})`,
      `Encrypted key : ${info.encryptedKey}`,
      `Redundancy    : ${info.scheme ? describeScheme(info.scheme) : 'none (every segment is inline)'}`,
      `Segments      : ${info.segmentCount} (read: ${[...this.inline.keys()].sort((a, b) => a - b).join(', ') || 'none'})`,
    ];
    for (const index of [...this.inline.keys()].sort((a, b) => a - b)) {
      if (this.inline.get(index)) {
        lines.push(`Segment ${index}     : inline, from the satellite's database`);
        continue;
      }
      const pieces = [...(this.pieces.get(index)?.values() ?? [])].sort((a, b) => a.pieceNum - b.pieceNum);
      const served = pieces.filter((p) => p.status === 'downloaded').length;
      lines.push(
        `Segment ${index}     : ${served} pieces downloaded and verified from ${served} nodes (${info.scheme?.required ?? '?'} needed)`,
      );
      const rows = [['PIECE', 'NODE', 'ADDRESS', 'STATUS']];
      for (const p of pieces) rows.push([String(p.pieceNum), p.nodeId, p.address, p.status + (p.error ? ` (${p.error})` : '')]);
      lines.push(indent(formatColumns(rows)));
    }
    return `${lines.join('\n')}\n`;
  }
}

function indent(block: string): string {
  return block
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
