export * from './caveat.js';
export * from './action.js';
export * from './macaroon.js';
export * from './serialize.js';
export * from './apikey.js';
