/**
 * What a request wants to do (storj/common macaroon/apikey.go Action). The satellite builds one Action per
 * request and asks every caveat of the request's API key whether it allows it (`allows` in caveat.ts).
 */

/** Numbered as Storj's ActionType: the numbers are part of Storj's API, so they never change. */
export enum ActionType {
  Read = 1,
  Write = 2,
  List = 3,
  Delete = 4,
  ProjectInfo = 5,
  /** Object Lock actions: dcsim has no object lock, but caveats carry their flags and Storj checks them. */
  Lock = 6,
  PutObjectRetention = 7,
  GetObjectRetention = 8,
  PutObjectLegalHold = 9,
  GetObjectLegalHold = 10,
  BypassGovernanceRetention = 11,
  PutBucketObjectLockConfiguration = 12,
  GetBucketObjectLockConfiguration = 13,
  PutBucketNotificationConfiguration = 14,
  GetBucketNotificationConfiguration = 15,
}

export interface Action {
  op: ActionType;
  /** Bucket name bytes; absent when listing buckets. */
  bucket?: Uint8Array;
  /** The object key as the satellite sees it: encrypted, component by component. */
  encryptedPath?: Uint8Array;
  /** When the request happens; caveats with a time window compare against it. */
  time: Date;
}
