// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'dist-web/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'release/**', '.hub-data/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The pure layer must run anywhere: no Electron, React, Dexie or HTTP (src-common/node
    // may use Node's file system: it serves the shell and the hub, never the renderer).
    files: ['src-common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'react', 'react-dom', 'dexie', 'fastify', 'pg', 'node:http', 'node:https', 'http', 'https', 'zustand', '@tanstack/*'], message: 'src-common is pure: no Electron, React, Dexie or HTTP.' },
          { group: ['**/src-main/**', '**/src-renderer/**', '**/src-hub/**'], message: 'src-common may not import runtime folders.' },
        ],
      }],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron'], message: 'The renderer reaches the shell only through the ShellApi contract.' },
          { group: ['**/src-main/**', '**/src-hub/**'], message: 'The renderer may import src-common only.' },
          { group: ['**/src-common/node/**'], message: 'src-common/node runs in Node (the shell and the hub), not in the renderer.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
  },
);
