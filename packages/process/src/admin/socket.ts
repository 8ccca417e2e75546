/**
 * Where a process's admin socket lives, and the checks before binding it: `<data dir>/admin.sock`.
 *
 * A Unix domain socket path must fit in `sun_path` (108 bytes on Linux, 104 on macOS, with its NUL); a longer
 * one is refused with a message naming it rather than failing obscurely. A socket file left by a process that
 * was killed is removed; one that still answers means another process serves this data dir, which is refused.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const ADMIN_SOCKET_FILE = 'admin.sock';

/** The longest socket path every platform dcsim runs on accepts. */
export const MAX_SOCKET_PATH = 103;

export class AdminSocketError extends Error {
  override name = 'AdminSocketError';
}

export function adminSocketPath(dataDir: string): string {
  return join(dataDir, ADMIN_SOCKET_FILE);
}

/** Throws if `path` cannot be bound: too long, not a socket, or served by a live process; removes a stale socket. */
export async function prepareSocketPath(path: string): Promise<void> {
  const length = Buffer.byteLength(path);
  if (length > MAX_SOCKET_PATH) {
    const why = `${length} bytes, over the ${MAX_SOCKET_PATH} a Unix socket allows`;
    throw new AdminSocketError(`admin socket path ${path} is ${why}: use a shorter data dir`);
  }
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new AdminSocketError(`${path} exists and is not a socket: move it away`);
  if (await answers(path)) throw new AdminSocketError(`another process serves ${path}: is this data dir already in use?`);
  unlinkSync(path);
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
