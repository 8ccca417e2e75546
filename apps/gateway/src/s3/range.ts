/** HTTP Range headers of GetObject: one byte range (several are answered with the whole object, as S3 does). */
import { S3Error } from './errors.js';

export interface ByteRange {
  offset: number;
  length: number;
}

/** undefined: serve the whole object. Unsatisfiable ranges are InvalidRange (416). */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // malformed or multiple ranges: ignored
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw invalidRange(size);
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size || (m[2] !== '' && Number(m[2]) < first)) throw invalidRange(size);
  return { offset: first, length: last - first + 1 };
}

function invalidRange(size: number): S3Error {
  return new S3Error('InvalidRange', 'the requested range is not satisfiable', { ActualObjectSize: String(size) });
}
