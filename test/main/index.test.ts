import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const mocks = vi.hoisted(() => ({
  electron: { app: { name: 'app' }, BrowserWindow: class {}, Notification: class {}, dialog: {}, ipcMain: {}, safeStorage: {} },
  startApp: vi.fn(),
}));
vi.mock('electron', () => mocks.electron);
vi.mock('../../src-main/app', () => ({ startApp: mocks.startApp }));

describe('main entry', () => {
  it('starts the app with the real electron objects and the built preload and renderer', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173');
    await import('../../src-main/index');
    expect(mocks.startApp).toHaveBeenCalledTimes(1);
    const [electronArg, options] = mocks.startApp.mock.calls[0]!;
    expect(electronArg).toEqual({
      app: mocks.electron.app,
      BrowserWindow: mocks.electron.BrowserWindow,
      Notification: mocks.electron.Notification,
      dialog: mocks.electron.dialog,
      ipcMain: mocks.electron.ipcMain,
      safeStorage: mocks.electron.safeStorage,
    });
    // index.ts sits in src-main/ (source) or out/main/ (built): the siblings are ../preload, ../renderer
    const here = path.resolve('src-main');
    expect(options.preloadPath).toBe(path.join(here, '../preload/index.cjs'));
    expect(options.rendererFile).toBe(path.join(here, '../renderer/index.html'));
    expect(options.devServerUrl).toBe('http://localhost:5173');
    vi.unstubAllEnvs();
  });
});
