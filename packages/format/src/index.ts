export { formatBytes, FormatError, parseByteSize } from './bytes.js';
export { formatDuration, parseDuration } from './duration.js';
export { shortHex } from './short.js';
