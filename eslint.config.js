// Lint rules for every TypeScript file (`npm run lint`, which `npm test` runs); Prettier owns the layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/gen/', '.testnet/', '.s3-compat/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Prettier wraps code at 140; this catches what it cannot wrap (long strings, comments).
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests hold known-answer strings as published (signatures, URLs) and read JSON vectors of many shapes.
    files: ['**/test/**/*.ts', 'test/**/*.ts'],
    rules: {
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
