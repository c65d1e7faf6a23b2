/**
 * Smoke test of the desktop edition: launches the built app (out/main/index.js, from
 * `npm run build`) with the real Electron binary. Skipped, with the reason, where no
 * binary is installed (it cannot be downloaded on the offline build machine).
 */
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from '../../../scripts/electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const mainEntry = path.join(root, 'out', 'main', 'index.js');
const executablePath = electronBinaryPath();
const hasElectronBinary = executablePath !== null;

test.describe('desktop edition (Electron)', () => {
  test.skip(
    !hasElectronBinary,
    'Electron binary not installed: node_modules/electron/dist is missing (its download is impossible on this build machine); run npm install where the binary can be downloaded',
  );

  let app: ElectronApplication;

  test.beforeAll(async () => {
    if (!existsSync(mainEntry)) throw new Error(`${mainEntry} is missing: run \`npm run build\` first`);
    app = await electron.launch({
      executablePath: executablePath ?? undefined,
      args: [mainEntry],
      cwd: root,
      env: { ...process.env, ELECTRON_RENDERER_URL: '' },
    });
  });

  test.afterAll(async () => {
    await app?.close();
  });

  test('opens one secure window with the shell bridge', async () => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');

    const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle());
    expect(title).toBe('接转办工作台 Relay Desk');

    const bridge = await page.evaluate(() => ({
      type: typeof window.relayShell,
      methods: window.relayShell ? Object.keys(window.relayShell).sort() : [],
      requireType: typeof (globalThis as { require?: unknown }).require,
      processType: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(bridge.type).toBe('object');
    expect(bridge.methods).toEqual(
      ['appInfo', 'notify', 'onNotificationClick', 'print', 'printToPdf', 'saveFile', 'secureSettings'].sort(),
    );
    expect(bridge.requireType).toBe('undefined');
    expect(bridge.processType).toBe('undefined');

    const info = await page.evaluate(() => window.relayShell!.appInfo());
    expect(info.edition).toBe('electron');
  });
});
