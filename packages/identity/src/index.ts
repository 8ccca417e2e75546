export * from './errors.js';
export * from './identity.js';
export * from './sign.js';
export * from './store.js';
export * from './certificate.js';
export * from './chain.js';
