import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeIdString, formatNodeUrl } from '@dcsim/common/nodeid';
import { generateIdentity } from '@dcsim/identity';
import { PieceAction, Reason, status } from '@dcsim/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/ports.js';
import { download, failure, orderLimit, removeTempDirs, startContactServer, startTestNode, tempDir, upload, waitFor } from './helpers.js';

afterAll(removeTempDirs);

describe('check-in', () => {
  it('checks in with a signed request naming its real address and free space, then periodically', async () => {
    const sat = await startContactServer();
    const t = await startTestNode(sat, undefined, { capacityBytes: 50 * 1024 * 1024, checkInIntervalMs: 100 });
    try {
      const first = sat.checkIns[0];
      expect(Buffer.from(first.nodeId)).toEqual(Buffer.from(t.node.identity.id));
      expect(Buffer.from(first.publicKey)).toEqual(Buffer.from(t.node.identity.publicKey));
      expect(first.address).toBe(t.node.address);
      expect(first.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      expect(first.freeDisk).toBeGreaterThan(0);
      expect(first.freeDisk).toBeLessThanOrEqual(50 * 1024 * 1024);
      expect(first.version).toBe('0.1.0');
      await waitFor(() => sat.checkIns.length >= 3);

      // The check-in chore stamps its request with the node's clock: a day ahead after advancing it a day.
      const day = 86_400_000;
      const before = Date.now();
      await t.node.chores.advance(day);
      const last = sat.checkIns[sat.checkIns.length - 1];
      expect(last.timestamp!.getTime()).toBeGreaterThanOrEqual(before + day);
    } finally {
      await t.close();
      await sat.close();
    }
  });

  it('retries until the satellite answers, refusing requests meanwhile', async () => {
    const port = await freePort();
    const satIdentity = generateIdentity();
    const t = await startTestNode(
      {
        identity: satIdentity,
        url: formatNodeUrl({ id: satIdentity.id, address: `127.0.0.1:${port}` }),
        checkIns: [],
        close: async () => {},
      },
      undefined,
      { waitReady: false },
    );
    try {
      const limit = orderLimit(satIdentity, t.node.identity.id, PieceAction.PUT);
      const early = await failure(upload(t.client, limit, randomBytes(10)));
      expect(early.code).toBe(status.UNAVAILABLE);
      expect(early.reason).toBe(Reason.NODE_NOT_READY);
      expect(early.message).toMatch(/not checked in with its satellite/);
      await new Promise((r) => setTimeout(r, 400));
      const sat = await startContactServer(satIdentity, { listen: `127.0.0.1:${port}` });
      try {
        await t.node.ready;
        await upload(t.client, orderLimit(satIdentity, t.node.identity.id, PieceAction.PUT), randomBytes(10));
      } finally {
        await sat.close();
      }
    } finally {
      await t.close();
    }
  });

  it('rejects a satellite key that does not match the configured satellite ID', async () => {
    const satIdentity = generateIdentity();
    const impostor = generateIdentity();
    const sat = await startContactServer(satIdentity, { answerKey: impostor.publicKey });
    const t = await startTestNode(sat, undefined, { waitReady: false });
    try {
      await waitFor(() => sat.checkIns.length >= 2); // keeps retrying, never satisfied
      let ready = false;
      t.node.ready.then(
        () => (ready = true),
        () => {},
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(ready).toBe(false);
      expect(t.logs.some((l) => l.includes('sent a public key that does not belong to satellite ID'))).toBe(true);
      // Neither the impostor's limits nor the real satellite's are accepted: no key is trusted.
      for (const signer of [impostor, satIdentity]) {
        const limit = orderLimit(satIdentity, t.node.identity.id, PieceAction.PUT, {}, signer);
        expect((await failure(upload(t.client, limit, randomBytes(10)))).reason).toBe(Reason.NODE_NOT_READY);
      }
    } finally {
      await t.close();
      await sat.close();
    }
  });
});

describe('identity and reachability', () => {
  it('is not ready while the satellite cannot reach it at the address it advertises', async () => {
    const sat = await startContactServer();
    const nowhere = `127.0.0.1:${await freePort()}`;
    const t = await startTestNode(sat, undefined, { waitReady: false, externalAddress: nowhere });
    try {
      await waitFor(() => sat.checkIns.length >= 2); // checks in, fails the ping back, retries
      let ready = false;
      t.node.ready.then(
        () => (ready = true),
        () => {},
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(ready).toBe(false);
      expect(t.logs.some((l) => l.includes(`the satellite could not reach this node at ${nowhere}`))).toBe(true);
    } finally {
      await t.close();
      await sat.close();
    }
  });

  it('refuses a satellite that answers with another identity, before sending it anything', async () => {
    const expected = generateIdentity();
    const impostor = await startContactServer(); // its own identity, at the address the node was given
    const address = impostor.url.slice(impostor.url.indexOf('@') + 1);
    const t = await startTestNode({ ...impostor, url: formatNodeUrl({ id: expected.id, address }) }, undefined, { waitReady: false });
    try {
      await waitFor(() => t.logs.some((l) => l.includes('identity mismatch')));
      const line = t.logs.find((l) => l.includes('identity mismatch'))!;
      expect(line).toMatch(/check-in failed \(retrying\): satellite .* at 127\.0\.0\.1:\d+: identity mismatch: /);
      expect(line).toContain(
        `identity mismatch: expected node ${nodeIdString(expected.id)}, the peer at ${address} is ${nodeIdString(impostor.identity.id)}`,
      );
      expect(impostor.checkIns).toEqual([]); // the TLS handshake failed: no check-in was sent
    } finally {
      await t.close();
      await impostor.close();
    }
  });
});

describe('restart', () => {
  it('keeps its identity and pieces, still refuses replayed serials, and cleans up crash leftovers', async () => {
    const sat = await startContactServer();
    const dir = tempDir();
    let t = await startTestNode(sat, dir);
    const id = t.node.id;
    const data = randomBytes(10_000);
    const put = orderLimit(sat.identity, t.node.identity.id, PieceAction.PUT);
    const get = orderLimit(sat.identity, t.node.identity.id, PieceAction.GET, { pieceId: put.pieceId });
    await upload(t.client, put, data);
    await download(t.client, get);
    await t.close();

    // What a crash could leave: a half-written upload and a piece file whose row was never written.
    writeFileSync(join(dir, 'tmp', 'HALF.0123.part'), randomBytes(100));
    mkdirSync(join(dir, 'pieces', 'ZZ'), { recursive: true });
    writeFileSync(join(dir, 'pieces', 'ZZ', 'ZZORPHAN'), randomBytes(100));

    t = await startTestNode(sat, dir);
    try {
      expect(t.node.id).toBe(id);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
      expect(existsSync(join(dir, 'pieces', 'ZZ', 'ZZORPHAN'))).toBe(false);
      expect(t.node.pieces.usedBytes).toBe(data.length);
      expect(await failure(download(t.client, get))).toEqual({
        code: status.PERMISSION_DENIED,
        reason: Reason.ORDER_LIMIT_SERIAL_USED,
        message: 'order limit serial already used',
      });
      expect(await failure(upload(t.client, put, data))).toEqual({
        code: status.PERMISSION_DENIED,
        reason: Reason.ORDER_LIMIT_SERIAL_USED,
        message: 'order limit serial already used',
      });
      const again = orderLimit(sat.identity, t.node.identity.id, PieceAction.GET, { pieceId: put.pieceId });
      expect((await download(t.client, again)).data.equals(data)).toBe(true);
    } finally {
      await t.close();
      await sat.close();
    }
    expect(nodeIdString(t.node.identity.id)).toBe(id);
  });
});
