import { describe, expect, it } from 'vitest';
import { nodeIdString } from '../src/nodeid.js';
import { pieceIdToString } from '../src/pieceid.js';
import { shortHex, shortNodeId, shortPieceId } from '../src/short.js';

describe('short forms for log lines', () => {
  it('show short values whole and long ones cut, with their length', () => {
    expect(shortHex(new Uint8Array([1, 2, 255]))).toBe('0102ff');
    expect(shortHex(new Uint8Array(32).fill(0xab))).toBe(`${'ab'.repeat(8)}…(32 bytes)`);
    expect(shortHex(Buffer.from([0xff, 0xab, 0xcd]).subarray(1), 1)).toBe('ab…(2 bytes)');
  });

  it('keep the first 7 characters of an ID', () => {
    const id = new Uint8Array(32).fill(9);
    expect(shortNodeId(id)).toBe(`${nodeIdString(id).slice(0, 7)}…`);
    expect(shortPieceId(id)).toBe(`${pieceIdToString(id).slice(0, 7)}…`);
  });

  it('name an ID of the wrong length instead of throwing: log lines are written about bad input too', () => {
    expect(shortNodeId(new Uint8Array(3))).toBe('<3-byte node ID>');
    expect(shortPieceId(new Uint8Array(0))).toBe('<0-byte piece ID>');
  });
});
