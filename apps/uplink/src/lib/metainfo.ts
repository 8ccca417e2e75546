/**
 * A promise client for the satellite's Metainfo service. The connection is TLS and must prove the satellite
 * ID of the grant's node URL; any other peer is refused (IdentityMismatchError). Every request carries the
 * API key (the serialized macaroon) in its header, and nothing else secret: keys and paths reach this class
 * already encrypted. Failures become the typed errors of errors.ts, naming the bucket and object.
 */
import {
  CHANNEL_OPTIONS,
  MetainfoClient,
  status,
  unary,
  type PeerChannelCredentials,
  type Transport,
  type BeginObjectRequest,
  type BeginObjectResponse,
  type BeginSegmentRequest,
  type BeginSegmentResponse,
  type Bucket,
  type CommitObjectRequest,
  type CommitSegmentRequest,
  type DownloadObjectResponse,
  type DownloadSegmentResponse,
  type ListBucketsResponse,
  type ListObjectsRequest,
  type ListObjectsResponse,
  type MakeInlineSegmentRequest,
  type RetryBeginSegmentPiecesResponse,
  type Object as ObjectMessage,
  type ProjectInfoResponse,
  type RequestHeader,
  type SegmentPieces,
  type SegmentPosition,
  type UnaryMethod,
} from '@dcsim/protocol';
import { rememberPieceKey } from '@dcsim/piecestore-client';
import { IdentityMismatchError, SatelliteError, satelliteError, type Subject } from './errors.js';

/** A request as the caller fills it in: the header is added here. */
type Body<Req> = Omit<Req, 'header'>;

export class MetainfoConnection {
  private readonly client: MetainfoClient;
  private readonly credentials: PeerChannelCredentials;
  private readonly header: RequestHeader;

  /** `satellite` is the grant's node URL, parsed; `apiKey` the serialized macaroon. */
  constructor(
    satellite: { id: Uint8Array; address: string },
    apiKey: Uint8Array,
    transport: Transport,
    private readonly deadlineMs = 30_000,
  ) {
    this.credentials = transport.client(satellite.id);
    this.client = new MetainfoClient(satellite.address, this.credentials, CHANNEL_OPTIONS);
    this.header = { apiKey };
  }

  private async call<Req extends { header?: RequestHeader }, Res>(
    method: UnaryMethod<Req, Res>,
    body: Body<Req>,
    subject: Subject = {},
  ): Promise<Res> {
    try {
      return await unary(this.client, method, { ...body, header: this.header } as Req, this.deadlineMs);
    } catch (err) {
      const impostor = this.credentials.identityFailure;
      if (impostor && (err as { code?: number }).code === status.UNAVAILABLE) throw new IdentityMismatchError(impostor);
      throw satelliteError(err, subject);
    }
  }

  projectInfo(): Promise<ProjectInfoResponse> {
    return this.call(this.client.projectInfo, {});
  }

  async createBucket(name: string): Promise<Bucket> {
    const res = await this.call(this.client.createBucket, { name }, { bucket: name });
    return res.bucket ?? { name };
  }

  async getBucket(name: string): Promise<Bucket> {
    const res = await this.call(this.client.getBucket, { name }, { bucket: name });
    return res.bucket ?? { name };
  }

  /** Returns how many objects went with the bucket (only with `deleteAll`). */
  async deleteBucket(name: string, deleteAll: boolean): Promise<number> {
    const res = await this.call(this.client.deleteBucket, { name, deleteAll }, { bucket: name });
    return res.deletedObjects;
  }

  listBuckets(cursor: string, limit = 0): Promise<ListBucketsResponse> {
    return this.call(this.client.listBuckets, { cursor, limit });
  }

  beginObject(req: Body<BeginObjectRequest>, subject: Subject): Promise<BeginObjectResponse> {
    return this.call(this.client.beginObject, req, subject);
  }

  async beginSegment(req: Body<BeginSegmentRequest>, subject: Subject): Promise<BeginSegmentResponse> {
    return rememberPieceKey(await this.call(this.client.beginSegment, req, subject));
  }

  /** New PUT limits on other nodes for failed piece numbers of a begun segment. */
  async retryBeginSegmentPieces(
    segmentId: Uint8Array,
    retryPieceNumbers: number[],
    subject: Subject,
  ): Promise<RetryBeginSegmentPiecesResponse> {
    return rememberPieceKey(await this.call(this.client.retryBeginSegmentPieces, { segmentId, retryPieceNumbers }, subject));
  }

  async commitSegment(req: Body<CommitSegmentRequest>, subject: Subject): Promise<void> {
    await this.call(this.client.commitSegment, req, subject);
  }

  async makeInlineSegment(req: Body<MakeInlineSegmentRequest>, subject: Subject): Promise<void> {
    await this.call(this.client.makeInlineSegment, req, subject);
  }

  async commitObject(req: Body<CommitObjectRequest>, subject: Subject): Promise<ObjectMessage | undefined> {
    const res = await this.call(this.client.commitObject, req, subject);
    return res.object;
  }

  async getObject(bucket: string, encryptedObjectKey: Uint8Array, subject: Subject): Promise<ObjectMessage> {
    const res = await this.call(this.client.getObject, { bucket, encryptedObjectKey }, subject);
    if (!res.object) throw new SatelliteError(undefined, 'GetObject answered without an object');
    return res.object;
  }

  /** Where each segment's pieces are, as the satellite records them (GetObjectPieces). */
  async getObjectPieces(bucket: string, encryptedObjectKey: Uint8Array, subject: Subject): Promise<SegmentPieces[]> {
    return (await this.call(this.client.getObjectPieces, { bucket, encryptedObjectKey }, subject)).segments;
  }

  downloadObject(bucket: string, encryptedObjectKey: Uint8Array, subject: Subject): Promise<DownloadObjectResponse> {
    return this.call(this.client.downloadObject, { bucket, encryptedObjectKey }, subject);
  }

  async downloadSegment(streamId: Uint8Array, position: SegmentPosition, subject: Subject): Promise<DownloadSegmentResponse> {
    return rememberPieceKey(await this.call(this.client.downloadSegment, { streamId, position }, subject));
  }

  listObjects(req: Body<ListObjectsRequest>, subject: Subject): Promise<ListObjectsResponse> {
    return this.call(this.client.listObjects, req, subject);
  }

  async deleteObject(bucket: string, encryptedObjectKey: Uint8Array, subject: Subject): Promise<ObjectMessage | undefined> {
    const res = await this.call(this.client.deleteObject, { bucket, encryptedObjectKey }, subject);
    return res.object;
  }

  /** Revokes `apiKey` (a serialized macaroon derived from this client's key). */
  async revokeApiKey(apiKey: Uint8Array): Promise<void> {
    await this.call(this.client.revokeApiKey, { apiKey });
  }

  close(): void {
    this.client.close();
  }
}
