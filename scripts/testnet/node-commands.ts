/**
 * Fault injection for teaching and tests: stop a node (or kill it, as a crash), start it again (same identity,
 * same port, same pieces), or corrupt one piece it stores (bit rot that the uplink must detect through the
 * signed hash).
 */
import { openSync, closeSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { splitHostPort } from '@dcsim/common/hostport';
import { launchNode } from './start.js';
import { killNow, stopProcess, waitForReady, waitUntilGone, type StopOutcome } from './processes.js';
import { readState, updateState, type NodeState, type TestnetState } from './state.js';
import { isRunning } from './status.js';
import { TestnetError } from './errors.js';

export class NodeCommandError extends TestnetError {}

/** Node `index` of the testnet; a NodeCommandError when there is none, or it was removed (`node remove`). */
export function nodeOf(state: TestnetState, index: number): NodeState {
  const node = state.nodes[index];
  if (!Number.isInteger(index) || !node) {
    throw new NodeCommandError(`no node ${index}: the testnet in ${state.dir} has nodes 0..${state.nodes.length - 1}`);
  }
  if (node.removed) throw new NodeCommandError(`${node.name} was removed (testnet node remove): its index is not reused`);
  return node;
}

export async function stopNode(dir: string, index: number, timeoutMs = 5000): Promise<StopOutcome> {
  const node = nodeOf(readState(dir), index);
  if (!isRunning(node.pid, dir)) throw new NodeCommandError(`${node.name} is not running`);
  const outcome = await stopProcess(node.pid, dir, timeoutMs);
  updateState(dir, (s) => (s.nodes[index].pid = null));
  return outcome;
}

/** SIGKILL, as a crash or a pulled plug: no graceful shutdown, transfers cut off mid-stream. */
export async function killNode(dir: string, index: number): Promise<void> {
  const node = nodeOf(readState(dir), index);
  if (!isRunning(node.pid, dir)) throw new NodeCommandError(`${node.name} is not running`);
  killNow([node.pid!]);
  if (!(await waitUntilGone(node.pid!, 5000))) throw new NodeCommandError(`${node.name} (pid ${node.pid}) survived SIGKILL`);
  updateState(dir, (s) => (s.nodes[index].pid = null));
}

export interface StartNodeOptions {
  /** false (CLI): the node keeps running after this process exits. */
  attached?: boolean;
  readyTimeoutMs?: number;
}

/** Starts a stopped node on its previous port and waits until it has checked in again. */
export async function startNode(dir: string, index: number, options: StartNodeOptions = {}): Promise<NodeState> {
  const state = readState(dir);
  const node = nodeOf(state, index);
  if (isRunning(node.pid, dir)) throw new NodeCommandError(`${node.name} is already running (pid ${node.pid})`);
  if (!isRunning(state.satellite.pid, dir))
    throw new NodeCommandError(`the satellite of ${dir} is not running: testnet start --dir ${dir}`);
  const launched = await launchNode(state, node, options.attached ?? false);
  updateState(dir, (s) => (s.nodes[index].pid = launched.pid));
  try {
    const ready = await waitForReady<{ id: string; address: string }>(launched, options.readyTimeoutMs ?? 60_000);
    const { port } = splitHostPort(ready.address);
    return updateState(dir, (s) => Object.assign(s.nodes[index], { id: ready.id, address: ready.address, port }));
  } catch (err) {
    await stopProcess(launched.pid, dir);
    updateState(dir, (s) => (s.nodes[index].pid = null));
    throw err;
  }
}

export interface CorruptedPiece {
  node: string;
  /** Piece ID as the node names its file (unpadded base32). */
  pieceId: string;
  file: string;
  offset: number;
  bytes: number;
}

/**
 * Flips (XOR 0xff) a few bytes in the middle of one piece file of node `index`: the largest piece, or the
 * one whose ID starts with `pieceId`. The node keeps serving it; the uplink must notice the hash mismatch.
 */
export function corruptNode(dir: string, index: number, pieceId?: string): CorruptedPiece {
  const { node, pieces } = piecesOf(dir, index, pieceId);
  return corruptPiece(dir, node.name, pieces.sort((a, b) => b.size - a.size || a.id.localeCompare(b.id))[0]);
}

/**
 * Corrupts every piece of node `index` (`node corrupt <i> --all`): every byte of each piece flipped, so
 * whichever stripe an audit picks is wrong. A node that rotted entirely, or one that cheats.
 */
export function corruptAllPieces(dir: string, index: number): CorruptedPiece[] {
  const { node, pieces } = piecesOf(dir, index);
  return pieces.map((p) => corruptPiece(dir, node.name, p, 0, p.size));
}

interface PieceFile {
  file: string;
  size: number;
  id: string;
}

function piecesOf(dir: string, index: number, pieceId?: string): { node: NodeState; pieces: PieceFile[] } {
  const node = nodeOf(readState(dir), index);
  const piecesDir = join(node.dir, 'pieces');
  const pieces = listFiles(piecesDir)
    .map((file) => ({ file, size: statSync(file).size, id: file.slice(file.lastIndexOf('/') + 1) }))
    .filter((p) => p.size > 0 && (pieceId === undefined || p.id.startsWith(pieceId)));
  if (pieces.length === 0) {
    throw new NodeCommandError(`${node.name} stores no ${pieceId ? `piece ${pieceId}` : 'pieces'} (${piecesDir}); upload something first`);
  }
  return { node, pieces };
}

/** Flips `bytes` bytes of the piece at `offset` (default: 16 in the middle). */
function corruptPiece(dir: string, name: string, piece: PieceFile, offset?: number, bytes = Math.min(16, piece.size)): CorruptedPiece {
  const at = offset ?? Math.floor((piece.size - bytes) / 2);
  flipBytes(piece.file, at, bytes);
  return { node: name, pieceId: piece.id, file: relative(dir, piece.file), offset: at, bytes };
}

function flipBytes(file: string, offset: number, length: number): void {
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

function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}
