import { describe, expect, it } from 'vitest';
import { checkDecode } from '../src/base58.js';
import { fromBase32, fromHex } from '../src/encoding.js';
import { CommonError } from '../src/errors.js';
import { splitHostPort } from '../src/hostport.js';
import { parseNodeId, parseNodeUrl } from '../src/nodeid.js';
import { pieceIdFromString } from '../src/pieceid.js';

describe('errors', () => {
  it.each([
    ['base58check', () => checkDecode('0OIl')],
    ['hex', () => fromHex('zz')],
    ['base32', () => fromBase32('a')],
    ['host:port', () => splitHostPort('no-port')],
    ['node ID', () => parseNodeId('1')],
    ['node URL', () => parseNodeUrl('@')],
    ['piece ID', () => pieceIdFromString('A')],
  ])('a bad %s is a CommonError: one class catches anything from this package', (_, bad) => {
    expect(bad).toThrow(CommonError);
  });
});
