/**
 * End-to-end tests. The browser edition runs in Debian's Chromium (/usr/bin/chromium):
 * Playwright's own browser download cannot work on our build machines. The Electron smoke
 * test runs only where an Electron binary is installed, and says why it skips otherwise.
 */
import { defineConfig } from '@playwright/test';
import { SQLITE_BACKING_STORE_FEATURE } from './src-main/storage-backend';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * E2E_IDB_ENGINE=sqlite: every browser of the run keeps IndexedDB in Chromium's SQLite store,
 * the engine a new desk of the desktop edition gets (src-main/storage-backend.ts); by default
 * Debian's Chromium keeps it in LevelDB, as a desk made before that choice does.
 */
export const IDB_ENGINE: 'sqlite' | 'leveldb' = process.env.E2E_IDB_ENGINE === 'sqlite' ? 'sqlite' : 'leveldb';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  ...(IDB_ENGINE === 'sqlite' ? [`--enable-features=${SQLITE_BACKING_STORE_FEATURE}`] : []),
];
const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 4183);
/** E2E_WEB_DIST: serve another build than vite.web.config.ts's outDir (e.g. a private one) */
const WEB_DIST = process.env.E2E_WEB_DIST ? ` --outDir ${JSON.stringify(process.env.E2E_WEB_DIST)}` : '';

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${WEB_PORT}`,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1600, height: 900 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'web',
      testIgnore: /electron\//,
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
      },
    },
    {
      name: 'electron',
      testMatch: /electron\/.*\.spec\.ts/,
    },
  ],
  webServer: {
    command: `npx vite preview --config vite.web.config.ts --port ${WEB_PORT} --strictPort${WEB_DIST}`,
    url: `http://127.0.0.1:${WEB_PORT}/index.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
