#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx: no build step to forget.
const { register } = await import('tsx/esm/api').catch(() => {
  console.error('testnet: dependencies are not installed (tsx is missing): run `npm install` in the repository first');
  process.exit(1);
});
register();
await import('../testnet.ts');
