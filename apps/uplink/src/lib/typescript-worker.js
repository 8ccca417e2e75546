// Starts a worker thread whose module is TypeScript source (workerData.module, a file URL), as bin/uplink.js
// starts the CLI: Node 20 cannot load .ts, and a worker does not inherit the tsx hooks of the thread that starts
// it, so the worker registers tsx itself first. A bundled app's worker is JavaScript and does not come here.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
