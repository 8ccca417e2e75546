/**
 * A Project: one access grant opened against its satellite. Everything the uplink does goes through
 * here: buckets, objects (upload, download, stat, list, delete) and revoking shared grants.
 *
 *   const project = await Project.open(process.env.UPLINK_ACCESS!);
 *   await project.ensureBucket('photos');
 *   await project.upload('photos', 'cat.jpg', bytes);
 *   for await (const chunk of await project.download('photos', 'cat.jpg')) ...
 *   await project.close();
 *
 * Only the API key and encrypted data leave the process; the grant's keys stay in memory here.
 */
import { CipherSuite, DEFAULT_ENCRYPTION, type EncryptionParameters } from '@dcsim/crypto/encryption';
import { parseAccess, type AccessGrant } from '@dcsim/crypto/grant';
import { nodeIdString, parseNodeUrl } from '@dcsim/common/nodeid';
import { Transport } from '@dcsim/protocol';
import type { ProjectContext } from './context.js';
import { downloadObject, type DownloadOptions, type ObjectDownload } from './download.js';
import { BucketExistsError, InvalidAccessError, ObjectNotFoundError } from './errors.js';
import { listObjects, type ListItem, type ListOptions } from './list.js';
import { MetainfoConnection } from './metainfo.js';
import { checkBucket, checkBucketAndKey } from './names.js';
import { TransferResources } from './resources.js';
import { objectInfo, type ObjectInfo } from './object-info.js';
import { encryptObjectKey } from './object-key.js';
import { DEFAULT_UPLOAD_CHUNK, NodeClients } from '@dcsim/piecestore-client';
import type { UploadSource } from './segmenter.js';
import { uploadObject, type UploadOptions, type UploadReport } from './upload.js';

/** Storj's default segment size. */
export const DEFAULT_SEGMENT_SIZE = 64 * 1024 * 1024;

export interface ProjectOptions {
  /** Plain bytes per segment of new objects (the satellite's maximum caps it). */
  segmentSize?: number;
  /** Bytes per Piecestore upload message. */
  chunkSize?: number;
  /** Piece downloads started beyond k per segment (default 2). */
  extraPieces?: number;
  /** Path cipher for new keys instead of the grant's (e.g. CipherSuite.Null to store keys in the clear). */
  pathCipher?: CipherSuite;
  /** Deadline of each satellite request (default 30 s). */
  satelliteTimeoutMs?: number;
  /** Log lines naming nodes that served bad pieces (default: stderr). Never carries secrets. */
  log?: (line: string) => void;
  /**
   * The segment thread and reused memory, shared with other projects of this process (the gateway's);
   * whoever made it closes it. By default the project makes its own and closes it with itself.
   */
  resources?: TransferResources;
}

/** Where one segment's pieces are (`Project.pieces`, `uplink pieces`). */
export interface SegmentLocations {
  part: number;
  index: number;
  inline: boolean;
  pieces: { number: number; nodeId: string; address: string; online: boolean }[];
}

export interface BucketInfo {
  name: string;
  created?: Date;
}

export class Project {
  private closed = false;

  private constructor(
    private readonly ctx: ProjectContext,
    /** The grant this project was opened with (its keys stay in this process). */
    readonly access: AccessGrant,
    /** ctx.resources is the project's own, to close with it. */
    private readonly ownsResources: boolean,
  ) {}

  /** Opens a project from a serialized access grant or a parsed one. Nothing is sent until the first call. */
  static async open(access: string | AccessGrant, options: ProjectOptions = {}): Promise<Project> {
    const grant = typeof access === 'string' ? parseGrant(access) : access;
    const satellite = parseSatelliteUrl(grant.satelliteAddress);
    // As Storj's uplinks: a throwaway identity for TLS; peers are checked against the IDs the grant and order limits name.
    const transport = Transport.ephemeral();
    const metainfo = new MetainfoConnection(satellite, grant.apiKey.rawBytes(), transport, options.satelliteTimeoutMs);
    const ctx: ProjectContext = {
      metainfo,
      nodes: new NodeClients(transport),
      resources: options.resources ?? new TransferResources(),
      store: grant.encAccess.store,
      pathCipher: options.pathCipher,
      encryption: contentEncryption(grant.encAccess.defaultEncryptionParameters),
      segmentSize: options.segmentSize ?? DEFAULT_SEGMENT_SIZE,
      chunkSize: options.chunkSize ?? DEFAULT_UPLOAD_CHUNK,
      extraPieces: options.extraPieces ?? 2,
      log: options.log ?? ((line) => process.stderr.write(`uplink: ${line}\n`)),
    };
    return new Project(ctx, grant, options.resources === undefined);
  }

  // Buckets

  async createBucket(name: string): Promise<BucketInfo> {
    checkBucket(name);
    return bucketInfo(await this.ctx.metainfo.createBucket(name));
  }

  /** Creates the bucket, or returns the existing one. */
  async ensureBucket(name: string): Promise<BucketInfo> {
    try {
      return await this.createBucket(name);
    } catch (err) {
      if (err instanceof BucketExistsError) return this.statBucket(name);
      throw err;
    }
  }

  async statBucket(name: string): Promise<BucketInfo> {
    checkBucket(name);
    return bucketInfo(await this.ctx.metainfo.getBucket(name));
  }

  /** Deletes an empty bucket; with `force`, its objects too. Returns how many objects went with it. */
  async deleteBucket(name: string, options: { force?: boolean } = {}): Promise<number> {
    checkBucket(name);
    return this.ctx.metainfo.deleteBucket(name, options.force ?? false);
  }

  async *listBuckets(): AsyncGenerator<BucketInfo> {
    let cursor = '';
    for (;;) {
      const page = await this.ctx.metainfo.listBuckets(cursor);
      for (const bucket of page.items) yield bucketInfo(bucket);
      if (!page.more || page.items.length === 0) return;
      cursor = page.items[page.items.length - 1].name;
    }
  }

  // Objects

  /** Uploads `data` (bytes, or a stream read one segment at a time) and returns what happened where. */
  upload(bucket: string, key: string, data: UploadSource, options?: UploadOptions): Promise<UploadReport> {
    return uploadObject(this.ctx, bucket, key, data, options);
  }

  /** Starts a download: the object's info at once, its bytes (or a range) as an async iterable. */
  download(bucket: string, key: string, options?: DownloadOptions): Promise<ObjectDownload> {
    return downloadObject(this.ctx, bucket, key, options);
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo> {
    checkBucketAndKey(bucket, key);
    const encryptedKey = encryptObjectKey(this.ctx, bucket, key);
    const object = await this.ctx.metainfo.getObject(bucket, encryptedKey, { bucket, key });
    return objectInfo(this.ctx, bucket, key, object);
  }

  /**
   * Where each segment of the object has its pieces, from the satellite's records: piece number, node, its address
   * and whether the satellite counts it online. Inline segments have none (the satellite holds their bytes).
   */
  async pieces(bucket: string, key: string): Promise<SegmentLocations[]> {
    checkBucketAndKey(bucket, key);
    const encryptedKey = encryptObjectKey(this.ctx, bucket, key);
    const segments = await this.ctx.metainfo.getObjectPieces(bucket, encryptedKey, { bucket, key });
    return segments.map((s) => ({
      part: s.position?.partNumber ?? 0,
      index: s.position?.index ?? 0,
      inline: s.inline,
      pieces: s.pieces.map((p) => ({ number: p.pieceNum, nodeId: nodeIdString(p.nodeId), address: p.address, online: p.online })),
    }));
  }

  list(bucket: string, options?: ListOptions): AsyncGenerator<ListItem> {
    return listObjects(this.ctx, bucket, options);
  }

  /** Deletes an object; its pieces are deleted from the nodes by the satellite. */
  async delete(bucket: string, key: string): Promise<void> {
    checkBucketAndKey(bucket, key);
    const encryptedKey = encryptObjectKey(this.ctx, bucket, key);
    const deleted = await this.ctx.metainfo.deleteObject(bucket, encryptedKey, { bucket, key });
    if (deleted === undefined) throw new ObjectNotFoundError(bucket, key);
  }

  // Access

  /** Revokes a grant derived from this project's (a shared one): it and everything derived from it stop working. */
  async revokeAccess(grant: string | AccessGrant): Promise<void> {
    const child = typeof grant === 'string' ? parseGrant(grant) : grant;
    await this.ctx.metainfo.revokeApiKey(child.apiKey.rawBytes());
  }

  /** Closes the satellite connection, every node connection, and the project's own resources (not shared ones). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.metainfo.close();
    this.ctx.nodes.close();
    if (this.ownsResources) await this.ctx.resources.close();
  }
}

function parseGrant(text: string): AccessGrant {
  try {
    return parseAccess(text.trim());
  } catch (err) {
    throw new InvalidAccessError(`cannot parse the access grant: ${(err as Error).message}`);
  }
}

function parseSatelliteUrl(url: string): { id: Uint8Array; address: string } {
  try {
    return parseNodeUrl(url);
  } catch (err) {
    throw new InvalidAccessError(`bad satellite address in the access grant: ${(err as Error).message}`);
  }
}

/** Content is always encrypted with an authenticated cipher, even when paths are not (as uplink does). */
function contentEncryption(params: EncryptionParameters | undefined): EncryptionParameters {
  if (!params) return DEFAULT_ENCRYPTION;
  const authenticated = params.cipherSuite === CipherSuite.AESGCM || params.cipherSuite === CipherSuite.Secretbox;
  return authenticated && params.blockSize > 16 ? params : DEFAULT_ENCRYPTION;
}

function bucketInfo(bucket: { name: string; createdAt?: Date }): BucketInfo {
  return { name: bucket.name, created: bucket.createdAt };
}
