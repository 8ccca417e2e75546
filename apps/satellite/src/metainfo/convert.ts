/** Database rows to the protocol's messages. */
import type { RedundancyScheme } from '@dcsim/erasure';
import type {
  Bucket,
  EncryptionParameters,
  Object as ObjectMessage,
  ObjectListItem,
  RedundancyScheme as RedundancySchemeMessage,
  SegmentInfo,
} from '@dcsim/protocol';
import type { BucketRow, ObjectRow, SegmentRow } from '../db/index.js';

const EMPTY = new Uint8Array(0);

export function bucketMessage(row: BucketRow): Bucket {
  return { name: row.name, createdAt: new Date(row.createdAt) };
}

export function schemeOf(row: ObjectRow): RedundancyScheme {
  return { required: row.rsRequired, repair: row.rsRepair, optimal: row.rsOptimal, total: row.rsTotal, shareSize: row.rsShareSize };
}

export function schemeMessage(scheme: RedundancyScheme): RedundancySchemeMessage {
  return { ...scheme };
}

function encryptionMessage(row: ObjectRow): EncryptionParameters {
  return { cipherSuite: row.cipherSuite, blockSize: row.blockSize };
}

export function optionalDate(ms: number | null): Date | undefined {
  return ms === null ? undefined : new Date(ms);
}

export function objectMessage(row: ObjectRow): ObjectMessage {
  return {
    bucket: row.bucket,
    encryptedObjectKey: row.encryptedKey,
    streamId: row.streamId,
    createdAt: new Date(row.createdAt),
    expiresAt: optionalDate(row.expiresAt),
    encryptedMetadata: row.encryptedMetadata ?? EMPTY,
    encryptedMetadataKey: row.encryptedMetadataKey ?? EMPTY,
    encryptedMetadataNonce: row.encryptedMetadataNonce ?? EMPTY,
    encryptionParameters: encryptionMessage(row),
    redundancyScheme: schemeMessage(schemeOf(row)),
    plainSize: row.plainSize,
    encryptedSize: row.encryptedSize,
    segmentCount: row.segmentCount,
  };
}

/** A listed object; `relativeKey` is its encrypted key without the listing's prefix. */
export function listItem(row: ObjectRow, relativeKey: Uint8Array, includeMetadata: boolean): ObjectListItem {
  return {
    encryptedObjectKey: relativeKey,
    isPrefix: false,
    createdAt: new Date(row.createdAt),
    expiresAt: optionalDate(row.expiresAt),
    plainSize: row.plainSize,
    encryptedMetadata: includeMetadata ? (row.encryptedMetadata ?? EMPTY) : EMPTY,
    encryptedMetadataKey: includeMetadata ? (row.encryptedMetadataKey ?? EMPTY) : EMPTY,
    encryptedMetadataNonce: includeMetadata ? (row.encryptedMetadataNonce ?? EMPTY) : EMPTY,
    streamId: row.streamId,
  };
}

/** A collapsed prefix in a non-recursive listing (ends in '/'). */
export function prefixItem(relativePrefix: Uint8Array): ObjectListItem {
  return {
    encryptedObjectKey: relativePrefix,
    isPrefix: true,
    createdAt: undefined,
    expiresAt: undefined,
    plainSize: 0,
    encryptedMetadata: EMPTY,
    encryptedMetadataKey: EMPTY,
    encryptedMetadataNonce: EMPTY,
    streamId: EMPTY,
  };
}

function segmentInfo(row: SegmentRow, plainOffset: number): SegmentInfo {
  return {
    position: { partNumber: row.part, index: row.index },
    plainOffset,
    plainSize: row.plainSize,
    encryptedSize: row.encryptedSize,
    encryptedKey: row.encryptedKey,
    encryptedKeyNonce: row.encryptedKeyNonce,
    inline: row.rootPieceId === null,
  };
}

/** Segment infos in object order, each with the plain offset where its bytes start. */
export function segmentInfos(rows: SegmentRow[]): SegmentInfo[] {
  let offset = 0;
  return rows.map((row) => {
    const info = segmentInfo(row, offset);
    offset += row.plainSize;
    return info;
  });
}
