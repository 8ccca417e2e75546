/**
 * The hand-written Piecestore messages (piecestore-wire.ts) against the generated ts-proto encoders: the
 * same bytes for every shape of message, from fresh and from reused memory, and over a real gRPC call.
 */
import { randomBytes } from 'node:crypto';
import { Server, ServerCredentials, credentials, type ServerReadableStream, type ServerWritableStream } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { PieceDownloadResponse as GeneratedDownloadResponse, PiecestoreService as GeneratedPiecestore } from '../gen/piecestore.js';
import {
  bindServer,
  encodeDownloadResponse,
  encodeUploadRequest,
  PieceAction,
  pieceUploadCall,
  PiecestoreClient,
  PiecestoreService,
  SERVER_OPTIONS,
  UploadMessageWriter,
  type OrderLimit,
  type PieceDownloadRequest,
  type PieceDownloadResponse,
  type PieceHash,
  type PieceUploadRequest,
  type PieceUploadResponse,
  type PiecestoreServer,
} from '../src/index.js';

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const limit: OrderLimit = {
  serialNumber: bytes(16),
  satelliteId: bytes(32),
  storageNodeId: bytes(32),
  pieceId: bytes(32),
  limit: 123_456,
  action: PieceAction.PUT,
  orderCreation: new Date(),
  orderExpiration: new Date(),
  satelliteSignature: bytes(64),
};
const done: PieceHash = { pieceId: bytes(32), hash: bytes(32), pieceSize: 1 << 20, timestamp: new Date(), signature: new Uint8Array(0) };
const generatedUpload = (m: PieceUploadRequest) => GeneratedPiecestore.upload.requestSerialize(m);

describe('encodeUploadRequest', () => {
  it('gives the same bytes as the generated encoder', () => {
    const messages: PieceUploadRequest[] = [
      { limit, chunk: bytes(1 << 20) }, // the first message of an upload
      { chunk: bytes(1 << 20) },
      { chunk: bytes(1) },
      { chunk: bytes(127) }, // the longest chunk with a one-byte length
      { chunk: bytes(128) },
      { chunk: bytes(3 << 20) }, // a 3-byte length
      { chunk: new Uint8Array(0), done }, // the last message
      { limit, chunk: bytes(5), done },
      { chunk: new Uint8Array(0) },
    ];
    for (const m of messages) {
      const generated = generatedUpload(m);
      // Into fresh memory, and into reused memory still holding an earlier message.
      for (const memory of [undefined, (size: number) => new Uint8Array(size + 4096).fill(0xa5).subarray(7, 7 + size)]) {
        const ours = encodeUploadRequest(m, memory);
        expect(ours.equals(generated), `${ours.length} vs ${generated.length} bytes`).toBe(true);
      }
    }
  });
});

describe('UploadMessageWriter', () => {
  it('writes chunk messages as the generated encoder does, reusing the memory given back', () => {
    const writer = new UploadMessageWriter();
    const first = writer.chunk(bytes(1 << 20), limit);
    const firstMemory = first.buffer;
    writer.release(first);
    const chunk = bytes(1 << 20);
    const second = writer.chunk(chunk);
    expect(second.buffer).toBe(firstMemory); // a piece's later messages fit where its first was
    expect(second.equals(generatedUpload({ chunk }))).toBe(true);
    const last = bytes(1000);
    writer.release(second);
    expect(writer.chunk(last).equals(generatedUpload({ chunk: last }))).toBe(true); // a smaller chunk in the same memory
  });

  it('keeps only its own memory, and none after clear', () => {
    const writer = new UploadMessageWriter();
    writer.release(Buffer.alloc(2 << 20)); // not the writer's: never handed out again
    expect(writer.chunk(bytes(10)).length).toBe(12);
    const message = writer.chunk(bytes(10));
    writer.release(message);
    writer.clear();
    expect(writer.chunk(bytes(10)).buffer).not.toBe(message.buffer);
  });
});

describe('encodeDownloadResponse', () => {
  const hash = { pieceId: bytes(32), hash: bytes(32), pieceSize: 123456789, timestamp: new Date(), signature: bytes(64) };
  const cases: [string, PieceDownloadResponse][] = [
    ['chunk and hash', { chunk: bytes(256 * 1024), hash }],
    ['chunk only', { chunk: bytes(100), hash: undefined }],
    ['hash only', { chunk: new Uint8Array(0), hash }],
    ['nothing', { chunk: new Uint8Array(0), hash: undefined }],
    ['a 3-byte length', { chunk: bytes(3 * 1024 * 1024), hash: undefined }],
  ];
  for (const [name, message] of cases) {
    it(`writes the generated encoder's bytes: ${name}`, () => {
      const fast = encodeDownloadResponse(message);
      expect(fast.equals(Buffer.from(GeneratedDownloadResponse.encode(message).finish()))).toBe(true);
      const decoded = GeneratedDownloadResponse.decode(new Uint8Array(fast));
      expect(Buffer.from(decoded.chunk).equals(message.chunk)).toBe(true);
      expect(decoded.hash).toEqual(message.hash);
    });
  }
});

// Over a real call: what the generated decoders of the other side make of the messages.
describe('Piecestore messages over gRPC', () => {
  const server = new Server(SERVER_OPTIONS);
  afterAll(() => server.forceShutdown());
  const received: PieceUploadRequest[] = [];
  const chunks = [bytes(1 << 20), bytes(300_000)];

  async function client(): Promise<PiecestoreClient> {
    const service: Partial<PiecestoreServer> = {
      upload: (call: ServerReadableStream<PieceUploadRequest, PieceUploadResponse>, callback) => {
        call.on('data', (m: PieceUploadRequest) => received.push(m));
        call.on('end', () => callback(null, { done: { ...done, signature: bytes(64) } }));
      },
      download: (call: ServerWritableStream<PieceDownloadRequest, PieceDownloadResponse>) => {
        call.write({ chunk: chunks[0], hash: done });
        call.write({ chunk: chunks[1] });
        call.end();
      },
    };
    server.addService(PiecestoreService, service as PiecestoreServer);
    const port = await bindServer(server, '127.0.0.1:0', ServerCredentials.createInsecure());
    return new PiecestoreClient(`127.0.0.1:${port}`, credentials.createInsecure());
  }

  it('the node decodes an upload the writer wrote, and the uplink a download the node wrote', async () => {
    const piecestore = await client();
    try {
      const writer = new UploadMessageWriter();
      const response = new Promise<PieceUploadResponse>((resolve, reject) => {
        const call = pieceUploadCall(piecestore, (err, res) => (err ? reject(err) : resolve(res!)));
        chunks.forEach((chunk, i) => {
          const message = writer.chunk(chunk, i === 0 ? limit : undefined);
          call.write(message, () => writer.release(message));
        });
        call.write(encodeUploadRequest({ chunk: new Uint8Array(0), done }));
        call.end();
      });
      expect((await response).done?.pieceSize).toBe(done.pieceSize);
      const sent = [
        { limit, chunk: chunks[0], done: undefined },
        { limit: undefined, chunk: chunks[1], done: undefined },
        { limit: undefined, chunk: new Uint8Array(0), done },
      ];
      // Compared as the generated encoder writes them: decoded byte fields are Buffers, sent ones Uint8Arrays.
      expect(received.map((m) => generatedUpload(m).toString('hex'))).toEqual(sent.map((m) => generatedUpload(m).toString('hex')));

      const downloaded: PieceDownloadResponse[] = [];
      for await (const m of piecestore.download({ limit, offset: 0, size: 0 })) downloaded.push(m as PieceDownloadResponse);
      const served = [
        { chunk: chunks[0], hash: done },
        { chunk: chunks[1], hash: undefined },
      ];
      const generatedDownload = (m: PieceDownloadResponse) => Buffer.from(GeneratedDownloadResponse.encode(m).finish()).toString('hex');
      expect(downloaded.map(generatedDownload)).toEqual(served.map(generatedDownload));
    } finally {
      piecestore.close();
    }
  });
});
