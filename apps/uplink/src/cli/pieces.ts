/**
 * `uplink pieces [--json] sj://bucket/key`: where each segment of an object has its pieces, as the satellite
 * records them (GetObjectPieces, after Storj's GetObjectIPs): piece number, node ID, the node's address and
 * whether the satellite counts it online. A teaching command: watch pieces move after `testnet satellite repair`.
 * JSON: {"segments":[{"index":0,"pieces":[{"number":0,"nodeId":"…","address":"host:port","online":true}]}]}.
 */
import type { Command } from 'commander';
import type { SegmentLocations } from '../lib/project.js';
import { action } from './errors.js';
import { withProject } from './project.js';
import { parseSjUrl } from './sj-url.js';
import { TabbedWriter } from './tabbed.js';

export function register(program: Command): void {
  program
    .command('pieces')
    .description("show where each segment's pieces are stored: node, address, online (the satellite's records)")
    .argument('<location>', 'sj://BUCKET/KEY')
    .option('--json', 'print JSON: {"segments":[{"index","pieces":[{"number","nodeId","address","online"}]}]}')
    .action(
      action(async (location: string, opts: { json?: boolean }, cmd: Command) => {
        const { bucket, key } = parseSjUrl(location, { requireKey: true });
        const segments = await withProject(cmd, (project) => project.pieces(bucket, key));
        if (opts.json) process.stdout.write(`${JSON.stringify(asJson(segments))}\n`);
        else printTable(segments);
      }),
    );
}

function asJson(segments: SegmentLocations[]): object {
  return {
    segments: segments.map((s) => ({ ...(s.part !== 0 ? { part: s.part } : {}), index: s.index, inline: s.inline, pieces: s.pieces })),
  };
}

function printTable(segments: SegmentLocations[]): void {
  const table = new TabbedWriter(['SEGMENT', 'PIECE', 'NODE', 'ADDRESS', 'ONLINE']);
  for (const s of segments) {
    const name = s.part !== 0 ? `${s.part}/${s.index}` : String(s.index);
    if (s.inline) table.line(name, '-', '(inline: stored by the satellite)', '', '');
    for (const p of s.pieces) table.line(name, p.number, p.nodeId, p.address || '(unknown node)', p.online ? 'yes' : 'no');
  }
  table.done();
  const online = segments.map((s) => s.pieces.filter((p) => p.online).length);
  process.stdout.write(`${segments.length} segment(s); online pieces per segment: ${online.join(', ') || '-'}\n`);
}
