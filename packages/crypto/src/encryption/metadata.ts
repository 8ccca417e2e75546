/**
 * Object metadata, as Storj's uplink stores it (uplink private/storage/streams/uploader.go,
 * private/metaclient/objects.go):
 *
 *   SerializableMeta{user_defined, with the content type as "content-type"} → StreamInfo.metadata
 *   StreamInfo{segments_size, last_segment_size, metadata} sealed with a random metadata key and the zero nonce
 *   (safe: that key seals nothing else) → StreamMeta.encrypted_stream_info
 *   metadata key sealed under the object's derived content key with a random 24-byte nonce
 *
 * The satellite stores StreamMeta, the sealed metadata key and its nonce, and can read none of the values.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { CipherSuite, KEY_SIZE, NONCE_SIZE, cipherSuiteName, type EncryptionParameters } from './cipher.js';
import { decrypt, decryptKey, encrypt, encryptKey } from './encrypt.js';
import { DecryptionError } from './errors.js';
import { randomNonce, zeroNonce } from './nonce.js';
import {
  decodeSerializableMeta,
  decodeStreamInfo,
  decodeStreamMeta,
  encodeSerializableMeta,
  encodeStreamInfo,
  encodeStreamMeta,
} from './streaminfo.js';

/** uplink's key for the content type inside user_defined. */
const CONTENT_TYPE_KEY = 'content-type';

export interface ObjectMetadata {
  /** User metadata, without the content type. */
  userMetadata: Record<string, string>;
  contentType?: string;
  /** Plaintext size of every segment but the last. */
  segmentSize: number;
  lastSegmentSize: number;
  numberOfSegments: number;
}

export interface EncryptedObjectMetadata {
  /** The serialized StreamMeta. */
  encryptedMetadata: Uint8Array;
  encryptedMetadataKey: Uint8Array;
  encryptedMetadataKeyNonce: Uint8Array;
}

export function encryptObjectMetadata(
  m: ObjectMetadata,
  derivedContentKey: Uint8Array,
  params: EncryptionParameters,
): EncryptedObjectMetadata {
  const userDefined = { ...m.userMetadata };
  // Like uplink's MutableStream.Metadata: the content type joins the map unless the map already names one.
  if (m.contentType && !(CONTENT_TYPE_KEY in userDefined)) userDefined[CONTENT_TYPE_KEY] = m.contentType;
  const metadata = Object.keys(userDefined).length > 0 ? encodeSerializableMeta({ contentType: '', userDefined }) : new Uint8Array(0);
  const streamInfo = encodeStreamInfo({ segmentsSize: m.segmentSize, lastSegmentSize: m.lastSegmentSize, metadata });

  const metadataKey = randomBytes(KEY_SIZE);
  const keyNonce = randomNonce();
  const encryptedStreamInfo = encrypt(streamInfo, params.cipherSuite, metadataKey, zeroNonce());
  return {
    // uplink itself writes only encrypted_stream_info; Storj's satellite fills in the rest from the object
    // record when it answers. dcsim's uplink writes them, so the StreamMeta is complete wherever it is read.
    encryptedMetadata: encodeStreamMeta({
      encryptedStreamInfo,
      encryptionType: params.cipherSuite,
      encryptionBlockSize: params.blockSize,
      numberOfSegments: m.numberOfSegments,
    }),
    encryptedMetadataKey: encryptKey(metadataKey, params.cipherSuite, derivedContentKey, keyNonce),
    encryptedMetadataKeyNonce: keyNonce,
  };
}

/**
 * The inverse. The cipher comes from StreamMeta.encryption_type, else from `params` (the object's
 * encryption parameters); the metadata key from the arguments, else from StreamMeta.last_segment_meta
 * (older objects), as uplink's typedDecryptStreamInfo. Empty metadata decrypts to empty metadata.
 */
export function decryptObjectMetadata(
  e: EncryptedObjectMetadata,
  derivedContentKey: Uint8Array,
  params?: EncryptionParameters,
): ObjectMetadata {
  const meta = decodeStreamMeta(e.encryptedMetadata);
  const empty: ObjectMetadata = { userMetadata: {}, segmentSize: 0, lastSegmentSize: 0, numberOfSegments: meta.numberOfSegments };
  if (meta.encryptedStreamInfo.length === 0) return empty;

  const suite = (meta.encryptionType || params?.cipherSuite || CipherSuite.Unspecified) as CipherSuite;
  if (suite === CipherSuite.Unspecified) throw new DecryptionError('object metadata names no cipher suite, and none was given');
  let encryptedKey = e.encryptedMetadataKey;
  let keyNonce = e.encryptedMetadataKeyNonce;
  if (encryptedKey.length === 0 && meta.lastSegmentMeta) {
    encryptedKey = meta.lastSegmentMeta.encryptedKey;
    keyNonce = new Uint8Array(NONCE_SIZE);
    keyNonce.set(meta.lastSegmentMeta.keyNonce.subarray(0, NONCE_SIZE));
  }
  let metadataKey: Uint8Array;
  let streamInfoBytes: Uint8Array;
  try {
    metadataKey = decryptKey(encryptedKey, suite, derivedContentKey, keyNonce);
    streamInfoBytes = decrypt(meta.encryptedStreamInfo, suite, metadataKey, zeroNonce());
  } catch (err) {
    if (err instanceof DecryptionError) throw new DecryptionError(`object metadata (${cipherSuiteName(suite)}): ${err.message}`);
    throw err;
  }
  const info = decodeStreamInfo(streamInfoBytes);
  const serializable = decodeSerializableMeta(info.metadata);
  const userMetadata = { ...serializable.userDefined };
  const contentType = userMetadata[CONTENT_TYPE_KEY] ?? (serializable.contentType || undefined);
  delete userMetadata[CONTENT_TYPE_KEY];
  const out: ObjectMetadata = { ...empty, userMetadata, segmentSize: info.segmentsSize, lastSegmentSize: info.lastSegmentSize };
  if (contentType !== undefined) out.contentType = contentType;
  return out;
}
