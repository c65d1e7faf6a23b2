/**
 * electron-vite build of the desktop edition:
 *   main     src-main/index.ts          -> out/main/index.js     (ESM, deps bundled)
 *   preload  src-main/preload/index.ts  -> out/preload/index.cjs (CommonJS, one file, zod
 *                                          bundled: a sandboxed preload can only require
 *                                          'electron')
 *   renderer src-renderer/index.html    -> out/renderer/         (React)
 * Nothing here needs the Electron binary; `electron-vite build` works without it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { cspMetaPlugin } from './src-main/csp-html-plugin';

const root = import.meta.dirname;
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // bundle zod and the shared contract so out/ runs without node_modules
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/preload/index.ts') },
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: '[name]-[hash].cjs',
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react(), cspMetaPlugin()],
    // same as vite.web.config.ts (the browser edition)
    define: {
      __APP_VERSION__: JSON.stringify(version),
    },
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-renderer/index.html') },
      },
    },
  },
});
