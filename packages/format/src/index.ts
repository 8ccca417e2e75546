export { formatBytes } from './bytes.js';
export { shortHex } from './short.js';
