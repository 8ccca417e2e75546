export * from './action.js';
export * from './caveat.js';
export * from './macaroon.js';
export * from './serialize.js';
export { APIKey, ApiKeyError, type ApiKeyErrorCode } from './apikey.js';
