import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '@dcsim/common/encoding';
import { deriveContentKey, deriveKey, derivePathKey, Store } from '../src/encryption/index.js';

describe('key derivation', () => {
  const root = new Uint8Array(32).map((_, i) => 31 - i);

  it('DeriveKey is the first 32 bytes of HMAC-SHA512', () => {
    expect(deriveKey(root, 'path:bucket')).toEqual(hmac(sha512, root, utf8Encode('path:bucket')).subarray(0, 32));
    expect(deriveContentKey(root)).toEqual(deriveKey(root, 'content'));
  });

  it('path keys chain "path:" + bucket, then "path:" + each component', () => {
    const store = new Store({ defaultKey: root });
    let k = deriveKey(root, 'path:bucket');
    expect(derivePathKey('bucket', '', store)).toEqual(k);
    for (const c of ['a', '', 'c.txt']) k = deriveKey(k, `path:${c}`);
    expect(derivePathKey('bucket', 'a//c.txt', store)).toEqual(k);
  });
});
