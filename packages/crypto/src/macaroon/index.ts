export * from './action.js';
export * from './caveat.js';
export * from './macaroon.js';
export * from './serialize.js';
export { APIKey, ApiKeyError, checkCaveats, type ApiKeyErrorCode } from './apikey.js';
