/**
 * Multi-tenant S3: the auth service and the gateway as real processes on a real network. Grants are
 * registered over the auth service's HTTP API; the S3 keys it returns work with @aws-sdk/client-s3; a
 * copy of its database holds neither grant nor secret nor access key; restricted grants keep their caveats.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseAccess, restrictAccess, serializeAccess } from '@dcsim/crypto/grant';
import { parseAccessKeyId } from '@dcsim/gateway';
import { describe, expect, it } from 'vitest';
import { readEnvFile } from '../scripts/testnet/env-file.js';
import { withTestnet } from './harness.js';
import { s3Client, startGatewayProcess } from './support/gateway.js';
import { scanDir } from './support/leak-scan.js';

const TOKEN = 'test-auth-token-5c1f';

async function post(url: string, body: string): Promise<{ status: number; json: Record<string, string> }> {
  const res = await fetch(`${url}/v1/access`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

describe('S3 gateway, multi-tenant with the auth service', () => {
  it('registers grants, serves their S3 keys, keeps caveats, and stores nothing readable', async () => {
    await withTestnet({ nodes: 4 }, async (net) => {
      const authDir = mkdtempSync(join(tmpdir(), 'dcsim-auth-'));
      const copyDir = mkdtempSync(join(tmpdir(), 'dcsim-auth-copy-'));
      const auth = await startGatewayProcess(
        ['auth', 'run', '--dir', authDir, '--listen', '127.0.0.1:0', '--endpoint', 'http://s3.example'],
        {
          GATEWAY_AUTH_TOKEN: TOKEN,
        },
      );
      const gateway = await startGatewayProcess(['run', '--listen', '127.0.0.1:0', '--auth-url', auth.endpoint], {
        GATEWAY_AUTH_TOKEN: TOKEN,
      });
      try {
        expect((await fetch(`${auth.endpoint}/v1/health/startup`)).status).toBe(200);
        expect((await fetch(`${auth.endpoint}/v1/health/live`)).status).toBe(200);

        const full = await post(auth.endpoint, JSON.stringify({ access_grant: net.access, public: false }));
        expect(full.status).toBe(200);
        expect(full.json.access_key_id).toMatch(/^[a-z2-7]{28}$/);
        expect(full.json.secret_key).toMatch(/^[a-z2-7]{53}$/);
        expect(full.json.endpoint).toBe('http://s3.example');

        const s3 = s3Client(gateway.endpoint, full.json.access_key_id, full.json.secret_key);
        await s3.send(new CreateBucketCommand({ Bucket: 'tenant' }));
        await s3.send(new PutObjectCommand({ Bucket: 'tenant', Key: 'hello.txt', Body: 'hello from a tenant' }));
        const got = await s3.send(new GetObjectCommand({ Bucket: 'tenant', Key: 'hello.txt' }));
        expect(await got.Body!.transformToString()).toBe('hello from a tenant');
        const project = await net.uplink();
        const parts: Uint8Array[] = [];
        for await (const chunk of await project.download('tenant', 'hello.txt')) parts.push(chunk);
        expect(Buffer.concat(parts).toString()).toBe('hello from a tenant');

        // A read-only grant registered the same way keeps its caveats.
        const readOnly = serializeAccess(restrictAccess(parseAccess(net.access), { allowDownload: true, allowList: true }));
        const reader = await post(auth.endpoint, JSON.stringify({ access_grant: readOnly }));
        const readerS3 = s3Client(gateway.endpoint, reader.json.access_key_id, reader.json.secret_key);
        const read = await readerS3.send(new GetObjectCommand({ Bucket: 'tenant', Key: 'hello.txt' }));
        expect(await read.Body!.transformToString()).toBe('hello from a tenant');
        await expect(readerS3.send(new PutObjectCommand({ Bucket: 'tenant', Key: 'nope', Body: 'x' }))).rejects.toMatchObject({
          name: 'AccessDenied',
        });

        // Someone else's secret, or a key nobody registered.
        const mixed = s3Client(gateway.endpoint, full.json.access_key_id, reader.json.secret_key);
        await expect(mixed.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
        const unknown = s3Client(gateway.endpoint, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa', full.json.secret_key);
        await expect(unknown.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
        for (const c of [s3, readerS3, mixed, unknown]) c.destroy();

        // The auth service's refusals.
        expect((await post(auth.endpoint, '{not json')).status).toBe(422);
        expect((await post(auth.endpoint, JSON.stringify({ access_grant: 'garbage' }))).status).toBe(400);
        expect((await post(auth.endpoint, JSON.stringify({ access_grant: net.access, padding: 'x'.repeat(5000) }))).status).toBe(413);
        const lookupUrl = `${auth.endpoint}/v1/access/${full.json.access_key_id}`;
        expect((await fetch(lookupUrl)).status).toBe(401);
        expect((await fetch(lookupUrl, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
        const looked = await fetch(lookupUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(((await looked.json()) as { access_grant: string }).access_grant).toBe(net.access);

        // A stolen copy of the database: no grant, no secret, no access key, no API key, no encryption key.
        cpSync(authDir, copyDir, { recursive: true });
        const grant = parseAccess(net.access);
        const secrets = new Map<string, Uint8Array>([
          ['grant', Buffer.from(net.access)],
          ['read-only grant', Buffer.from(readOnly)],
          ['secret key', Buffer.from(full.json.secret_key)],
          ['reader secret key', Buffer.from(reader.json.secret_key)],
          ['access key id', Buffer.from(full.json.access_key_id)],
          ['access key bytes', parseAccessKeyId(full.json.access_key_id)!.bytes],
          ['api key', grant.apiKey.rawBytes()],
          ['api key text', Buffer.from(net.apiKey)],
          ['encryption key', grant.encAccess.store.defaultKey!],
        ]);
        expect(scanDir(copyDir, secrets)).toEqual([]);
      } finally {
        await gateway.stop();
        await auth.stop();
        rmSync(authDir, { recursive: true, force: true });
        rmSync(copyDir, { recursive: true, force: true });
      }
    });
  });

  it('comes up with the testnet when asked: S3 keys for the testnet grant in the env file', async () => {
    await withTestnet({ nodes: 4, gateway: true }, async (net) => {
      expect(net.s3).toBeDefined();
      const env = readEnvFile(join(net.dir, 'env'));
      expect(env.AWS_ENDPOINT_URL).toBe(net.s3!.endpoint);
      expect(env.AWS_ACCESS_KEY_ID).toMatch(/^[a-z2-7]{28}$/);
      const s3 = s3Client(net.s3!.endpoint, env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY);
      await s3.send(new CreateBucketCommand({ Bucket: 'testnet-s3' }));
      await s3.send(new PutObjectCommand({ Bucket: 'testnet-s3', Key: 'k', Body: 'through the testnet gateway' }));
      const project = await net.uplink();
      const parts: Uint8Array[] = [];
      for await (const chunk of await project.download('testnet-s3', 'k')) parts.push(chunk);
      expect(Buffer.concat(parts).toString()).toBe('through the testnet gateway');
      s3.destroy();
    });
  });
});
