/** The real `storagenode run` process: the command line and READY line the testnet depends on. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CHANNEL_OPTIONS, PieceAction, PiecestoreClient, Transport } from '@dcsim/protocol';
import { parseNodeId } from '@dcsim/common/nodeid';
import { assertNoBugReports } from '@dcsim/process';
import { connectAdmin } from '@dcsim/process/admin';
import { afterAll, describe, expect, it } from 'vitest';
import { download, orderLimit, removeTempDirs, startContactServer, tempDir, upload } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/storagenode.js', import.meta.url));

afterAll(removeTempDirs);

describe('storagenode run', () => {
  it('prints READY after checking in, serves pieces, and exits 0 on SIGTERM', async () => {
    const sat = await startContactServer();
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--dir', dir, '--listen', '127.0.0.1:0', '--satellite', sat.url, '--capacity', '64MiB', '--checkin-interval', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error(`storagenode exited before READY:\n${stderr}`)));
      });
      expect(line).toMatch(/^READY \{.*\}$/);
      const ready = JSON.parse(line.slice('READY '.length)) as { id: string; address: string };
      expect(ready.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      expect(sat.checkIns[0].address).toBe(ready.address);
      expect(sat.checkIns[0].freeDisk).toBeLessThanOrEqual(64 * 1024 * 1024);

      const nodeId = parseNodeId(ready.id);
      const client = new PiecestoreClient(ready.address, Transport.ephemeral().client(nodeId), CHANNEL_OPTIONS);
      const data = randomBytes(100_000);
      const put = orderLimit(sat.identity, nodeId, PieceAction.PUT);
      await upload(client, put, data);
      const got = await download(client, orderLimit(sat.identity, nodeId, PieceAction.GET, { pieceId: put.pieceId }));
      expect(got.data.equals(data)).toBe(true);
      client.close();

      // Its admin socket in the data dir says what it is and lists its chores.
      const admin = connectAdmin(dir);
      const status = await admin.status();
      expect(status).toMatchObject({ kind: 'storagenode', address: ready.address, clockOffsetMs: 0 });
      expect(Buffer.from(status.nodeId)).toEqual(Buffer.from(nodeId));
      expect((await admin.chores()).map((c) => c.name)).toEqual([
        'check-in',
        'expired-pieces',
        'retain',
        'trash',
        'restore-trash',
        'used-serials',
        'orders-sender',
        'graceful-exit',
      ]);
      admin.close();

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      assertNoBugReports('storagenode run', stderr);
      expect(stderr).toMatch(/stored piece [A-Z2-7]{7}… \(97\.7 KiB\) for satellite /);
    } finally {
      child.kill('SIGKILL');
      await sat.close();
    }
  });
});
