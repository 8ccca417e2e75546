/**
 * @dcsim/uplink: the client library (all encryption and erasure coding happens here) used by the
 * `uplink` CLI, the S3 gateway and the end-to-end tests.
 */
export { Project, DEFAULT_SEGMENT_SIZE, type ProjectOptions, type BucketInfo, type SegmentLocations } from './lib/project.js';
export { requestAccess, type RequestAccessOptions } from './lib/access.js';
export { TransferResources } from './lib/resources.js';
export type { UploadOptions, UploadReport, SegmentReport, PieceReport } from './lib/upload.js';
export type { DownloadOptions, ObjectDownload } from './lib/download.js';
export type { ListOptions, ListItem } from './lib/list.js';
export type { ObjectInfo } from './lib/object-info.js';
export type { BadPiece } from './lib/piece-fetcher.js';
export type { UploadSource } from './lib/segmenter.js';
export type { ProgressEvent, ProgressListener, BytesEvent, SegmentEvent, PieceEvent, PieceStatus } from './lib/progress.js';
export {
  UplinkError,
  BucketNotFoundError,
  BucketExistsError,
  BucketNotEmptyError,
  ObjectNotFoundError,
  AccessDeniedError,
  NoPathKeyError,
  RevokedError,
  InvalidAccessError,
  LimitExceededError,
  NotEnoughNodesError,
  NotEnoughPiecesError,
  SatelliteError,
  SatelliteUnavailableError,
  TooManyRequestsError,
  IdentityMismatchError,
  CorruptDataError,
  InvalidArgumentError,
  PieceError,
} from './lib/errors.js';
