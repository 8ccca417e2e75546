/** The identity file in a process's data dir: created once, reused on every start. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPrivateKey, generateIdentity, importPrivateKey, type Identity } from './identity.js';

export const IDENTITY_FILE = 'identity.key';

export function loadOrCreateIdentity(dir: string): Identity {
  const file = join(dir, IDENTITY_FILE);
  if (existsSync(file)) return importPrivateKey(readFileSync(file, 'utf8'));
  mkdirSync(dir, { recursive: true });
  const identity = generateIdentity();
  // 0600: the key signs order limits (satellite) or piece hashes (node).
  writeFileSync(file, exportPrivateKey(identity), { mode: 0o600, flag: 'wx' });
  return identity;
}
