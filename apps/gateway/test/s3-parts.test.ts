/** The gateway's small S3 pieces: XML, ranges, metadata mapping, names, copy sources, listing order. */
import { describe, expect, it } from 'vitest';
import { checkBucketName } from '../src/s3/buckets.js';
import { S3Error } from '../src/s3/errors.js';
import { compareKeys, usesSatelliteOrder } from '../src/s3/listing.js';
import { ETAG_KEY, etagOf, headersFromMetadata, metadataFromHeaders } from '../src/s3/metadata.js';
import { parseCopySource } from '../src/s3/objects.js';
import { parseRange } from '../src/s3/range.js';
import { uriEncode } from '../src/s3/sigv4/canonical.js';
import { childText, parseXml, xmlDocument } from '../src/s3/xml.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as S3Error).code;
  }
  return 'no error';
};

describe('xml', () => {
  it('reads S3 request bodies, namespaces and entities included', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>' +
        '<Object><Key>a &amp; b &lt;c&gt; &#233;</Key></Object><Object><Key>d</Key></Object></Delete>',
    );
    expect(root.name).toBe('Delete');
    expect(childText(root, 'Quiet')).toBe('true');
    expect(root.children.filter((c) => c.name === 'Object').map((o) => childText(o, 'Key'))).toEqual(['a & b <c> é', 'd']);
  });

  it('refuses what is not well-formed', () => {
    for (const bad of ['<Delete><Object></Delete>', 'not xml', '<A></A><B></B>', '<A>', ''])
      expect(code(() => parseXml(bad))).toBe('MalformedXML');
  });

  it('writes errors without a namespace, as S3 does (botocore reads no error code otherwise)', () => {
    const text = xmlDocument('Error', { Code: 'NoSuchKey', Message: 'gone' });
    expect(text).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>');
  });

  it('writes documents with S3 namespace, escaping text and repeating lists', () => {
    const text = xmlDocument('ListBucketResult', {
      Name: 'b',
      Contents: [{ Key: 'x<y' }, { Key: 'z' }],
      Marker: undefined,
      IsTruncated: false,
    });
    expect(text).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>');
    expect(text).toContain('<Contents><Key>x&lt;y</Key></Contents><Contents><Key>z</Key></Contents><IsTruncated>false</IsTruncated>');
    expect(text).not.toContain('Marker');
  });
});

describe('ranges', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the object', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ offset: 0, length: 10 });
    expect(parseRange('bytes=90-', 100)).toEqual({ offset: 90, length: 10 });
    expect(parseRange('bytes=90-1000', 100)).toEqual({ offset: 90, length: 10 });
    expect(parseRange('bytes=-10', 100)).toEqual({ offset: 90, length: 10 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ offset: 0, length: 100 });
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined(); // several ranges: the whole object
  });

  it('refuses ranges outside the object', () => {
    expect(code(() => parseRange('bytes=100-', 100))).toBe('InvalidRange');
    expect(code(() => parseRange('bytes=-0', 100))).toBe('InvalidRange');
    expect(code(() => parseRange('bytes=0-', 0))).toBe('InvalidRange');
  });
});

describe('metadata', () => {
  it('keeps user metadata, content type and stored headers, and gives them back', () => {
    const { contentType, metadata } = metadataFromHeaders({
      'content-type': 'text/plain',
      'x-amz-meta-owner': 'alice',
      'cache-control': 'no-cache',
      'content-encoding': 'gzip,aws-chunked',
      'x-amz-date': 'ignored',
    });
    expect(contentType).toBe('text/plain');
    expect(metadata).toEqual({ owner: 'alice', 's3:cache-control': 'no-cache', 's3:content-encoding': 'gzip' });
    expect(headersFromMetadata(contentType, { ...metadata, [ETAG_KEY]: 'abc' })).toEqual({
      'content-type': 'text/plain',
      'x-amz-meta-owner': 'alice',
      'cache-control': 'no-cache',
      'content-encoding': 'gzip',
    });
    expect(etagOf({ [ETAG_KEY]: 'abc' })).toBe('"abc"');
  });

  it('refuses user metadata over 2 KiB, counting the UTF-8 bytes of names and values', () => {
    expect(code(() => metadataFromHeaders({ 'x-amz-meta-big': 'x'.repeat(3000) }))).toBe('MetadataTooLarge');
    expect(code(() => metadataFromHeaders({ 'x-amz-meta-big': 'x'.repeat(2045) }))).toBe('no error');
    expect(code(() => metadataFromHeaders({ 'x-amz-meta-big': 'é'.repeat(1023) }))).toBe('MetadataTooLarge');
  });
});

describe('names', () => {
  it("checks bucket names by S3's rules", () => {
    for (const ok of ['abc', 'my-bucket.2024', 'a'.repeat(63)]) expect(code(() => checkBucketName(ok))).toBe('no error');
    for (const bad of ['ab', 'Upper', 'under_score', '-start', 'end-', 'a..b', '192.168.1.1', 'a'.repeat(64)]) {
      expect(code(() => checkBucketName(bad))).toBe('InvalidBucketName');
    }
  });

  it('reads copy sources with and without a leading slash, percent-encoded', () => {
    expect(parseCopySource('/bucket/dir/a%20b.txt')).toEqual({ bucket: 'bucket', key: 'dir/a b.txt' });
    expect(parseCopySource('bucket/k?versionId=null')).toEqual({ bucket: 'bucket', key: 'k' });
    expect(code(() => parseCopySource('bucket/k?versionId=123'))).toBe('NotImplemented');
    expect(code(() => parseCopySource('bucket'))).toBe('InvalidArgument');
    expect(code(() => parseCopySource(`bucket/${'k'.repeat(1025)}`))).toBe('KeyTooLongError');
  });

  it('encodes keys for encoding-type=url as AWS does', () => {
    expect(uriEncode('a b/c+d(é)', true)).toBe('a%20b/c%2Bd%28%C3%A9%29');
  });
});

describe('listing order', () => {
  it('uses the satellite order only for whole "directories" with delimiter / or none', () => {
    expect(usesSatelliteOrder('', '/')).toBe(true);
    expect(usesSatelliteOrder('a/b/', '')).toBe(true);
    expect(usesSatelliteOrder('a/b', '/')).toBe(false);
    expect(usesSatelliteOrder('a/', '-')).toBe(false);
  });

  it('sorts by UTF-8 bytes, as S3 does', () => {
    const keys = ['\u{1F600}', '\uFF5E', 'b', 'a/'];
    expect([...keys].sort(compareKeys)).toEqual(['a/', 'b', '\uFF5E', '\u{1F600}']);
    expect([...keys].sort()).not.toEqual([...keys].sort(compareKeys)); // JavaScript's default order differs
  });
});
