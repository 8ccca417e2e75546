/**
 * What every operation of a Project works with: the satellite client, the node clients, the resources
 * transfers run on, and the encryption side of the access grant. The keys here stay in this process
 * (invariant 3).
 */
import type { CipherSuite, EncryptionParameters, Store } from '@dcsim/crypto/encryption';
import type { MetainfoConnection } from './metainfo.js';
import type { NodeClients } from '@dcsim/piecestore-client';
import type { TransferResources } from './resources.js';

export interface ProjectContext {
  metainfo: MetainfoConnection;
  nodes: NodeClients;
  /** The segment thread and reused memory (the project's own, or shared with other projects). */
  resources: TransferResources;
  /** The grant's key store: the root key, or the derived keys of the prefixes it was shared for. */
  store: Store;
  /** Path cipher override; undefined uses the cipher of the matching store entry. */
  pathCipher: CipherSuite | undefined;
  /** Content encryption of new objects (always authenticated). */
  encryption: EncryptionParameters;
  /** Plain bytes per segment of new objects (capped by the satellite's maximum). */
  segmentSize: number;
  /** Bytes per Piecestore upload message. */
  chunkSize: number;
  /** Transfers started beyond k when downloading a segment. */
  extraPieces: number;
  /** Human-readable log lines (bad pieces); no secrets ever go here. */
  log: (line: string) => void;
}
