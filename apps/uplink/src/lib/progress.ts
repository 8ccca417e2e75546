/**
 * Progress events of uploads and downloads, so a CLI can draw a progress bar and a curious user can
 * watch pieces go to (and come from) storage nodes.
 */

/** Plain (user) bytes transferred so far; `total` is unknown for an upload from a stream of unknown size. */
export interface BytesEvent {
  type: 'bytes';
  done: number;
  total?: number;
}

/** A segment finished: stored (upload) or rebuilt and decrypted (download). */
export interface SegmentEvent {
  type: 'segment';
  index: number;
  plainSize: number;
  inline: boolean;
}

/** What happened to one piece of a segment. */
export type PieceStatus =
  | 'started' // transfer began
  | 'stored' // upload: the node signed the piece hash
  | 'downloaded' // download: piece received and verified
  | 'failed' // the node refused or could not be reached
  | 'bad' // download: the piece failed verification (hash, size, signature or authentication)
  | 'cancelled'; // long tail: enough pieces were done without it

export interface PieceEvent {
  type: 'piece';
  segment: number;
  pieceNum: number;
  /** Node ID, base58check. */
  nodeId: string;
  address: string;
  status: PieceStatus;
  /** Why it failed or was bad. */
  error?: string;
}

export type ProgressEvent = BytesEvent | SegmentEvent | PieceEvent;

export type ProgressListener = (event: ProgressEvent) => void;

/** Calls a listener without letting a throwing listener break a transfer. */
export function emit(listener: ProgressListener | undefined, event: ProgressEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // A progress bar's bug must not fail the upload.
  }
}
