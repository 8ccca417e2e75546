/**
 * The protobuf messages of object metadata, with Storj's field numbers (storj/common pb/streams.proto and
 * pb/meta.proto, which uplink's metaclient uses):
 *
 *   SerializableMeta { 1 content_type string; 2 user_defined map<string, string> }
 *   StreamInfo       { 1 deprecated_number_of_segments int64; 2 segments_size int64; 3 last_segment_size int64; 4 metadata bytes }
 *   SegmentMeta      { 1 encrypted_key bytes; 2 key_nonce bytes }
 *   StreamMeta       { 1 encrypted_stream_info bytes; 2 encryption_type int32; 3 encryption_block_size int32;
 *                      4 last_segment_meta SegmentMeta; 5 number_of_segments int64 }
 *
 * proto3: zero values are not written.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { DecryptionError } from './errors.js';

export interface SerializableMeta {
  contentType: string;
  userDefined: Record<string, string>;
}

export interface StreamInfo {
  segmentsSize: number;
  lastSegmentSize: number;
  metadata: Uint8Array;
}

export interface SegmentMeta {
  encryptedKey: Uint8Array;
  keyNonce: Uint8Array;
}

export interface StreamMeta {
  encryptedStreamInfo: Uint8Array;
  encryptionType: number;
  encryptionBlockSize: number;
  lastSegmentMeta?: SegmentMeta;
  numberOfSegments: number;
}

const tag = (field: number, type: WireType) => (field << 3) | type;

/** Runs `read` over each field; any protobuf error becomes a DecryptionError naming the message. */
function readFields(bytes: Uint8Array, message: string, read: (r: BinaryReader, field: number, type: WireType) => boolean): void {
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, type] = r.tag();
      if (!read(r, field, type)) r.skip(type);
    }
  } catch (err) {
    if (err instanceof DecryptionError) throw err;
    throw new DecryptionError(`malformed ${message} protobuf`);
  }
}

export function encodeSerializableMeta(m: SerializableMeta): Uint8Array {
  const w = new BinaryWriter();
  if (m.contentType) w.uint32(tag(1, WireType.LengthDelimited)).string(m.contentType);
  // Go marshals maps in no fixed order; sorting keeps ours deterministic.
  for (const key of Object.keys(m.userDefined).sort()) {
    w.uint32(tag(2, WireType.LengthDelimited)).fork();
    w.uint32(tag(1, WireType.LengthDelimited)).string(key);
    w.uint32(tag(2, WireType.LengthDelimited)).string(m.userDefined[key]);
    w.join();
  }
  return w.finish();
}

export function decodeSerializableMeta(bytes: Uint8Array): SerializableMeta {
  const out: SerializableMeta = { contentType: '', userDefined: {} };
  readFields(bytes, 'SerializableMeta', (r, field, type) => {
    if (field === 1 && type === WireType.LengthDelimited) out.contentType = r.string();
    else if (field === 2 && type === WireType.LengthDelimited) {
      let key = '';
      let value = '';
      readFields(r.bytes(), 'SerializableMeta map entry', (e, f, t) => {
        if (f === 1 && t === WireType.LengthDelimited) key = e.string();
        else if (f === 2 && t === WireType.LengthDelimited) value = e.string();
        else return false;
        return true;
      });
      out.userDefined[key] = value;
    } else return false;
    return true;
  });
  return out;
}

export function encodeStreamInfo(s: StreamInfo): Uint8Array {
  const w = new BinaryWriter();
  if (s.segmentsSize) w.uint32(tag(2, WireType.Varint)).int64(s.segmentsSize);
  if (s.lastSegmentSize) w.uint32(tag(3, WireType.Varint)).int64(s.lastSegmentSize);
  if (s.metadata.length) w.uint32(tag(4, WireType.LengthDelimited)).bytes(s.metadata);
  return w.finish();
}

export function decodeStreamInfo(bytes: Uint8Array): StreamInfo {
  const out: StreamInfo = { segmentsSize: 0, lastSegmentSize: 0, metadata: new Uint8Array(0) };
  readFields(bytes, 'StreamInfo', (r, field, type) => {
    if (field === 2 && type === WireType.Varint) out.segmentsSize = Number(r.int64());
    else if (field === 3 && type === WireType.Varint) out.lastSegmentSize = Number(r.int64());
    else if (field === 4 && type === WireType.LengthDelimited) out.metadata = r.bytes().slice();
    else return false;
    return true;
  });
  return out;
}

export function encodeStreamMeta(m: StreamMeta): Uint8Array {
  const w = new BinaryWriter();
  if (m.encryptedStreamInfo.length) w.uint32(tag(1, WireType.LengthDelimited)).bytes(m.encryptedStreamInfo);
  if (m.encryptionType) w.uint32(tag(2, WireType.Varint)).int32(m.encryptionType);
  if (m.encryptionBlockSize) w.uint32(tag(3, WireType.Varint)).int32(m.encryptionBlockSize);
  if (m.lastSegmentMeta) {
    w.uint32(tag(4, WireType.LengthDelimited)).fork();
    if (m.lastSegmentMeta.encryptedKey.length) w.uint32(tag(1, WireType.LengthDelimited)).bytes(m.lastSegmentMeta.encryptedKey);
    if (m.lastSegmentMeta.keyNonce.length) w.uint32(tag(2, WireType.LengthDelimited)).bytes(m.lastSegmentMeta.keyNonce);
    w.join();
  }
  if (m.numberOfSegments) w.uint32(tag(5, WireType.Varint)).int64(m.numberOfSegments);
  return w.finish();
}

export function decodeStreamMeta(bytes: Uint8Array): StreamMeta {
  const out: StreamMeta = { encryptedStreamInfo: new Uint8Array(0), encryptionType: 0, encryptionBlockSize: 0, numberOfSegments: 0 };
  readFields(bytes, 'StreamMeta', (r, field, type) => {
    if (field === 1 && type === WireType.LengthDelimited) out.encryptedStreamInfo = r.bytes().slice();
    else if (field === 2 && type === WireType.Varint) out.encryptionType = r.int32();
    else if (field === 3 && type === WireType.Varint) out.encryptionBlockSize = r.int32();
    else if (field === 4 && type === WireType.LengthDelimited) {
      const meta: SegmentMeta = { encryptedKey: new Uint8Array(0), keyNonce: new Uint8Array(0) };
      readFields(r.bytes(), 'SegmentMeta', (s, f, t) => {
        if (f === 1 && t === WireType.LengthDelimited) meta.encryptedKey = s.bytes().slice();
        else if (f === 2 && t === WireType.LengthDelimited) meta.keyNonce = s.bytes().slice();
        else return false;
        return true;
      });
      out.lastSegmentMeta = meta;
    } else if (field === 5 && type === WireType.Varint) out.numberOfSegments = Number(r.int64());
    else return false;
    return true;
  });
  return out;
}
