import { nodeIdString } from '@dcsim/common/nodeid';
import { generateIdentity } from '@dcsim/identity';
import { Reason, signCheckIn, status, unary } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { checkCheckIn, MAX_FREE_DISK } from '../src/contact.js';
import { checkIn, rpcFailure, rpcFailureInfo, startPingResponder, startTestSatellite, type TestSatellite } from './helpers.js';

const selectable = (t: TestSatellite) => t.sat.db.nodes.candidates(0, 0).map((n) => nodeIdString(n.id));

describe('Contact.CheckIn', () => {
  it('registers a node that answers its ping back, and answers with the satellite public key', async () => {
    const t = await startTestSatellite();
    const identity = generateIdentity();
    const { address } = await startPingResponder(identity);
    const res = await checkIn(t, { identity, address }, 5_000_000);
    expect(res.pingNodeSuccess).toBe(true);
    expect(Buffer.from(res.satellitePublicKey)).toEqual(Buffer.from(t.sat.identity.publicKey));
    const row = t.sat.db.nodes.get(identity.id)!;
    expect(row).toMatchObject({ address, freeDisk: 5_000_000, vettedAt: null });
    expect(selectable(t)).toEqual([nodeIdString(identity.id)]);
    expect(t.logs.some((l) => l.startsWith('node joined:'))).toBe(true);
  });

  it('does not select a node whose address does not answer, until a later ping succeeds', async () => {
    const t = await startTestSatellite();
    const identity = generateIdentity();
    const responder = await startPingResponder(identity);
    await responder.close(); // a port nothing listens on any more
    const res = await checkIn(t, { identity, address: responder.address });
    expect(res.pingNodeSuccess).toBe(false);
    expect(res.pingErrorMessage).toMatch(new RegExp(`^ping to ${responder.address} failed`));
    expect(res.pingErrorMessage.length).toBeLessThanOrEqual(200);
    expect(t.sat.db.nodes.get(identity.id)).toBeDefined(); // recorded, as not reachable
    expect(selectable(t)).toEqual([]);

    const back = await startPingResponder(identity);
    expect((await checkIn(t, { identity, address: back.address })).pingNodeSuccess).toBe(true);
    expect(selectable(t)).toEqual([nodeIdString(identity.id)]);
  });

  it('refuses an address that answers with another identity', async () => {
    const t = await startTestSatellite();
    const real = generateIdentity();
    const { address } = await startPingResponder(real); // a real node's address
    const fake = generateIdentity();
    const res = await checkIn(t, { identity: fake, address });
    expect(res.pingNodeSuccess).toBe(false);
    expect(res.pingErrorMessage).toBe(
      `identity mismatch: expected node ${nodeIdString(fake.id)}, the peer at ${address} is ${nodeIdString(real.id)}`,
    );
    expect(selectable(t)).toEqual([]);
    expect(t.logs.some((l) => l.includes(`node ${nodeIdString(fake.id)} is not selected: identity mismatch`))).toBe(true);
  });

  it('refuses a check-in whose signature does not verify', async () => {
    const t = await startTestSatellite();
    const node = generateIdentity();
    const signed = signCheckIn(node, {
      nodeId: node.id,
      publicKey: node.publicKey,
      address: '127.0.0.1:7777',
      freeDisk: 1,
      timestamp: new Date(),
      version: '1.0.0',
      signature: new Uint8Array(0),
    });
    const tampered = { ...signed, address: '127.0.0.1:6666' };
    const failure = await rpcFailure(unary(t.contact, t.contact.checkIn, tampered));
    expect(failure).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.CHECK_IN_SIGNATURE_INVALID,
      details: 'check-in signature is invalid',
    });
    expect(t.sat.db.nodes.all()).toEqual([]);
  });

  it('refuses a node ID that is not derived from the public key', async () => {
    const t = await startTestSatellite();
    const victim = generateIdentity();
    const attacker = generateIdentity();
    // Properly signed by the attacker, but claiming the victim's ID.
    const request = signCheckIn(attacker, {
      nodeId: victim.id,
      publicKey: attacker.publicKey,
      address: '127.0.0.1:7777',
      freeDisk: 1,
      timestamp: new Date(),
      version: '1.0.0',
      signature: new Uint8Array(0),
    });
    const failure = await rpcFailure(unary(t.contact, t.contact.checkIn, request));
    expect(failure).toEqual({
      code: status.UNAUTHENTICATED,
      reason: Reason.NODE_ID_MISMATCH,
      details: 'node ID does not match the public key',
    });
  });

  it('refuses a timestamp more than 10 minutes off (a replayed check-in)', async () => {
    const t = await startTestSatellite();
    const node = { identity: generateIdentity(), address: '127.0.0.1:7777' };
    const failure = await rpcFailure(checkIn(t, node, 1, new Date(Date.now() - 11 * 60_000)));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.reason).toBe(Reason.CLOCK_SKEWED);
    expect(failure.details).toMatch(/more than 10 minutes/);
  });

  it('bounds every field: absurd addresses, versions and free space are refused before any ping', async () => {
    const t = await startTestSatellite();
    const identity = generateIdentity();
    const send = (fields: { address?: string; version?: string; freeDisk?: number }) =>
      rpcFailureInfo(
        unary(
          t.contact,
          t.contact.checkIn,
          signCheckIn(identity, {
            nodeId: identity.id,
            publicKey: identity.publicKey,
            address: fields.address ?? '127.0.0.1:7777',
            freeDisk: fields.freeDisk ?? 1,
            timestamp: new Date(),
            version: fields.version ?? '1.0.0',
            signature: new Uint8Array(0),
          }),
        ),
      );
    const badAddresses = [
      'nowhere',
      '127.0.0.1',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      'host:123456',
      '[::1',
      '[not-v6]:80',
      '::1:80',
      'ho st:80',
      '-bad-:80',
      'a..b:80',
      `${'a'.repeat(64)}.example:80`,
      `${'a.'.repeat(140)}com:80`,
      `127.0.0.1:80\n`,
      'x'.repeat(10_000),
    ];
    for (const address of badAddresses) {
      const failure = await send({ address });
      expect([failure.code, failure.reason, failure.facts], address).toEqual([
        status.INVALID_ARGUMENT,
        Reason.FIELD_INVALID,
        { field: 'address' },
      ]);
      expect(failure.message.length).toBeLessThan(150);
    }
    for (const version of ['', 'v'.repeat(65), '1.0; rm -rf', '1.0\u0000', 'é']) {
      expect((await send({ version })).facts, version).toEqual({ field: 'version' });
    }
    for (const freeDisk of [-1, MAX_FREE_DISK + 1]) {
      expect(await send({ freeDisk })).toEqual({
        code: status.INVALID_ARGUMENT,
        reason: Reason.FIELD_INVALID,
        message: `free disk must be between 0 and ${MAX_FREE_DISK} bytes, got ${freeDisk}`,
        facts: { field: 'free_disk' },
      });
    }
    expect(t.sat.db.nodes.all()).toEqual([]);
    // The edges of what is allowed pass.
    for (const [address, version, freeDisk] of [
      ['[::1]:1', '1', 0],
      ['node-1.example.com:65535', '1.2.3-rc.1+build.5', MAX_FREE_DISK],
      [`${'a'.repeat(63)}.b:80`, 'v'.repeat(64), 1],
    ] as const) {
      const request = signCheckIn(identity, {
        nodeId: identity.id,
        publicKey: identity.publicKey,
        address,
        freeDisk,
        timestamp: new Date(),
        version,
        signature: new Uint8Array(0),
      });
      expect(() => checkCheckIn(request, Date.now()), address).not.toThrow();
    }
  });
});
