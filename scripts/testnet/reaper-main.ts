/** Entry point of the reaper process: `reaper-main <owner pid> <testnet dir> [--remove-dir]` (see reaper.ts). */
import { runReaper } from './reaper.js';

const [owner, dir, flag] = process.argv.slice(2);
await runReaper(Number(owner), dir, flag === '--remove-dir').catch(() => undefined);
process.exit(0);
