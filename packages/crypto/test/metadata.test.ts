import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CipherSuite,
  decodeSerializableMeta,
  decodeStreamInfo,
  decodeStreamMeta,
  decrypt,
  decryptKey,
  decryptObjectMetadata,
  DEFAULT_ENCRYPTION,
  encodeStreamMeta,
  encryptObjectMetadata,
  zeroNonce,
} from '../src/encryption/index.js';

const derived = new Uint8Array(randomBytes(32));
const meta = {
  userMetadata: { owner: 'alice-marker', 'x-note': 'ünïcødé' },
  contentType: 'text/plain',
  segmentSize: 64 << 20,
  lastSegmentSize: 123,
  numberOfSegments: 2,
};

describe('object metadata', () => {
  it('round-trips user metadata, content type and sizes, and hides them', () => {
    const enc = encryptObjectMetadata(meta, derived, DEFAULT_ENCRYPTION);
    for (const field of [enc.encryptedMetadata, enc.encryptedMetadataKey]) {
      expect(Buffer.from(field).includes('alice-marker')).toBe(false);
      expect(Buffer.from(field).includes('text/plain')).toBe(false);
    }
    expect(enc.encryptedMetadataKeyNonce.length).toBe(24);
    expect(enc.encryptedMetadataKey.length).toBe(32 + 16);
    expect(decryptObjectMetadata(enc, derived)).toEqual(meta);
  });

  it("has Storj's layout: StreamMeta{1 sealed StreamInfo, 2 cipher, 3 block size, 5 segments}, StreamInfo under the zero nonce", () => {
    const enc = encryptObjectMetadata(meta, derived, DEFAULT_ENCRYPTION);
    const streamMeta = decodeStreamMeta(enc.encryptedMetadata);
    expect(streamMeta).toMatchObject({ encryptionType: CipherSuite.AESGCM, encryptionBlockSize: 7424, numberOfSegments: 2 });
    const metadataKey = decryptKey(enc.encryptedMetadataKey, CipherSuite.AESGCM, derived, enc.encryptedMetadataKeyNonce);
    const info = decodeStreamInfo(decrypt(streamMeta.encryptedStreamInfo, CipherSuite.AESGCM, metadataKey, zeroNonce()));
    expect(info.segmentsSize).toBe(64 << 20);
    expect(info.lastSegmentSize).toBe(123);
    // uplink keeps the content type inside user_defined, under "content-type".
    expect(decodeSerializableMeta(info.metadata)).toEqual({
      contentType: '',
      userDefined: { ...meta.userMetadata, 'content-type': 'text/plain' },
    });
  });

  it("takes the cipher from the object parameters when StreamMeta names none (as Storj's uplink writes it)", () => {
    const enc = encryptObjectMetadata(meta, derived, DEFAULT_ENCRYPTION);
    const bare = encodeStreamMeta({ ...decodeStreamMeta(enc.encryptedMetadata), encryptionType: 0, encryptionBlockSize: 0 });
    const withBare = { ...enc, encryptedMetadata: bare };
    expect(() => decryptObjectMetadata(withBare, derived)).toThrow(/names no cipher suite/);
    expect(decryptObjectMetadata(withBare, derived, DEFAULT_ENCRYPTION)).toMatchObject({
      userMetadata: meta.userMetadata,
      contentType: 'text/plain',
    });
  });

  it('reads the metadata key from last_segment_meta for older objects', () => {
    const enc = encryptObjectMetadata(meta, derived, DEFAULT_ENCRYPTION);
    const old = encodeStreamMeta({
      ...decodeStreamMeta(enc.encryptedMetadata),
      lastSegmentMeta: { encryptedKey: enc.encryptedMetadataKey, keyNonce: enc.encryptedMetadataKeyNonce },
    });
    const got = decryptObjectMetadata(
      { encryptedMetadata: old, encryptedMetadataKey: new Uint8Array(0), encryptedMetadataKeyNonce: new Uint8Array(0) },
      derived,
    );
    expect(got).toEqual(meta);
  });

  it('works with secretbox, with no metadata at all, and with empty input', () => {
    const sb = { cipherSuite: CipherSuite.Secretbox, blockSize: 1024 };
    const bare = { userMetadata: {}, segmentSize: 10, lastSegmentSize: 10, numberOfSegments: 1 };
    expect(decryptObjectMetadata(encryptObjectMetadata(bare, derived, sb), derived)).toEqual(bare);
    expect(decryptObjectMetadata(encryptObjectMetadata(meta, derived, sb), derived)).toEqual(meta);
    const empty = {
      encryptedMetadata: new Uint8Array(0),
      encryptedMetadataKey: new Uint8Array(0),
      encryptedMetadataKeyNonce: new Uint8Array(0),
    };
    expect(decryptObjectMetadata(empty, derived)).toEqual({ userMetadata: {}, segmentSize: 0, lastSegmentSize: 0, numberOfSegments: 0 });
  });

  it('refuses the wrong key, tampering and garbage with DecryptionErrors', () => {
    const enc = encryptObjectMetadata(meta, derived, DEFAULT_ENCRYPTION);
    expect(() => decryptObjectMetadata(enc, new Uint8Array(32))).toThrow(/authentication failed/);
    const key = enc.encryptedMetadataKey.slice();
    key[0] ^= 1;
    expect(() => decryptObjectMetadata({ ...enc, encryptedMetadataKey: key }, derived)).toThrow(/authentication failed/);
    expect(() => decryptObjectMetadata({ ...enc, encryptedMetadata: new Uint8Array([0x0a, 0x05, 1]) }, derived)).toThrow(
      /malformed StreamMeta/,
    );
  });
});
