import { generateIdentity } from '@dcsim/identity';
import { signCheckIn, status, unary } from '@dcsim/protocol';
import { describe, expect, it } from 'vitest';
import { checkIn, rpcFailure, startTestSatellite } from './helpers.js';

describe('Contact.CheckIn', () => {
  it('registers a node and answers with the satellite public key', async () => {
    const t = await startTestSatellite();
    const node = { identity: generateIdentity(), address: '127.0.0.1:7777' };
    const res = await checkIn(t, node, 5_000_000);
    expect(Buffer.from(res.satellitePublicKey)).toEqual(Buffer.from(t.sat.identity.publicKey));
    const row = t.sat.db.nodes.get(node.identity.id)!;
    expect(row).toMatchObject({ address: '127.0.0.1:7777', freeDisk: 5_000_000, vettedAt: null });
    expect(t.logs.some((l) => l.startsWith('node joined:'))).toBe(true);
  });

  it('refuses a check-in whose signature does not verify', async () => {
    const t = await startTestSatellite();
    const node = generateIdentity();
    const signed = signCheckIn(node, {
      nodeId: node.id, publicKey: node.publicKey, address: '127.0.0.1:7777', freeDisk: 1, timestamp: new Date(), version: '', signature: new Uint8Array(0),
    });
    const tampered = { ...signed, address: '127.0.0.1:6666' };
    const failure = await rpcFailure(unary(t.contact, t.contact.checkIn, tampered));
    expect(failure).toEqual({ code: status.UNAUTHENTICATED, details: 'check-in signature is invalid' });
    expect(t.sat.db.nodes.all()).toEqual([]);
  });

  it('refuses a node ID that is not derived from the public key', async () => {
    const t = await startTestSatellite();
    const victim = generateIdentity();
    const attacker = generateIdentity();
    // Properly signed by the attacker, but claiming the victim's ID.
    const request = signCheckIn(attacker, {
      nodeId: victim.id, publicKey: attacker.publicKey, address: '127.0.0.1:7777', freeDisk: 1, timestamp: new Date(), version: '', signature: new Uint8Array(0),
    });
    const failure = await rpcFailure(unary(t.contact, t.contact.checkIn, request));
    expect(failure).toEqual({ code: status.UNAUTHENTICATED, details: 'node ID does not match the public key' });
  });

  it('refuses a timestamp more than 10 minutes off (a replayed check-in)', async () => {
    const t = await startTestSatellite();
    const node = { identity: generateIdentity(), address: '127.0.0.1:7777' };
    const failure = await rpcFailure(checkIn(t, node, 1, new Date(Date.now() - 11 * 60_000)));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.details).toMatch(/more than 10 minutes/);
  });

  it('refuses an address that is not host:port', async () => {
    const t = await startTestSatellite();
    const failure = await rpcFailure(checkIn(t, { identity: generateIdentity(), address: 'nowhere' }));
    expect(failure.code).toBe(status.INVALID_ARGUMENT);
  });
});
