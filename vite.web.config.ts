/**
 * The browser edition: the same renderer, served without Electron. It implements the shell
 * contract with web APIs (src-renderer/src/shell/shell.web.ts). Used by end-to-end tests,
 * benchmarks, and stations that may not install software.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname, 'src-renderer');

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  define: {
    __APP_VERSION__: JSON.stringify(process.env.npm_package_version ?? '0.0.0'),
  },
  server: { host: '127.0.0.1', port: 5174, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  build: {
    outDir: resolve(import.meta.dirname, 'dist-web'),
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: resolve(root, 'index.html'),
        bench: resolve(root, 'bench.html'),
        'bench-sync': resolve(root, 'bench-sync.html'),
      },
    },
  },
});
