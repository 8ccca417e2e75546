import { describe, expect, it } from 'vitest';
import { AddressError, joinHostPort, splitHostPort } from '../src/hostport.js';

describe('host:port', () => {
  it('splits names, IPv4 and bracketed IPv6, and joins them back', () => {
    for (const [address, host, port] of [
      ['example.com:7777', 'example.com', 7777],
      ['127.0.0.1:0', '127.0.0.1', 0],
      ['[::1]:65535', '::1', 65535],
      ['[2001:db8:1f70::999:de8:7648:6e8]:7777', '2001:db8:1f70::999:de8:7648:6e8', 7777],
      [':7777', '', 7777],
    ] as const) {
      expect(splitHostPort(address)).toEqual({ host, port });
      expect(joinHostPort(host, port)).toBe(address);
    }
  });

  it.each([
    ['example.com', /missing port/],
    ['::1:7777', /too many colons/],
    ['[example.com]:7777', /only an IPv6 address goes in brackets/],
    ['exampl e.com:7777', /character no host name has/],
    ['user@example.com:7777', /character no host name has/],
    ['example.com:', /port "" is not a number/],
    ['example.com:65536', /port "65536"/],
    ['example.com:-1', /port "-1"/],
    ['example.com:http', /port "http"/],
  ])('refuses %j with an AddressError naming the problem', (address, why) => {
    expect(() => splitHostPort(address)).toThrow(AddressError);
    expect(() => splitHostPort(address)).toThrow(why);
  });
});
