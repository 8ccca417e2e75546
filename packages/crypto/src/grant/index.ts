export * from './access.js';
export * from './limit.js';
export * from './restrict.js';
export * from './inspect.js';
