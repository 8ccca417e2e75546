/**
 * The node's pieces on disk (Storj's storagenode/pieces). A piece is a file `pieces/<first 2 chars>/<piece ID in
 * base32>` plus a row in node.db (size, SHA-256, the node-signed PieceHash, expiration). The row is written after the file is in place,
 * and a piece counts as stored only when both exist. The node never knows what a piece holds: it is one
 * erasure-coded share of content the uplink encrypted.
 *
 * Garbage collection moves a piece to trash (`trash/<first 2 chars>/<id>`, its row's `trashed_at` set): it is no
 * longer served, still takes its space, and is deleted once the retention period is over, or restored.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pieceIdToString } from '@dcsim/common/pieceid';
import type { Clock } from '@dcsim/process';
import { PieceHash, Reason, RpcError } from '@dcsim/protocol';
import type { Statement } from 'better-sqlite3';
import type { NodeDb } from './db.js';
import { formatBytes } from '@dcsim/common/size';
import { BlockBuffers } from './aligned.js';
import { PieceWriter, type SpaceAccount } from './writer.js';

/** A piece this node stores: its row in node.db and where its file is. */
export interface StoredPiece {
  pieceId: Uint8Array;
  satelliteId: Uint8Array;
  size: number;
  hash: Uint8Array;
  /** As signed at upload; downloads send it so the uplink can check the bytes against the node's signature. */
  signedHash: PieceHash;
  pieceExpiration?: Date;
  createdAt: Date;
  path: string;
}

export interface NewPiece {
  pieceId: Uint8Array;
  satelliteId: Uint8Array;
  hash: Uint8Array;
  signedHash: PieceHash;
  pieceExpiration?: Date;
}

/** How many pieces the node holds, how many are in trash, and the bytes of both (what counts against capacity). */
export interface PieceCounts {
  pieces: number;
  trash: number;
  usedBytes: number;
}

interface PieceRow {
  piece_id: Buffer;
  satellite_id: Buffer;
  size: number;
  hash: Buffer;
  signed_hash: Buffer;
  piece_expiration: number | null;
  created_at: number;
}

export class Pieces implements SpaceAccount {
  readonly piecesDir: string;
  readonly tmpDir: string;
  readonly trashDir: string;
  private used = 0;
  private reserved = 0;
  /** Staging memory of the uploads in progress, reused from one to the next. */
  private readonly buffers = new BlockBuffers();
  private readonly sql: {
    get: Statement<[Uint8Array], PieceRow>;
    exists: Statement<[Uint8Array], { trashed: number }>;
    insert: Statement<[Uint8Array, Uint8Array, number, Uint8Array, Uint8Array, number | null, number]>;
    remove: Statement<[Uint8Array]>;
    expired: Statement<[number], { piece_id: Buffer }>;
    used: Statement<[], { total: number | null }>;
    setTrashed: Statement<[number | null, Uint8Array]>;
    trashedBefore: Statement<[number], { piece_id: Buffer }>;
    trashed: Statement<[], { piece_id: Buffer }>;
    retainCandidates: Statement<[Uint8Array, number], { piece_id: Buffer }>;
    counts: Statement<[], { pieces: number; trash: number; used: number | null }>;
  };

  private constructor(
    dir: string,
    private readonly db: NodeDb,
    readonly capacityBytes: number,
    /** Stamps when each piece was stored. */
    private readonly clock: Clock,
  ) {
    this.piecesDir = join(dir, 'pieces');
    this.tmpDir = join(dir, 'tmp');
    this.trashDir = join(dir, 'trash');
    this.sql = {
      get: db.prepare('SELECT * FROM pieces WHERE piece_id = ? AND trashed_at IS NULL'),
      exists: db.prepare('SELECT trashed_at IS NOT NULL AS trashed FROM pieces WHERE piece_id = ?'),
      insert: db.prepare(
        'INSERT INTO pieces (piece_id, satellite_id, size, hash, signed_hash, piece_expiration, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      remove: db.prepare('DELETE FROM pieces WHERE piece_id = ? RETURNING size, trashed_at'),
      expired: db.prepare('SELECT piece_id FROM pieces WHERE piece_expiration IS NOT NULL AND piece_expiration <= ? LIMIT 1000'),
      used: db.prepare('SELECT SUM(size) AS total FROM pieces'),
      setTrashed: db.prepare('UPDATE pieces SET trashed_at = ? WHERE piece_id = ?'),
      trashedBefore: db.prepare('SELECT piece_id FROM pieces WHERE trashed_at IS NOT NULL AND trashed_at < ? LIMIT 1000'),
      trashed: db.prepare('SELECT piece_id FROM pieces WHERE trashed_at IS NOT NULL LIMIT 1000'),
      retainCandidates: db.prepare('SELECT piece_id FROM pieces WHERE satellite_id = ? AND created_at < ? AND trashed_at IS NULL'),
      counts: db.prepare('SELECT COUNT(*) - COUNT(trashed_at) AS pieces, COUNT(trashed_at) AS trash, SUM(size) AS used FROM pieces'),
    };
  }

  /** Opens the pieces and cleans up after a crash: temp files of unfinished uploads and files without a row. */
  static async open(dir: string, db: NodeDb, capacityBytes: number, log: (line: string) => void, clock: Clock): Promise<Pieces> {
    const pieces = new Pieces(dir, db, capacityBytes, clock);
    await rm(pieces.tmpDir, { recursive: true, force: true });
    await mkdir(pieces.tmpDir, { recursive: true });
    await mkdir(pieces.piecesDir, { recursive: true });
    await mkdir(pieces.trashDir, { recursive: true });
    const { removed, moved } = await pieces.tidyAfterCrash();
    if (removed > 0) log(`removed ${removed} piece file(s) left without metadata by an earlier crash`);
    if (moved > 0) log(`moved ${moved} piece file(s) to where node.db says they are (in or out of trash) after an earlier crash`);
    pieces.used = pieces.sql.used.get()?.total ?? 0;
    return pieces;
  }

  get usedBytes(): number {
    return this.used;
  }

  /** Bytes the node may still accept under its configured capacity (uploads in progress count). */
  get availableBytes(): number {
    return Math.max(0, this.capacityBytes - this.used - this.reserved);
  }

  /** What the node offers its satellite: capacity left, but never more than the disk really has. */
  async freeDisk(): Promise<number> {
    const fsStats = await statfs(this.piecesDir);
    return Math.max(0, Math.min(this.availableBytes, fsStats.bavail * fsStats.bsize));
  }

  reserve(bytes: number): void {
    if (this.used + this.reserved + bytes > this.capacityBytes) {
      throw new RpcError(Reason.NODE_FULL, `node is full: ${formatBytes(this.capacityBytes)} capacity, ${formatBytes(this.used)} used`);
    }
    this.reserved += bytes;
  }

  release(bytes: number): void {
    this.reserved -= bytes;
  }

  piecePath(pieceId: Uint8Array): string {
    const name = pieceIdToString(pieceId);
    return join(this.piecesDir, name.slice(0, 2), name);
  }

  trashPath(pieceId: Uint8Array): string {
    const name = pieceIdToString(pieceId);
    return join(this.trashDir, name.slice(0, 2), name);
  }

  /** Whether the node holds this piece, in trash or not (an upload of the same ID is refused either way). */
  has(pieceId: Uint8Array): boolean {
    return this.sql.exists.get(pieceId) !== undefined;
  }

  counts(): PieceCounts {
    const row = this.sql.counts.get()!;
    return { pieces: row.pieces, trash: row.trash, usedBytes: row.used ?? 0 };
  }

  get(pieceId: Uint8Array): StoredPiece | undefined {
    const row = this.sql.get.get(pieceId);
    if (!row) return undefined;
    return {
      pieceId: new Uint8Array(row.piece_id),
      satelliteId: new Uint8Array(row.satellite_id),
      size: row.size,
      hash: new Uint8Array(row.hash),
      signedHash: PieceHash.decode(row.signed_hash),
      pieceExpiration: row.piece_expiration === null ? undefined : new Date(row.piece_expiration),
      createdAt: new Date(row.created_at),
      path: this.piecePath(pieceId),
    };
  }

  /** Starts receiving a piece into a temp file; `maxBytes` is the order limit's byte limit. */
  createWriter(pieceId: Uint8Array, maxBytes: number): Promise<PieceWriter> {
    const tmp = join(this.tmpDir, `${pieceIdToString(pieceId)}.${randomBytes(6).toString('hex')}.part`);
    return PieceWriter.create(tmp, maxBytes, this, this.buffers);
  }

  /**
   * Moves a finished upload into place and records it. The file is synced before the rename (writer.finish);
   * the directory is not, since a power cut is not a failure a one-machine testnet needs to survive.
   */
  async commit(writer: PieceWriter, piece: NewPiece): Promise<void> {
    const path = this.piecePath(piece.pieceId);
    await mkdir(join(path, '..'), { recursive: true });
    await rename(writer.tmpPath, path);
    try {
      this.sql.insert.run(
        piece.pieceId,
        piece.satelliteId,
        writer.size,
        piece.hash,
        PieceHash.encode(piece.signedHash).finish(),
        piece.pieceExpiration?.getTime() ?? null,
        this.clock.now(),
      );
    } catch (err) {
      await unlink(path).catch(() => {});
      throw err;
    }
    writer.committed();
    this.used += writer.size;
  }

  /** Removes a piece's row and file (in trash or not); false if there was no such piece. */
  async delete(pieceId: Uint8Array): Promise<boolean> {
    const row = this.sql.remove.get(pieceId) as { size: number; trashed_at: number | null } | undefined;
    if (row) this.used -= row.size;
    const path = row && row.trashed_at !== null ? this.trashPath(pieceId) : this.piecePath(pieceId);
    await unlink(path).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
    return row !== undefined;
  }

  /**
   * The pieces of `satelliteId` stored before `createdBefore` (the node's clock), not in trash: what a retain
   * request may trash. Newer pieces may belong to uploads the satellite's filter could not know of yet.
   */
  retainCandidates(satelliteId: Uint8Array, createdBefore: Date): Uint8Array[] {
    return this.sql.retainCandidates.all(satelliteId, createdBefore.getTime()).map((r) => new Uint8Array(r.piece_id));
  }

  /** Moves pieces to trash: not served any more, deleted after the retention period unless restored first. */
  async trash(pieceIds: Uint8Array[], now: Date): Promise<number> {
    let moved = 0;
    for (const id of pieceIds) if (await this.move(id, this.piecePath(id), this.trashPath(id), now.getTime())) moved++;
    return moved;
  }

  /** Deletes the pieces trashed before `trashedBefore`; returns how many. */
  async emptyTrash(trashedBefore: Date): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = this.sql.trashedBefore.all(trashedBefore.getTime());
      for (const { piece_id } of batch) if (await this.delete(piece_id)) count++;
      if (batch.length < 1000) return count;
    }
  }

  /** Moves every trashed piece back (Storj's RestoreTrash); returns how many. */
  async restoreTrash(): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = this.sql.trashed.all();
      for (const { piece_id } of batch) if (await this.move(piece_id, this.trashPath(piece_id), this.piecePath(piece_id), null)) count++;
      if (batch.length < 1000) return count;
    }
  }

  /** Moves a piece's file, then records where it is (trashed_at, or NULL when restored). A crash between is tidied at open. */
  private async move(pieceId: Uint8Array, from: string, to: string, trashedAt: number | null): Promise<boolean> {
    await mkdir(join(to, '..'), { recursive: true });
    try {
      await rename(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return this.sql.setTrashed.run(trashedAt, pieceId).changes > 0;
  }

  /** Deletes every piece of satellite `satelliteId` (after a graceful exit); returns how many. */
  async deleteAllOf(satelliteId: Uint8Array): Promise<number> {
    const rows = this.db.prepare('SELECT piece_id FROM pieces WHERE satellite_id = ?').all(satelliteId) as { piece_id: Buffer }[];
    let count = 0;
    for (const { piece_id } of rows) if (await this.delete(piece_id)) count++;
    return count;
  }

  /** Deletes pieces whose expiration has passed; returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    let count = 0;
    for (;;) {
      const batch = this.sql.expired.all(now.getTime());
      for (const { piece_id } of batch) if (await this.delete(piece_id)) count++;
      if (batch.length < 1000) return count;
    }
  }

  /**
   * After a crash: files without a row are removed; a file in pieces/ whose row says trash (or the other way round)
   * is moved to where its row says it is.
   */
  private async tidyAfterCrash(): Promise<{ removed: number; moved: number }> {
    const rows = this.db.prepare('SELECT piece_id, trashed_at IS NOT NULL AS trashed FROM pieces').all() as {
      piece_id: Buffer;
      trashed: number;
    }[];
    const trashed = new Map(rows.map((r) => [pieceIdToString(r.piece_id), r.trashed === 1]));
    let removed = 0;
    let moved = 0;
    for (const [dir, inTrash] of [
      [this.piecesDir, false],
      [this.trashDir, true],
    ] as const) {
      for (const prefix of await readdir(dir)) {
        for (const name of await readdir(join(dir, prefix)).catch(() => [] as string[])) {
          const known = trashed.get(name);
          if (known === undefined) {
            await unlink(join(dir, prefix, name)).catch(() => {});
            removed++;
          } else if (known !== inTrash) {
            const to = join(inTrash ? this.piecesDir : this.trashDir, prefix);
            await mkdir(to, { recursive: true });
            await rename(join(dir, prefix, name), join(to, name));
            moved++;
          }
        }
      }
    }
    return { removed, moved };
  }
}
