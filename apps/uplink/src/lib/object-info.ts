/**
 * What the library tells about an object: the satellite's record with the parts only the uplink can
 * read (the key, user metadata, content type) decrypted.
 */
import { decryptObjectMetadata, deriveObjectContentKey, type EncryptionParameters } from '@dcsim/crypto/encryption';
import type { RedundancyScheme } from '@dcsim/erasure';
import type { Object as ObjectMessage } from '@dcsim/protocol';
import type { ProjectContext } from './context.js';

export interface ObjectInfo {
  bucket: string;
  key: string;
  /** Plain size in bytes. */
  size: number;
  created?: Date;
  expires?: Date;
  contentType?: string;
  metadata: Record<string, string>;
  /** What the satellite stores and sees instead of the key: the encrypted key, in hex. */
  encryptedKey: string;
  encryptedSize: number;
  segmentCount: number;
  /** Plain bytes per segment the object was uploaded with (from its encrypted stream info). */
  segmentSize: number;
  encryption: EncryptionParameters;
  scheme?: RedundancyScheme;
}

export function objectInfo(ctx: ProjectContext, bucket: string, key: string, object: ObjectMessage): ObjectInfo {
  const meta = decryptObjectMetadata(
    {
      encryptedMetadata: object.encryptedMetadata,
      encryptedMetadataKey: object.encryptedMetadataKey,
      encryptedMetadataKeyNonce: object.encryptedMetadataNonce,
    },
    deriveObjectContentKey(bucket, key, ctx.store),
  );
  const scheme = object.redundancyScheme;
  return {
    bucket,
    key,
    size: object.plainSize,
    created: object.createdAt,
    expires: object.expiresAt,
    contentType: meta.contentType,
    metadata: meta.userMetadata,
    encryptedKey: Buffer.from(object.encryptedObjectKey).toString('hex'),
    encryptedSize: object.encryptedSize,
    segmentCount: object.segmentCount,
    segmentSize: meta.segmentSize,
    encryption: {
      cipherSuite: object.encryptionParameters?.cipherSuite ?? ctx.encryption.cipherSuite,
      blockSize: object.encryptionParameters?.blockSize ?? ctx.encryption.blockSize,
    },
    scheme: scheme && scheme.required > 0 ? { ...scheme } : undefined,
  };
}
