/**
 * Object metadata, as Storj's uplink stores it: user metadata (SerializableMeta) inside a StreamInfo, sealed
 * with a random metadata key and the zero nonce (safe: the key is used once), wrapped in a StreamMeta; the
 * metadata key itself is sealed under the object's derived content key with a random nonce. The satellite
 * stores the three results and can read none of them.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { randomBytes } from 'node:crypto';
import { decrypt, decryptKey, encrypt, encryptKey } from './aead.js';
import { CipherSuite, CryptoError, KEY_SIZE, NONCE_SIZE, type EncryptionParameters } from './cipher.js';
import { zeroNonce } from './nonce.js';

export interface ObjectMetadata {
  userMetadata: Record<string, string>;
  contentType?: string;
  segmentSize: number;
  lastSegmentSize: number;
  numberOfSegments: number;
}

export interface EncryptedObjectMetadata {
  encryptedMetadata: Uint8Array;
  encryptedMetadataKey: Uint8Array;
  encryptedMetadataKeyNonce: Uint8Array;
}

// SerializableMeta { 1 content_type string; 2 user_defined map<string,string> }
function encodeSerializableMeta(m: ObjectMetadata): Uint8Array {
  const w = new BinaryWriter();
  if (m.contentType) w.uint32(10).string(m.contentType);
  for (const [k, v] of Object.entries(m.userMetadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    w.uint32(18).fork().uint32(10).string(k).uint32(18).string(v).join();
  }
  return w.finish();
}

function decodeSerializableMeta(bytes: Uint8Array): { contentType?: string; userMetadata: Record<string, string> } {
  const r = new BinaryReader(bytes);
  const out: { contentType?: string; userMetadata: Record<string, string> } = { userMetadata: {} };
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1) out.contentType = r.string();
    else if (field === 2) {
      const entry = new BinaryReader(r.bytes());
      let key = '';
      let value = '';
      while (entry.pos < entry.len) {
        const [f, t] = entry.tag();
        if (f === 1) key = entry.string();
        else if (f === 2) value = entry.string();
        else entry.skip(t);
      }
      out.userMetadata[key] = value;
    } else r.skip(type);
  }
  return out;
}

// StreamInfo { 1 deprecated_number_of_segments; 2 segments_size; 3 last_segment_size; 4 metadata bytes }
function encodeStreamInfo(m: ObjectMetadata, serializedMeta: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  if (m.segmentSize) w.uint32(16).int64(m.segmentSize);
  if (m.lastSegmentSize) w.uint32(24).int64(m.lastSegmentSize);
  if (serializedMeta.length) w.uint32(34).bytes(serializedMeta);
  return w.finish();
}

function decodeStreamInfo(bytes: Uint8Array) {
  const r = new BinaryReader(bytes);
  const out: { segmentSize: number; lastSegmentSize: number; metadata: Uint8Array } = { segmentSize: 0, lastSegmentSize: 0, metadata: new Uint8Array(0) };
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 2) out.segmentSize = Number(r.int64());
    else if (field === 3) out.lastSegmentSize = Number(r.int64());
    else if (field === 4) out.metadata = r.bytes();
    else r.skip(type);
  }
  return out;
}

// StreamMeta { 1 encrypted_stream_info; 2 encryption_type; 3 encryption_block_size; 4 last_segment_meta; 5 number_of_segments }
function encodeStreamMeta(encryptedStreamInfo: Uint8Array, params: EncryptionParameters, numberOfSegments: number): Uint8Array {
  const w = new BinaryWriter();
  if (encryptedStreamInfo.length) w.uint32(10).bytes(encryptedStreamInfo);
  if (params.cipherSuite) w.uint32(16).int32(params.cipherSuite);
  if (params.blockSize) w.uint32(24).int32(params.blockSize);
  if (numberOfSegments) w.uint32(40).int64(numberOfSegments);
  return w.finish();
}

function decodeStreamMeta(bytes: Uint8Array) {
  const r = new BinaryReader(bytes);
  const out: { encryptedStreamInfo: Uint8Array; cipherSuite: number; blockSize: number; numberOfSegments: number } = { encryptedStreamInfo: new Uint8Array(0), cipherSuite: 0, blockSize: 0, numberOfSegments: 0 };
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1) out.encryptedStreamInfo = r.bytes();
    else if (field === 2) out.cipherSuite = r.int32();
    else if (field === 3) out.blockSize = r.int32();
    else if (field === 5) out.numberOfSegments = Number(r.int64());
    else r.skip(type);
  }
  return out;
}

export function encryptObjectMetadata(m: ObjectMetadata, derivedContentKey: Uint8Array, params: EncryptionParameters): EncryptedObjectMetadata {
  const metadataKey = new Uint8Array(randomBytes(KEY_SIZE));
  const streamInfo = encodeStreamInfo(m, encodeSerializableMeta(m));
  const sealedInfo = params.cipherSuite === CipherSuite.Null ? streamInfo : encrypt(streamInfo, params.cipherSuite, metadataKey, zeroNonce());
  const nonce = new Uint8Array(randomBytes(NONCE_SIZE));
  return {
    encryptedMetadata: encodeStreamMeta(sealedInfo, params, m.numberOfSegments),
    encryptedMetadataKey: encryptKey(metadataKey, params.cipherSuite, derivedContentKey, nonce),
    encryptedMetadataKeyNonce: nonce,
  };
}

export function decryptObjectMetadata(e: EncryptedObjectMetadata, derivedContentKey: Uint8Array): ObjectMetadata {
  if (e.encryptedMetadata.length === 0) return { userMetadata: {}, segmentSize: 0, lastSegmentSize: 0, numberOfSegments: 0 };
  const meta = decodeStreamMeta(e.encryptedMetadata);
  const suite = meta.cipherSuite as CipherSuite;
  if (e.encryptedMetadataKeyNonce.length !== NONCE_SIZE) throw new CryptoError('metadata key nonce must be 24 bytes');
  const metadataKey = decryptKey(e.encryptedMetadataKey, suite, derivedContentKey, e.encryptedMetadataKeyNonce);
  const streamInfo = suite === CipherSuite.Null ? meta.encryptedStreamInfo : decrypt(meta.encryptedStreamInfo, suite, metadataKey, zeroNonce());
  const info = decodeStreamInfo(streamInfo);
  const user = decodeSerializableMeta(info.metadata);
  return { ...user, segmentSize: info.segmentSize, lastSegmentSize: info.lastSegmentSize, numberOfSegments: meta.numberOfSegments };
}
