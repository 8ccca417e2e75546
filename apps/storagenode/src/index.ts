export { startStorageNode, type StorageNode } from './node.js';
export { DEFAULT_CAPACITY_BYTES, DEFAULT_CHECKIN_INTERVAL_MS, type StorageNodeConfig } from './config.js';
export { verifyOrderLimit, ALLOWED_ACTIONS, MAX_CLOCK_SKEW_MS } from './orders.js';
export { StorageNodeError } from './errors.js';
