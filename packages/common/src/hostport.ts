/**
 * Network addresses as `host:port`, as Go's net.SplitHostPort and net.JoinHostPort write them: an IPv6 host
 * goes in brackets (`[::1]:7777`), so the last colon always separates the port. Nothing is resolved here.
 */
import { CommonError } from './errors.js';

export interface HostPort {
  /** A name or an IP address, without brackets; empty for "every interface" (`:7777`). */
  host: string;
  /** 0 to 65535; 0 asks the system for a free port when listening. */
  port: number;
}

/** An address that is not `host:port`. */
export class AddressError extends CommonError {
  override name = 'AddressError';
}

// Characters no host name or IP address holds; they mean a URL, a list or a typo was given instead.
const NOT_IN_HOST = /[\s[\]/@?#,]/;

export function splitHostPort(address: string): HostPort {
  const bad = (why: string) => new AddressError(`invalid address ${JSON.stringify(address.slice(0, 100))}: ${why}`);
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw bad('missing port (want host:port)');
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    if (!host.includes(':')) throw bad('only an IPv6 address goes in brackets');
  } else if (host.includes(':')) {
    throw bad('too many colons (an IPv6 host goes in brackets: [::1]:7777)');
  }
  if (NOT_IN_HOST.test(host)) throw bad('the host holds a character no host name has');
  const port = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw bad(`port ${JSON.stringify(port)} is not a number from 0 to 65535`);
  return { host, port: Number(port) };
}

/** `host:port`, with an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
