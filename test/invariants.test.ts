/**
 * ARCHITECTURE.md invariants 1-3, checked on a real network:
 *   1. nodes see only ciphertext,
 *   2. the satellite sees only encrypted paths and metadata,
 *   3. keys never leave the uplink.
 *
 * Objects whose keys, metadata and content carry unique markers are uploaded through wiretaps that sit in front
 * of the satellite and of every node, so every gRPC message that crosses the wire is recorded. Connections are
 * TLS and pinned to node IDs, so each wiretap impersonates its target with the identity key it stole from the
 * target's data dir, as an attacker with disk access could, and sees the plaintext (support/wiretap.ts). Then
 * the satellite's database files, every node's data dir and every captured message are searched for each
 * marker and each key (raw, hex and base64). The keys searched for are recomputed independently: the root key
 * from the passphrase, path keys and derived content keys from the root key, and every segment's random content
 * key and every object's metadata key by decrypting what the satellite stores with the derived key.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CipherSuite, decryptKey, derivePathKey, deriveRootKey, encryptPath, deriveContentKey } from '@dcsim/crypto/encryption';
import { parseAccess, serializeAccess } from '@dcsim/crypto/grant';
import { parseNodeId } from '@dcsim/common/nodeid';
import { DownloadObjectRequest, MetainfoClient, ProjectInfoRequest, CHANNEL_OPTIONS, Transport, unary } from '@dcsim/protocol';
import { layout } from '../scripts/testnet/layout.js';
import { withTestnet, freePortBase } from './harness.js';
import { scanBuffer, scanDir, type Finding } from './support/leak-scan.js';
import { startWiretap, type Wiretap } from './support/wiretap.js';

const NODES = 6;
const SEGMENT = 256 * 1024;
const run = randomBytes(4).toString('hex');
const marker = (what: string) => `dcsim-${what}-${run}`;

const objects = [
  { key: `${marker('folder')}/${marker('file')}.txt`, size: 3 * SEGMENT + 12_345 }, // several remote segments
  { key: `inline/${marker('small')}`, size: 1000 }, // stored inline at the satellite
  { key: `${marker('single')}`, size: 100_000 },
];

/** Content made of one marker repeated, so any plaintext stripe that reached a node would contain it whole. */
function content(tag: string, size: number): Uint8Array {
  const unit = Buffer.from(`${marker(tag)}|`);
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += unit.length) unit.copy(out, at);
  return new Uint8Array(out);
}

describe('what each party can see', () => {
  it('nodes hold only ciphertext, the satellite only encrypted names and metadata, keys stay in the uplink', async () => {
    const portBase = await freePortBase(NODES);
    const dir = mkdtempSync(join(tmpdir(), 'dcsim-invariants-'));
    // Each node creates its identity.key when it starts; its wiretap reads it at the first connection (the
    // satellite's ping back during the node's first check-in).
    const nodeProxies: Wiretap[] = await Promise.all(
      Array.from({ length: NODES }, (_, i) =>
        startWiretap({ target: `127.0.0.1:${portBase + 100 + i}`, identityDir: layout(dir).nodeDir(i) }),
      ),
    );
    try {
      await withTestnet(
        {
          dir,
          nodes: NODES,
          scheme: '2/3/4/6',
          portBase,
          segmentSize: SEGMENT,
          nodeArgs: (i) => ['--external-address', nodeProxies[i].address],
        },
        async (net) => {
          const satelliteProxy = await startWiretap({ target: net.satelliteAddress, identityDir: net.satelliteDir });
          try {
            // The uplink reaches the satellite through its proxy and the nodes through theirs.
            const grant = parseAccess(net.access);
            const proxied = serializeAccess({ ...grant, satelliteAddress: `${net.satelliteId}@${satelliteProxy.address}` });
            const project = await net.uplink(proxied);
            await project.createBucket('invariants');
            for (const [i, o] of objects.entries()) {
              await project.upload('invariants', o.key, content(`content${i}`, o.size), {
                metadata: { note: marker(`meta${i}`) },
                contentType: 'text/x-dcsim',
              });
            }
            // Downloads and a delete are part of what crosses the wire too.
            for (const [i, o] of objects.entries()) {
              const d = await project.download('invariants', o.key);
              const chunks: Uint8Array[] = [];
              for await (const c of d) chunks.push(c);
              expect(Buffer.concat(chunks).equals(Buffer.from(content(`content${i}`, o.size)))).toBe(true);
            }
            await project.delete('invariants', objects[2].key);
            await project.close();

            const secrets = await secretsOf(net, grant);
            const found: Finding[] = [];
            for (const proxy of [satelliteProxy, ...nodeProxies]) {
              for (const m of proxy.messages) found.push(...scanBuffer(m.body, secrets, `gRPC ${m.direction} via ${proxy.address}`));
              found.push(...scanBuffer(Buffer.concat(proxy.raw), secrets, `decrypted HTTP/2 stream via ${proxy.address}`));
            }
            found.push(...scanDir(net.satelliteDir, secrets));
            for (const node of net.nodes) found.push(...scanDir(node.dir, secrets));

            expect(found).toEqual([]);
            // The capture really saw the traffic: uploads to every node, and the satellite's side.
            expect(satelliteProxy.messages.length).toBeGreaterThan(10);
            expect(nodeProxies.filter((p) => p.messages.length > 0).length).toBeGreaterThanOrEqual(4);
          } finally {
            await satelliteProxy.close();
          }
        },
      );
    } finally {
      await Promise.all(nodeProxies.map((p) => p.close()));
    }
  });
});

/** Every plaintext marker and every key that must stay in the uplink, recomputed from the passphrase. */
async function secretsOf(
  net: { passphrase: string; satelliteAddress: string; satelliteId: string; apiKey: string },
  grant: ReturnType<typeof parseAccess>,
) {
  const secrets = new Map<string, Uint8Array>();
  const text = (s: string) => new Uint8Array(Buffer.from(s));
  for (const [i, o] of objects.entries()) {
    for (const part of o.key.split('/')) if (part.startsWith('dcsim-')) secrets.set(`key component ${part}`, text(part));
    secrets.set(`content marker ${i}`, text(marker(`content${i}`)));
    secrets.set(`metadata marker ${i}`, text(marker(`meta${i}`)));
  }
  secrets.set('passphrase', text(net.passphrase));

  const client = new MetainfoClient(net.satelliteAddress, Transport.ephemeral().client(parseNodeId(net.satelliteId)), CHANNEL_OPTIONS);
  try {
    const header = { apiKey: grant.apiKey.rawBytes() };
    const info = await unary(client, client.projectInfo, ProjectInfoRequest.fromPartial({ header }));
    const root = await deriveRootKey(net.passphrase, info.projectSalt);
    expect(root).toEqual(grant.encAccess.store.defaultKey); // the grant's key is the one we recompute
    secrets.set('root key', root);
    const store = grant.encAccess.store;
    for (const [i, o] of objects.slice(0, 2).entries()) {
      const pathKey = derivePathKey('invariants', o.key, store);
      const contentKey = deriveContentKey(pathKey);
      secrets.set(`path key ${i}`, pathKey);
      secrets.set(`derived content key ${i}`, contentKey);
      const res = await unary(
        client,
        client.downloadObject,
        DownloadObjectRequest.fromPartial({
          header,
          bucket: 'invariants',
          encryptedObjectKey: encryptPath('invariants', o.key, undefined, store),
        }),
      );
      const obj = res.object!;
      secrets.set(`metadata key ${i}`, decryptKey(obj.encryptedMetadataKey, CipherSuite.AESGCM, contentKey, obj.encryptedMetadataNonce));
      for (const s of res.segments) {
        secrets.set(
          `segment ${s.position?.index} content key of object ${i}`,
          decryptKey(s.encryptedKey, CipherSuite.AESGCM, contentKey, s.encryptedKeyNonce),
        );
      }
      expect(res.segments.length).toBe(Math.ceil(o.size / SEGMENT));
    }
    for (const part of ['invariants', ...objects[0].key.split('/')]) {
      // Every intermediate path key, not just the leaf's.
      const prefix = objects[0].key.slice(0, objects[0].key.indexOf(part) + part.length);
      if (part !== 'invariants') secrets.set(`path key at ${prefix}`, derivePathKey('invariants', prefix, store));
    }
    secrets.set('bucket path key', derivePathKey('invariants', '', store));
  } finally {
    client.close();
  }
  return secrets;
}
