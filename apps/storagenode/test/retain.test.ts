/**
 * Retain on a real node over TLS: only its satellite, for this node, with a filter that parses; what is not in the
 * filter and old enough goes to trash (not served), what is newer than the creation date minus the skew stays,
 * and restore-trash brings it back. A restart keeps all of it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BloomFilter } from '@dcsim/common/bloomfilter';
import { pieceIdToString } from '@dcsim/common/pieceid';
import { generateIdentity, type Identity } from '@dcsim/identity';
import { PieceAction, Reason, signRetainRequest, status, unary, type PiecestoreClient } from '@dcsim/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  failure,
  orderLimit,
  removeTempDirs,
  startContactServer,
  startTestNode,
  upload,
  type FakeSatellite,
  type TestNode,
} from './helpers.js';

const HOUR = 3_600_000;
let sat: FakeSatellite;
let t: TestNode & { dir: string };
/** Every piece stored so far, so a test can keep the pieces of earlier tests. */
const stored: Uint8Array[] = [];

beforeAll(async () => {
  sat = await startContactServer();
  t = await startTestNode(sat);
});
afterAll(async () => {
  await t?.close();
  await sat?.close();
  removeTempDirs();
});

function retain(client: PiecestoreClient, keep: Uint8Array[], createdAt: Date, over: { signer?: Identity; nodeId?: Uint8Array } = {}) {
  const filter = BloomFilter.optimal(keep.length);
  for (const id of keep) filter.add(id);
  const request = { creationDate: createdAt, filter: filter.bytes(), storageNodeId: over.nodeId ?? t.node.identity.id };
  const signed = signRetainRequest(over.signer ?? sat.identity, { ...request, satelliteSignature: new Uint8Array(0) });
  return unary(client, client.retain, signed);
}

async function store(): Promise<Uint8Array> {
  const limit = orderLimit(sat.identity, t.node.identity.id, PieceAction.PUT);
  await upload(t.client, limit, randomBytes(1000));
  stored.push(limit.pieceId);
  return limit.pieceId;
}

const get = (pieceId: Uint8Array) => download(t.client, orderLimit(sat.identity, t.node.identity.id, PieceAction.GET, { pieceId }));
const trashFile = (id: Uint8Array) => join(t.dir, 'trash', pieceIdToString(id).slice(0, 2), pieceIdToString(id));

describe('Retain', () => {
  it("refuses a request not signed by the node's satellite, one for another node, and a filter that does not parse", async () => {
    const id = await store();
    const later = new Date(t.node.clock.now() + 100 * HOUR);
    expect(await failure(retain(t.client, [], later, { signer: generateIdentity() }))).toEqual({
      code: status.PERMISSION_DENIED,
      reason: Reason.RETAIN_SIGNATURE_INVALID,
      message: "retain request is not signed by this node's satellite",
    });
    const other = generateIdentity().id;
    expect(await failure(retain(t.client, [], later, { nodeId: other }))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: Reason.RETAIN_WRONG_NODE,
    });
    const bad = signRetainRequest(sat.identity, {
      creationDate: later,
      filter: new Uint8Array([2, 0, 4, 0]),
      storageNodeId: t.node.identity.id,
      satelliteSignature: new Uint8Array(0),
    });
    expect(await failure(unary(t.client, t.client.retain, bad))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: Reason.FIELD_INVALID,
      message: 'retain request filter: bloom filter version 2 is not supported (only 1)',
    });
    await t.node.chores.get('retain').trigger();
    expect((await get(id)).data.length).toBe(1000);
  });

  it('trashes what the filter lacks if stored before its creation date minus 72 h; restore-trash brings it back', async () => {
    const keep = await store();
    const garbage = await store();
    const others = stored.filter((id) => id !== garbage && id !== keep);
    const now = t.node.clock.now();
    // Too recent: stored less than 72 h before the filter's date, so it may be an upload the satellite did not know of.
    await retain(t.client, [keep, ...others], new Date(now + 71 * HOUR));
    expect((await t.node.chores.get('retain').trigger()).result).toMatch(/no new filter \(last: .*moved 0 piece\(s\) to trash/);
    expect((await get(garbage)).data.length).toBe(1000);

    await retain(t.client, [keep, ...others], new Date(now + 73 * HOUR));
    await t.node.chores.get('retain').trigger();
    expect(existsSync(trashFile(garbage))).toBe(true);
    expect(await failure(get(garbage))).toMatchObject({ code: status.NOT_FOUND, reason: Reason.PIECE_NOT_FOUND });
    expect((await get(keep)).data.length).toBe(1000);
    expect(t.node.pieces.counts().trash).toBe(1);

    expect((await t.node.chores.get('restore-trash').trigger()).result).toBe('restored 1 piece(s) from trash');
    expect((await get(garbage)).data.length).toBe(1000);
    expect(existsSync(trashFile(garbage))).toBe(false);
  });

  it('empties trash once the retention period is over, and keeps it across a restart until then', async () => {
    const garbage = await store();
    await retain(t.client, [], new Date(t.node.clock.now() + 73 * HOUR));
    await t.node.chores.get('retain').trigger();
    expect(existsSync(trashFile(garbage))).toBe(true);
    await t.close();
    t = await startTestNode(sat, t.dir);
    expect(existsSync(trashFile(garbage))).toBe(true);
    expect(await failure(get(garbage))).toMatchObject({ reason: Reason.PIECE_NOT_FOUND });
    await t.node.chores.advance(6 * 24 * HOUR);
    expect(existsSync(trashFile(garbage))).toBe(true);
    await t.node.chores.advance(1 * 24 * HOUR + 1);
    expect(existsSync(trashFile(garbage))).toBe(false);
    expect(t.node.pieces.counts().trash).toBe(0);
  });
});
