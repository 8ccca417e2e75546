import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity } from '@dcsim/identity';
import { PieceAction, PieceUploadRequest, PieceUploadResponse, Reason, status, verifyPieceHashSignature } from '@dcsim/protocol';
import type { ClientWritableStream } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pieceIdToString } from '@dcsim/common/pieceid';
import {
  deletePiece,
  download,
  failure,
  order,
  orderLimit,
  removeTempDirs,
  sha256,
  startContactServer,
  startTestNode,
  upload,
  waitFor,
  type FakeSatellite,
  type TestNode,
} from './helpers.js';

let sat: FakeSatellite;
let t: TestNode & { dir: string };
const put = (over = {}) => orderLimit(sat.identity, t.node.identity.id, PieceAction.PUT, over);
const get = (pieceId: Uint8Array, over = {}) => orderLimit(sat.identity, t.node.identity.id, PieceAction.GET, { pieceId, ...over });
const del = (pieceId: Uint8Array) => orderLimit(sat.identity, t.node.identity.id, PieceAction.DELETE, { pieceId });
const tmpFiles = () => readdirSync(join(t.dir, 'tmp'));

beforeAll(async () => {
  sat = await startContactServer();
  t = await startTestNode(sat);
});
afterAll(async () => {
  await t?.close();
  await sat?.close();
  removeTempDirs();
});

describe('upload and download', () => {
  it('round-trips a piece with a node signature over its hash and size', async () => {
    const data = randomBytes(700 * 1024 + 13);
    const limit = put();
    const signed = await upload(t.client, limit, data);
    expect(Buffer.from(signed.pieceId)).toEqual(Buffer.from(limit.pieceId));
    expect(signed.pieceSize).toBe(data.length);
    expect(Buffer.from(signed.hash)).toEqual(Buffer.from(sha256(data)));
    expect(verifyPieceHashSignature(t.node.identity.publicKey, signed)).toBe(true);

    const got = await download(t.client, get(limit.pieceId));
    expect(got.data.equals(data)).toBe(true);
    expect(got.messages).toBeGreaterThan(1); // streamed in chunks
    expect(verifyPieceHashSignature(t.node.identity.publicKey, got.hash!)).toBe(true);
    expect(got.hash!.pieceSize).toBe(data.length);

    // On disk under pieces/<2 chars>/<base32 id>, byte for byte; no temp file left.
    const name = pieceIdToString(limit.pieceId);
    expect(readFileSync(join(t.dir, 'pieces', name.slice(0, 2), name)).equals(data)).toBe(true);
    expect(tmpFiles()).toEqual([]);
    expect(t.logs.some((l) => l.includes(`stored piece ${name.slice(0, 7)}`))).toBe(true);
  });

  it('serves ranges, and refuses ranges outside the piece or beyond the limit', async () => {
    const data = randomBytes(300_000);
    const limit = put();
    await upload(t.client, limit, data);
    const ranged = await download(t.client, get(limit.pieceId), 1000, 270_000);
    expect(ranged.data.equals(data.subarray(1000, 271_000))).toBe(true);
    expect(ranged.hash).toBeDefined();
    const tail = await download(t.client, get(limit.pieceId), 299_990, 0);
    expect(tail.data.equals(data.subarray(299_990))).toBe(true);

    const outside = await failure(download(t.client, get(limit.pieceId), 299_000, 2000));
    expect(outside.code).toBe(status.OUT_OF_RANGE);
    expect(outside.reason).toBe(Reason.RANGE_OUTSIDE_PIECE);
    const overLimit = await failure(download(t.client, get(limit.pieceId, { limit: 100 }), 0, 0));
    expect(overLimit).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_EXCEEDED,
      message: 'download of 300000 bytes exceeds the order limit of 100 bytes',
    });
  });

  it('stores an empty piece', async () => {
    const limit = put();
    const signed = await upload(t.client, limit, new Uint8Array(0));
    expect(signed.pieceSize).toBe(0);
    const got = await download(t.client, get(limit.pieceId));
    expect(got.data.length).toBe(0);
    expect(got.hash?.pieceSize).toBe(0);
  });
});

describe('order limit checks', () => {
  it('refuses a limit signed by another key', async () => {
    const forged = orderLimit(sat.identity, t.node.identity.id, PieceAction.PUT, {}, generateIdentity());
    expect(await failure(upload(t.client, forged, randomBytes(10)))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_SIGNATURE_INVALID,
      message: 'order limit signature is not valid for the trusted satellite key',
    });
  });

  it('refuses a limit from another satellite', async () => {
    const other = generateIdentity();
    const res = await failure(upload(t.client, orderLimit(other, t.node.identity.id, PieceAction.PUT), randomBytes(10)));
    expect(res.code).toBe(status.PERMISSION_DENIED);
    expect(res.reason).toBe(Reason.ORDER_LIMIT_WRONG_SATELLITE);
    expect(res.message).toMatch(/order limit satellite ID .* is not this node's satellite/);
  });

  it('refuses an expired limit and one created in the future', async () => {
    const expired = put({ orderExpiration: new Date(Date.now() - 1000), orderCreation: new Date(Date.now() - 60_000) });
    const res = await failure(upload(t.client, expired, randomBytes(10)));
    expect(res.code).toBe(status.FAILED_PRECONDITION);
    expect(res.reason).toBe(Reason.ORDER_LIMIT_EXPIRED);
    expect(res.message).toMatch(/^order limit expired at /);

    const future = put({ orderCreation: new Date(Date.now() + 10 * 60_000) });
    const res2 = await failure(upload(t.client, future, randomBytes(10)));
    expect(res2.code).toBe(status.FAILED_PRECONDITION);
    expect(res2.reason).toBe(Reason.ORDER_LIMIT_NOT_YET_VALID);
    expect(res2.message).toMatch(/creation time .* is in the future/);
  });

  it('refuses a replayed serial number', async () => {
    const limit = put();
    await upload(t.client, limit, randomBytes(100));
    const getLimit = get(limit.pieceId);
    await download(t.client, getLimit);
    expect(await failure(download(t.client, getLimit))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_SERIAL_USED,
      message: 'order limit serial already used',
    });
    expect(await failure(upload(t.client, limit, randomBytes(100)))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_SERIAL_USED,
      message: 'order limit serial already used',
    });
  });

  it('refuses a limit for another node', async () => {
    const limit = orderLimit(sat.identity, generateIdentity().id, PieceAction.PUT);
    const res = await failure(upload(t.client, limit, randomBytes(10)));
    expect(res.code).toBe(status.PERMISSION_DENIED);
    expect(res.reason).toBe(Reason.ORDER_LIMIT_WRONG_NODE);
    expect(res.message).toMatch(/order limit storage node ID .* is not this node/);
  });

  it('refuses a limit whose action does not match the call', async () => {
    const limit = put();
    await upload(t.client, limit, randomBytes(10));
    expect(await failure(upload(t.client, get(randomBytes(32)), randomBytes(10)))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_WRONG_ACTION,
      message: 'order limit action GET does not allow Upload',
    });
    expect(await failure(download(t.client, put({ pieceId: limit.pieceId })))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_WRONG_ACTION,
      message: 'order limit action PUT does not allow Download',
    });
    expect(await failure(deletePiece(t.client, get(limit.pieceId)))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.ORDER_LIMIT_WRONG_ACTION,
      message: 'order limit action GET does not allow Delete',
    });
    expect((await download(t.client, get(limit.pieceId))).data.length).toBe(10); // still there
  });

  it('refuses integers beyond 2^53-1 with INVALID_ARGUMENT, upload and download alike, and keeps serving', async () => {
    const beyond = /^cannot decode the dcsim\.Piecestore\/(Upload|Download) request: an integer field is above 2\^53-1/;
    const huge = await failure(upload(t.client, put({ limit: 2 ** 60 }), randomBytes(10)));
    expect(huge.code).toBe(status.INVALID_ARGUMENT);
    expect(huge.reason).toBe(Reason.REQUEST_MALFORMED);
    expect(huge.message).toMatch(beyond);
    const limit = put();
    await upload(t.client, limit, randomBytes(100));
    const far = await failure(download(t.client, get(limit.pieceId), 2 ** 60, 10));
    expect(far.code).toBe(status.INVALID_ARGUMENT);
    expect(far.message).toMatch(beyond);
    expect((await download(t.client, get(limit.pieceId))).data.length).toBe(100);
  });

  it('refuses a request without a limit', async () => {
    const res = await failure(download(t.client, undefined as never));
    expect(res).toEqual({ code: status.INVALID_ARGUMENT, reason: Reason.FIELD_MISSING, message: 'Download: order limit missing' });
  });
});

describe('orders: the uplink pays for every byte it moves', () => {
  it('refuses bytes no order covers, upload and download alike', async () => {
    const limit = put();
    const short = (l: typeof limit, sent: number) => order(l, sent - 1);
    const refused = await failure(upload(t.client, limit, randomBytes(1000), { order: short }));
    expect([refused.code, refused.reason]).toEqual([status.INVALID_ARGUMENT, Reason.ORDER_NOT_ENOUGH_ALLOCATED]);
    expect(refused.message).toBe('not enough allocated: orders cover 999 bytes, moving 1000');
    const unordered = await failure(upload(t.client, put(), randomBytes(1000), { order: () => undefined }));
    expect(unordered.reason).toBe(Reason.ORDER_NOT_ENOUGH_ALLOCATED);

    const stored = put();
    await upload(t.client, stored, randomBytes(1000));
    const getLimit = get(stored.pieceId);
    expect((await failure(download(t.client, getLimit, 0, 1000, order(getLimit, 999)))).reason).toBe(Reason.ORDER_NOT_ENOUGH_ALLOCATED);
    expect((await failure(download(t.client, get(stored.pieceId), 0, 1000, null))).reason).toBe(Reason.ORDER_NOT_ENOUGH_ALLOCATED);
  });

  it("refuses an order not signed by the limit's piece key, or for another serial, or smaller than the last", async () => {
    const stored = put();
    await upload(t.client, stored, randomBytes(1000));
    const limit = get(stored.pieceId);
    const forged = { ...order(limit, 1000), amount: 2000 };
    expect(await failure(download(t.client, limit, 0, 1000, forged))).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.ORDER_SIGNATURE_INVALID,
      message: "order signature is not valid for the order limit's uplink public key",
    });
    const other = get(stored.pieceId);
    expect((await failure(download(t.client, other, 0, 1000, order(limit, 1000)))).reason).toBe(Reason.ORDER_INVALID);
    const shrinking = (l: typeof stored, sent: number) => order(l, sent === 500 ? 500 : 400);
    const res = await failure(upload(t.client, put(), randomBytes(1000), { chunkSize: 500, order: shrinking }));
    expect(res).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.ORDER_INVALID,
      message: "order amount 400 is smaller than the previous order's 500",
    });
  });
});

describe('what the node refuses to keep', () => {
  it('refuses an upload larger than the limit and keeps nothing', async () => {
    const limit = put({ limit: 1000 });
    // The uplink cannot even order more than the limit: its order for the bytes past it is refused.
    expect(await failure(upload(t.client, limit, randomBytes(1500), { chunkSize: 400 }))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.ORDER_INVALID,
      message: 'order amount 1200 exceeds the order limit of 1000 bytes',
    });
    expect(await failure(download(t.client, get(limit.pieceId)))).toEqual({
      code: status.NOT_FOUND,
      reason: Reason.PIECE_NOT_FOUND,
      message: 'piece not found',
    });
    await waitFor(() => tmpFiles().length === 0);
  });

  it('refuses a done message whose hash or size does not match', async () => {
    const data = randomBytes(5000);
    const badHash = put();
    expect(await failure(upload(t.client, badHash, data, { done: { hash: sha256(randomBytes(5)) } }))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.PIECE_HASH_MISMATCH,
      message: "piece hash mismatch: the uplink's hash does not match the bytes the node received",
    });
    const badSize = put();
    expect(await failure(upload(t.client, badSize, data, { done: { pieceSize: 4999 } }))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.PIECE_HASH_MISMATCH,
      message: 'piece size mismatch: the uplink says 4999 bytes, the node received 5000',
    });
    for (const l of [badHash, badSize]) {
      expect((await failure(download(t.client, get(l.pieceId)))).reason).toBe(Reason.PIECE_NOT_FOUND);
    }
    await waitFor(() => tmpFiles().length === 0);
  });

  it('refuses a piece ID that already exists', async () => {
    const limit = put();
    const data = randomBytes(2000);
    await upload(t.client, limit, data);
    const again = put({ pieceId: limit.pieceId });
    const res = await failure(upload(t.client, again, randomBytes(2000)));
    expect(res.code).toBe(status.ALREADY_EXISTS);
    expect(res.reason).toBe(Reason.PIECE_ALREADY_EXISTS);
    expect(res.message).toMatch(/already exists/);
    expect((await download(t.client, get(limit.pieceId))).data.equals(data)).toBe(true);
  });

  it('refuses a second upload of a piece while the first is still running', async () => {
    const first = put();
    const data = randomBytes(4000);
    let call!: ClientWritableStream<PieceUploadRequest>;
    const firstDone = new Promise<PieceUploadResponse | undefined>((resolve, reject) => {
      call = t.client.upload((err: unknown, res?: PieceUploadResponse) => (err ? reject(err) : resolve(res)));
    });
    call.write({ limit: first, chunk: data.subarray(0, 2000), order: order(first, 2000) });
    await waitFor(() => tmpFiles().length === 1);
    const second = await failure(upload(t.client, put({ pieceId: first.pieceId }), randomBytes(10)));
    expect(second.code).toBe(status.ALREADY_EXISTS);
    expect(second.reason).toBe(Reason.PIECE_ALREADY_EXISTS);
    expect(second.message).toMatch(/is already being uploaded/);
    call.write({
      chunk: data.subarray(2000),
      order: order(first, 4000),
      done: { pieceId: first.pieceId, hash: sha256(data), pieceSize: 4000, signature: new Uint8Array(0) },
    });
    call.end();
    expect((await firstDone)?.done?.pieceSize).toBe(4000);
    expect((await download(t.client, get(first.pieceId))).data.equals(data)).toBe(true);
  });

  it('deletes a piece; a later download is not found and a second delete succeeds', async () => {
    const limit = put();
    await upload(t.client, limit, randomBytes(3000));
    const name = pieceIdToString(limit.pieceId);
    await deletePiece(t.client, del(limit.pieceId));
    expect(existsSync(join(t.dir, 'pieces', name.slice(0, 2), name))).toBe(false);
    expect(await failure(download(t.client, get(limit.pieceId)))).toEqual({
      code: status.NOT_FOUND,
      reason: Reason.PIECE_NOT_FOUND,
      message: 'piece not found',
    });
    await expect(deletePiece(t.client, del(limit.pieceId))).resolves.toEqual({});
  });

  it('a client aborting mid-upload leaves no piece and no temp file', async () => {
    const limit = put();
    const call: ClientWritableStream<PieceUploadRequest> = t.client.upload((_err: unknown, _res?: PieceUploadResponse) => {});
    call.on('error', () => {});
    call.write({ limit, chunk: randomBytes(64 * 1024), order: order(limit, 64 * 1024) });
    call.write({ chunk: randomBytes(64 * 1024), order: order(limit, 128 * 1024) });
    await waitFor(() => tmpFiles().length === 1);
    call.cancel();
    await waitFor(() => tmpFiles().length === 0);
    expect(await failure(download(t.client, get(limit.pieceId)))).toEqual({
      code: status.NOT_FOUND,
      reason: Reason.PIECE_NOT_FOUND,
      message: 'piece not found',
    });
    // The node is still serving.
    const ok = put();
    await upload(t.client, ok, randomBytes(10));
  });
});

describe('capacity and expiration', () => {
  it('refuses uploads past capacity with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const sat2 = await startContactServer();
    const small = await startTestNode(sat2, undefined, { capacityBytes: 100 * 1024 });
    try {
      const limit = orderLimit(sat2.identity, small.node.identity.id, PieceAction.PUT);
      const res = await failure(upload(small.client, limit, randomBytes(150 * 1024)));
      expect(res.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(res.reason).toBe(Reason.NODE_FULL);
      expect(res.message).toMatch(/^node is full/);
      await waitFor(() => readdirSync(join(small.dir, 'tmp')).length === 0);
      expect(small.node.pieces.usedBytes).toBe(0);
      const fits = orderLimit(sat2.identity, small.node.identity.id, PieceAction.PUT);
      await upload(small.client, fits, randomBytes(90 * 1024));
      expect(small.node.pieces.usedBytes).toBe(90 * 1024);
      expect(small.node.pieces.availableBytes).toBe(10 * 1024);
    } finally {
      await small.close();
      await sat2.close();
    }
  });

  it('does not serve an expired piece, and the expired-pieces chore removes it', async () => {
    const limit = put({ pieceExpiration: new Date(t.node.clock.now() + 60_000) });
    await upload(t.client, limit, randomBytes(1000));
    t.node.clock.advance(60_001); // a minute passes on the node's clock
    expect(await failure(download(t.client, get(limit.pieceId)))).toEqual({
      code: status.NOT_FOUND,
      reason: Reason.PIECE_EXPIRED,
      message: 'piece not found (expired)',
    });
    expect((await t.node.chores.get('expired-pieces').trigger()).error).toBeUndefined();
    const name = pieceIdToString(limit.pieceId);
    expect(existsSync(join(t.dir, 'pieces', name.slice(0, 2), name))).toBe(false);
    expect(t.node.pieces.has(limit.pieceId)).toBe(false);
  });

  it('refuses an upload whose piece expiration is already past', async () => {
    const res = await failure(upload(t.client, put({ pieceExpiration: new Date(Date.now() - 1000) }), randomBytes(10)));
    expect(res.code).toBe(status.FAILED_PRECONDITION);
    expect(res.reason).toBe(Reason.ORDER_LIMIT_PIECE_EXPIRED);
    expect(res.message).toMatch(/piece expiration .* is already past/);
  });
});
