/**
 * A TLS-terminating wiretap: a loopback proxy that records every gRPC message crossing it, in both directions.
 *
 * Every dcsim connection is TLS and every client checks the server's node ID, so a plain proxy would see only
 * ciphertext, and a proxy with a key of its own would be refused. The wiretap plays an attacker who stole the
 * target's identity key from its data dir (the tests have the data dirs on disk): it presents a certificate
 * chain issued from that key, so clients take it for the target, and forwards everything to the real process
 * over a TLS connection of its own. In between it sees the plaintext HTTP/2 and parses the frames: it
 * reassembles each stream's DATA payloads and splits them into gRPC messages (1-byte compressed flag, 4-byte
 * length, body). Scanning whole messages (not raw chunks) means a marker split across two HTTP/2 frames is
 * still found.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect, createSecureContext, TLSSocket } from 'node:tls';
import { splitHostPort } from '@dcsim/common/hostport';
import { generateIdentity, IDENTITY_FILE, importPrivateKey, issueTlsChain, type Identity } from '@dcsim/identity';

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

export interface Wiretap {
  /** host:port to hand clients instead of the target's address. */
  address: string;
  messages: CapturedMessage[];
  /** Every plaintext byte that crossed (the HTTP/2 frames), for scans that should not depend on the parser. */
  raw: Buffer[];
  close(): Promise<void>;
}

export interface WiretapOptions {
  /** host:port of the real process; a function is read at each connection (a node's port may not be known yet). */
  target: string | (() => string);
  /** The target's data dir, whose identity.key the wiretap steals; read at the first connection. */
  identityDir: string;
  /** Port to listen on, 127.0.0.1 (default 0: any free port). */
  port?: number;
}

export async function startWiretap(options: WiretapOptions): Promise<Wiretap> {
  const resolveTarget = typeof options.target === 'string' ? () => options.target as string : options.target;
  let stolen: Identity | undefined;
  const steal = () => (stolen ??= importPrivateKey(readFileSync(join(options.identityDir, IDENTITY_FILE), 'utf8')));
  const ownChain = issueTlsChain(generateIdentity()); // what the wiretap shows the real process
  const messages: CapturedMessage[] = [];
  const raw: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((tcp) => {
    const impersonated = issueTlsChain(steal());
    const client = new TLSSocket(tcp, {
      isServer: true,
      secureContext: createSecureContext({ key: impersonated.key, cert: impersonated.cert, minVersion: 'TLSv1.3' }),
      ALPNProtocols: ['h2'],
    });
    const { host, port } = splitHostPort(resolveTarget());
    const upstream = connect({ host, port, key: ownChain.key, cert: ownChain.cert, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    sockets.add(tcp).add(client).add(upstream);
    const requests = new Http2Reader('request', (m) => messages.push(m));
    const responses = new Http2Reader('response', (m) => messages.push(m));
    client.on('data', (chunk: Buffer) => {
      raw.push(chunk);
      requests.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      raw.push(chunk);
      responses.push(chunk);
      client.write(chunk);
    });
    const end = () => {
      for (const s of [client, upstream, tcp]) {
        s.destroy();
        sockets.delete(s);
      }
    };
    for (const s of [client, upstream, tcp]) s.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
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
