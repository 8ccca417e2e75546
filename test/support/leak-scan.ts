/**
 * Looks for secrets where they must not be: in files and captured messages, as raw bytes, hex, or base64.
 *
 * Base64 of a value embedded in a larger blob depends on the value's offset mod 3, so each secret is
 * searched in all three alignments (dropping the edge characters that mix in neighbouring bytes).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Finding {
  secret: string;
  form: 'raw' | 'hex' | 'HEX' | 'base64' | 'base64url';
  where: string;
}

function base64Forms(secret: Buffer): string[] {
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), secret]);
    let text = padded.toString('base64').replace(/=+$/, '');
    // Drop characters that also encode the zero padding in front or unknown bytes after.
    const lead = Math.ceil((shift * 8) / 6);
    text = text.slice(lead);
    const tailBits = ((shift + secret.length) * 8) % 6;
    if (tailBits !== 0) text = text.slice(0, -1);
    if (text.length >= 8) forms.push(text);
  }
  return forms;
}

/** Every encoding of `secret` worth looking for, tagged with its form. */
export function encodingsOf(secret: Uint8Array): { form: Finding['form']; bytes: Buffer }[] {
  const s = Buffer.from(secret);
  const out: { form: Finding['form']; bytes: Buffer }[] = [
    { form: 'raw', bytes: s },
    { form: 'hex', bytes: Buffer.from(s.toString('hex')) },
    { form: 'HEX', bytes: Buffer.from(s.toString('hex').toUpperCase()) },
  ];
  for (const b64 of base64Forms(s)) {
    out.push({ form: 'base64', bytes: Buffer.from(b64) });
    out.push({ form: 'base64url', bytes: Buffer.from(b64.replace(/\+/g, '-').replace(/\//g, '_')) });
  }
  return out;
}

export function scanBuffer(haystack: Uint8Array, secrets: Map<string, Uint8Array>, where: string): Finding[] {
  const hay = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  const findings: Finding[] = [];
  for (const [name, secret] of secrets) {
    for (const { form, bytes } of encodingsOf(secret)) {
      if (hay.includes(bytes)) findings.push({ secret: name, form, where });
    }
  }
  return findings;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const st = ifStillThere(() => statSync(path));
    if (st?.isDirectory()) out.push(...listFiles(path));
    else if (st?.isFile()) out.push(path);
  }
  return out;
}

/**
 * Scans every file under `dir` (SQLite databases and their WAL files included). The processes keep running
 * while it reads, so a file may vanish between listing and reading (a node deleting a piece): what is gone
 * can no longer leak anything, so it is skipped.
 */
export function scanDir(dir: string, secrets: Map<string, Uint8Array>): Finding[] {
  return listFiles(dir).flatMap((file) => {
    const bytes = ifStillThere(() => readFileSync(file));
    return bytes ? scanBuffer(bytes, secrets, file) : [];
  });
}

function ifStillThere<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
