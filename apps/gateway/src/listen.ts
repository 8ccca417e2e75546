/** "HOST:PORT" of --listen flags, and the READY line processes print once they serve. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from './errors.js';

export class ListenAddressError extends GatewayError {}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new ListenAddressError(`--listen ${text}: expected HOST:PORT (PORT 0 picks a free one)`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: Number(m[2]) };
}

export async function listen(server: Server, address: { host: string; port: number }): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return `${bound.address}:${bound.port}`;
}
