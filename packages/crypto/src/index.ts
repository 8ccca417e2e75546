export * from './base58.js';
export * from './encryption/index.js';
export * from './macaroon/index.js';
export * from './grant/index.js';
export * from './pieceid.js';
export * from './nodeid.js';
export * from './encoding.js';
