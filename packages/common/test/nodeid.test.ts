import { describe, expect, it } from 'vitest';
import { checkEncode } from '../src/base58.js';
import { formatNodeUrl, NodeIdError, nodeIdString, NodeUrlError, parseNodeId, parseNodeUrl } from '../src/nodeid.js';
import { loadVector } from './vectors.js';

const v = loadVector('node-id.json');
const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

describe('node IDs (storj/common storj/node.go)', () => {
  it.each(v.ids as { hex: string; text: string }[])('print and parse $text as Storj does', ({ hex, text }) => {
    expect(nodeIdString(fromHex(hex))).toBe(text);
    expect(parseNodeId(text)).toEqual(fromHex(hex));
  });

  it('print the unversioned ID with the version byte, without changing the caller’s ID', () => {
    const id = new Uint8Array(32).map((_, i) => i + 1);
    const text = nodeIdString(id);
    expect(id[31]).toBe(32);
    const unversioned = id.slice();
    unversioned[31] = 0;
    expect(text).toBe(checkEncode(unversioned, 0));
  });

  it('round-trip a node ID from a grant made by Storj’s tooling', () => {
    const storjId = '12V4jtJhKFNoUtHNG9VaTPEn5MyeHvbNdT2UtfqN8qWN6ATd7FX';
    expect(nodeIdString(parseNodeId(storjId))).toBe(storjId);
  });

  it('treat an unknown version as version 0 both ways, as Storj does', () => {
    const id = new Uint8Array(32).fill(7);
    expect(parseNodeId(nodeIdString(id))[31]).toBe(0);
    expect(parseNodeId(checkEncode(new Uint8Array(32).fill(7), 5))[31]).toBe(0);
  });

  it('refuse bad input with a NodeIdError', () => {
    expect(() => parseNodeId('not-base58!')).toThrow(NodeIdError);
    expect(() => parseNodeId(checkEncode(new Uint8Array(20), 0))).toThrow(/20 bytes, want 32/);
    expect(() => nodeIdString(new Uint8Array(31))).toThrow(NodeIdError);
  });
});

describe('node URLs (storj/common storj/nodeurl.go)', () => {
  const id = parseNodeId('12vha9oTFnerxYRgeQ2BZqoFrLrnmmf5UWTCY2jA77dF3YvWew7');

  it.each(v.urls as { url: string; address: string }[])('parse and print $url', ({ url, address }) => {
    expect(parseNodeUrl(url)).toEqual({ id, address });
    expect(formatNodeUrl({ id, address })).toBe(url);
    expect(parseNodeUrl(`storj://${url}`)).toEqual({ id, address });
  });

  it.each(v.invalid_urls as string[])('refuse %j as Storj does', (url) => {
    expect(() => parseNodeUrl(url)).toThrow(NodeUrlError);
  });

  it('require what dcsim dials by: a node ID and a host:port, nothing else', () => {
    expect(() => parseNodeUrl('33.20.0.1:7777')).toThrow(/a node ID is required/);
    expect(() => parseNodeUrl(`${nodeIdString(id)}@`)).toThrow(/missing port/);
    expect(() => parseNodeUrl(`${nodeIdString(id)}@33.20.0.1:7777?noise_proto=2`)).toThrow(/no Noise/);
    expect(() => parseNodeUrl(`https://${nodeIdString(id)}@33.20.0.1:7777`)).toThrow(/unknown scheme "https"/);
  });
});
