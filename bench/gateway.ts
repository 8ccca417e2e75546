/**
 * PUT and GET of a 256 MiB object through the S3 gateway (@aws-sdk/client-s3, one streamed PutObject; and a
 * multipart upload with @aws-sdk/lib-storage) next to the same transfers through the uplink library directly,
 * on the same network in the same run (1 satellite + 10 storage nodes, 4/6/8/10, 64 MiB segments). The
 * library is the gateway's ceiling: the gateway adds HTTP, SigV4 and MD5 on top of it; multipart adds the
 * second pass over the data at completion (see apps/gateway/README.md).
 *
 *   npm run bench -- gateway [--size MiB] [--rounds N]
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { withTestnet } from '../test/harness.js';
import { s3Client } from '../test/support/gateway.js';

const MiB = 1024 * 1024;
const SCHEME = '4/6/8/10';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** The object arrives as a stream of 1 MiB chunks, as from a file. */
async function* source(chunk: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < size; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, size - sent));
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let received = 0;
  for await (const part of body) received += part.length;
  return received;
}

export default async function gatewayBench(args: string[]): Promise<void> {
  const size = option(args, '--size', 256) * MiB;
  const rounds = option(args, '--rounds', 1);
  const rate = (ms: number) => `${(size / MiB / (ms / 1000)).toFixed(1)} MiB/s`;
  const chunk = new Uint8Array(randomBytes(MiB));
  console.log(`starting 1 satellite + 10 storage nodes + auth service + S3 gateway; ${size / MiB} MiB objects, ${rounds} round(s) ...`);
  await withTestnet({ nodes: 10, scheme: SCHEME, gateway: true }, async (net) => {
    const project = await net.uplink();
    const s3 = s3Client(net.s3!.endpoint, net.s3!.accessKeyId, net.s3!.secretAccessKey);
    await project.createBucket('bench');
    const timed = async (what: string, fn: () => Promise<void>) => {
      const start = performance.now();
      await fn();
      const ms = performance.now() - start;
      console.log(`  ${what.padEnd(44)} ${rate(ms).padStart(12)}   (${(ms / 1000).toFixed(1)} s)`);
    };
    // Warm-up (not timed): connections, the encoder thread, the JIT.
    await project.upload('bench', 'warm-up', source(chunk, 8 * MiB));
    await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'warm-up' })).then((r) => drain(r.Body as AsyncIterable<Uint8Array>));

    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round}:`);
      await timed('PUT uplink library', async () => {
        await project.upload('bench', `lib-${round}`, source(chunk, size), { size });
      });
      await timed('PUT gateway (PutObject, streamed body)', async () => {
        await s3.send(
          new PutObjectCommand({ Bucket: 'bench', Key: `s3-${round}`, Body: Readable.from(source(chunk, size)), ContentLength: size }),
        );
      });
      await timed('PUT gateway (lib-storage, 16 MiB parts)', async () => {
        await new Upload({
          client: s3,
          params: { Bucket: 'bench', Key: `mp-${round}`, Body: Readable.from(source(chunk, size)) },
          partSize: 16 * MiB,
          queueSize: 4,
        }).done();
      });
      await timed('GET uplink library', async () => {
        const got = await drain(await project.download('bench', `s3-${round}`));
        if (got !== size) throw new Error(`downloaded ${got} bytes, want ${size}`);
      });
      await timed('GET gateway (GetObject)', async () => {
        const res = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: `lib-${round}` }));
        const got = await drain(res.Body as AsyncIterable<Uint8Array>);
        if (got !== size) throw new Error(`downloaded ${got} bytes, want ${size}`);
      });
    }
    s3.destroy();
  });
}
