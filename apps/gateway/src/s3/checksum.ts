/**
 * The additional checksums S3 clients send (x-amz-checksum-<algorithm>, as a header or a trailer of an
 * aws-chunked body), computed while the body streams through, base64 as S3 writes them.
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { S3Error } from './errors.js';

const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface Checksum {
  update(data: Uint8Array): void;
  /** Base64 of the big-endian digest. */
  digest(): string;
}

/** "x-amz-checksum-crc32" → "crc32"; other algorithms (crc64nvme) are refused rather than left unchecked. */
export function checksumAlgorithm(headerName: string): ChecksumAlgorithm {
  const name = headerName.toLowerCase().replace(/^x-amz-checksum-/, '');
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(name)) {
    throw new S3Error('NotImplemented', `checksum algorithm ${name} is not supported (use ${CHECKSUM_ALGORITHMS.join(', ')})`);
  }
  return name as ChecksumAlgorithm;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'crc32':
      return crcChecksum((data, crc) => crc32(data, crc));
    case 'crc32c':
      return crcChecksum(crc32c);
    case 'sha1':
    case 'sha256':
      return hashChecksum(createHash(algorithm));
  }
}

function crcChecksum(update: (data: Uint8Array, crc: number) => number): Checksum {
  let crc = 0;
  return {
    update: (data) => {
      crc = update(data, crc);
    },
    digest: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc >>> 0);
      return out.toString('base64');
    },
  };
}

function hashChecksum(hash: Hash): Checksum {
  return { update: (data) => hash.update(data), digest: () => hash.digest('base64') };
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
