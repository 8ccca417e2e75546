/** "HOST:PORT" of --listen flags, and the READY line processes print once they serve. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { joinHostPort, splitHostPort, type HostPort } from '@dcsim/common/hostport';
import { GatewayError } from './errors.js';

export class ListenAddressError extends GatewayError {}

/** `--listen HOST:PORT`; an empty host is loopback. */
export function parseListen(text: string): HostPort {
  let address: HostPort;
  try {
    address = splitHostPort(text);
  } catch (err) {
    throw new ListenAddressError(`--listen: ${(err as Error).message} (PORT 0 picks a free one)`);
  }
  return { host: address.host || '127.0.0.1', port: address.port };
}

export async function listen(server: Server, address: HostPort): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return joinHostPort(bound.address, bound.port);
}
