import { defineConfig } from 'vitest/config';

// Unit tests live beside each package (packages/*/test, apps/*/test);
// tests that start real processes live in test/.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2 cores: end-to-end tests each start a whole network, so keep them from fighting.
    maxWorkers: 2,
  },
});
