import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { scanBuffer } from './leak-scan.js';

// The scanner guards the invariant tests, so it is tested itself: a scanner that never finds anything
// would make every leak test pass.
describe('leak scanner', () => {
  const secret = Buffer.from('marker-7f3a9c-secret');
  const secrets = new Map([['marker', new Uint8Array(secret)]]);

  it.each([0, 1, 2, 3, 4, 5])('finds a secret embedded at offset %i as raw, hex and base64', (offset) => {
    const blob = Buffer.concat([randomBytes(offset), secret, randomBytes(7)]);
    const forms = (b: Buffer) => scanBuffer(b, secrets, 'blob').map((f) => f.form);
    expect(forms(blob)).toContain('raw');
    expect(forms(Buffer.from(blob.toString('hex')))).toContain('hex');
    expect(forms(Buffer.from(blob.toString('base64')))).toContain('base64');
    expect(forms(Buffer.from(blob.toString('base64url')))).toContain('base64url');
  });

  it('finds nothing in unrelated bytes', () => {
    expect(scanBuffer(randomBytes(4096), secrets, 'noise')).toEqual([]);
  });
});
