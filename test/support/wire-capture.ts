/**
 * A loopback TCP proxy that records every gRPC message crossing it, in both directions.
 *
 * gRPC runs over HTTP/2 in cleartext here, so the proxy can parse the frames: it reassembles each stream's
 * DATA payloads and splits them into gRPC messages (1-byte compressed flag, 4-byte length, body). Scanning
 * whole messages (not raw TCP chunks) means a marker split across two HTTP/2 frames is still found.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const FRAME_DATA = 0x0;
const FLAG_PADDED = 0x8;

export interface CapturedMessage {
  direction: 'request' | 'response';
  stream: number;
  body: Buffer;
}

/** Parses one direction of an HTTP/2 connection into gRPC messages. */
class Http2Reader {
  private buffered = Buffer.alloc(0);
  private prefaceLeft: number;
  private readonly streams = new Map<number, Buffer>();

  constructor(
    private readonly direction: CapturedMessage['direction'],
    private readonly sink: (m: CapturedMessage) => void,
  ) {
    this.prefaceLeft = direction === 'request' ? PREFACE.length : 0;
  }

  push(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (this.prefaceLeft > 0) {
      const skip = Math.min(this.prefaceLeft, this.buffered.length);
      this.buffered = this.buffered.subarray(skip);
      this.prefaceLeft -= skip;
    }
    while (this.buffered.length >= 9) {
      const length = this.buffered.readUIntBE(0, 3);
      if (this.buffered.length < 9 + length) return;
      const type = this.buffered[3];
      const flags = this.buffered[4];
      const stream = this.buffered.readUInt32BE(5) & 0x7fffffff;
      let payload = this.buffered.subarray(9, 9 + length);
      this.buffered = this.buffered.subarray(9 + length);
      if (type !== FRAME_DATA) continue;
      if (flags & FLAG_PADDED) payload = payload.subarray(1, payload.length - payload[0]);
      this.data(stream, payload);
    }
  }

  private data(stream: number, payload: Buffer): void {
    let pending = Buffer.concat([this.streams.get(stream) ?? Buffer.alloc(0), payload]);
    while (pending.length >= 5) {
      const size = pending.readUInt32BE(1);
      if (pending.length < 5 + size) break;
      this.sink({ direction: this.direction, stream, body: Buffer.from(pending.subarray(5, 5 + size)) });
      pending = pending.subarray(5 + size);
    }
    this.streams.set(stream, pending);
  }
}

export interface WireCapture {
  /** host:port to hand clients instead of the target's address. */
  address: string;
  messages: CapturedMessage[];
  /** Every byte that crossed, raw, for scans that should not depend on the parser. */
  raw: Buffer[];
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 (port 0 = any free port) forwarding to `target` (host:port). The target may be
 * a function, read at each connection: a node can be told to advertise the proxy before its own port is known.
 */
export async function startWireCapture(target: string | (() => string), port = 0): Promise<WireCapture> {
  const resolveTarget = typeof target === 'string' ? () => target : target;
  const messages: CapturedMessage[] = [];
  const raw: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const [host, targetPort] = splitAddress(resolveTarget());
    const upstream = connect(targetPort, host);
    sockets.add(client).add(upstream);
    const requests = new Http2Reader('request', (m) => messages.push(m));
    const responses = new Http2Reader('response', (m) => messages.push(m));
    client.on('data', (chunk) => {
      raw.push(chunk);
      requests.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      raw.push(chunk);
      responses.push(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${bound}`,
    messages,
    raw,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
