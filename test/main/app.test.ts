import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShellChannel } from '../../src-common/contract/shell';
import { APP_ID, startApp } from '../../src-main/app';
import { SQLITE_BACKING_STORE_FEATURE } from '../../src-main/storage-backend';
import { WINDOW_TITLE } from '../../src-main/window';
import { createFakeElectron } from './fake-electron';

const rendererFile = path.resolve('/opt/relay-desk/out/renderer/index.html');
const preloadPath = path.resolve('/opt/relay-desk/out/preload/index.cjs');

async function started(platform: NodeJS.Platform = 'linux', configure?: (fake: ReturnType<typeof createFakeElectron>) => void) {
  const fake = createFakeElectron();
  configure?.(fake);
  const running = startApp(fake.api, { preloadPath, rendererFile, platform });
  await running.ready;
  return { fake, running };
}

describe('single instance', () => {
  it('quits at once when another instance holds the lock', async () => {
    const { fake, running } = await started('linux', (f) => {
      f.app.gotLock = false;
    });
    expect(running.primary).toBe(false);
    expect(fake.app.quit).toHaveBeenCalledTimes(1);
    expect(fake.app.whenReady).not.toHaveBeenCalled();
    expect(fake.windows).toHaveLength(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
  });

  it('focuses the existing window when a second instance starts', async () => {
    const { fake, running } = await started();
    expect(running.primary).toBe(true);
    const win = fake.windows[0]!;
    win.minimized = true;
    fake.app.emit('second-instance', {}, ['relay-desk'], '/');
    expect(win.restore).toHaveBeenCalledTimes(1);
    expect(win.show).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalledTimes(1);
    expect(fake.windows).toHaveLength(1);
    expect(fake.app.quit).not.toHaveBeenCalled();
  });

  it('opens a new window on a second instance when the window was closed (macOS)', async () => {
    const { fake } = await started('darwin');
    fake.windows[0]!.close();
    fake.app.emit('second-instance', {}, [], '/');
    expect(fake.windows).toHaveLength(2);
  });
});

describe('lifecycle', () => {
  it('turns on the sandbox for all renderers and creates one secure window when ready', async () => {
    const { fake, running } = await started();
    expect(fake.app.enableSandbox).toHaveBeenCalledTimes(1);
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.options.title).toBe(WINDOW_TITLE);
    expect(win.options.webPreferences).toMatchObject({ preload: preloadPath, contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.loadFile).toHaveBeenCalledWith(rendererFile);
    expect(running.getWindow()).toBe(win);
  });

  it('asks Chromium for Chinese (date pickers, dialogs) before the app is ready; not after, where it would do nothing', async () => {
    const early = await started('win32', (f) => {
      f.app.ready = false;
    });
    expect(early.fake.app.switches.get('lang')).toBe('zh-CN');
    const late = await started('win32');
    expect(late.fake.app.commandLine.appendSwitch).not.toHaveBeenCalled();
  });

  it('before the app is ready, starts a new desk on the SQLite store and keeps a LevelDB desk on LevelDB (storage-backend.ts)', async () => {
    const fresh = await started('win32', (f) => {
      f.app.ready = false;
    });
    expect(fresh.fake.app.switches.get('enable-features')).toBe(SQLITE_BACKING_STORE_FEATURE);
    const kept = await started('win32', (f) => {
      f.app.ready = false;
      mkdirSync(path.join(f.app.userData, 'IndexedDB', 'file__0.indexeddb.leveldb'), { recursive: true });
      writeFileSync(path.join(f.app.userData, 'IndexedDB', 'file__0.indexeddb.leveldb', 'CURRENT'), 'MANIFEST-000001\n');
    });
    expect(kept.fake.app.switches.has('enable-features')).toBe(false);
    expect(kept.fake.windows).toHaveLength(1);
    // once ready, a switch does nothing and no store may be moved: nothing is looked at
    const late = await started('win32', (f) => {
      mkdirSync(path.join(f.app.userData, 'IndexedDB', 'file__0.indexeddb.leveldb'), { recursive: true });
      mkdirSync(path.join(f.app.userData, 'IndexedDB', 'file__0'), { recursive: true });
      writeFileSync(path.join(f.app.userData, 'IndexedDB', 'file__0', 'db'), 'x');
    });
    expect(readdirSync(path.join(late.fake.app.userData, 'IndexedDB')).sort()).toEqual(['file__0', 'file__0.indexeddb.leveldb']);
  });

  it('does not open the desk when its store folder cannot be read: says so, and quits', async () => {
    const { fake, running } = await started('win32', (f) => {
      f.app.ready = false;
      writeFileSync(path.join(f.app.userData, 'IndexedDB'), 'not a folder');
    });
    expect(running.primary).toBe(false);
    expect(fake.dialog.showErrorBox).toHaveBeenCalledWith('接转办工作台 Relay Desk', expect.stringContaining('数据目录无法读取'));
    expect(fake.app.quit).toHaveBeenCalledTimes(1);
    expect(fake.windows).toHaveLength(0);
    expect(fake.app.switches.has('enable-features')).toBe(false);
  });

  it('quits when the window closes, except on macOS', async () => {
    const linux = await started('linux');
    linux.fake.windows[0]!.close();
    linux.fake.app.emit('window-all-closed');
    expect(linux.fake.app.quit).toHaveBeenCalledTimes(1);
    expect(linux.running.getWindow()).toBeNull();

    const mac = await started('darwin');
    mac.fake.app.emit('window-all-closed');
    expect(mac.fake.app.quit).not.toHaveBeenCalled();
  });

  it('re-creates the window on activate when none is open', async () => {
    const { fake } = await started('darwin');
    fake.app.emit('activate');
    expect(fake.windows).toHaveLength(1);
    fake.windows[0]!.close();
    fake.app.emit('activate');
    expect(fake.windows).toHaveLength(2);
  });

  it('sets the AppUserModelID on Windows (needed for notifications)', async () => {
    const win32 = await started('win32');
    expect(win32.fake.app.setAppUserModelId).toHaveBeenCalledWith(APP_ID);
    const linux = await started('linux');
    expect(linux.fake.app.setAppUserModelId).not.toHaveBeenCalled();
  });

  it('hardens web contents created later', async () => {
    const { fake } = await started();
    expect(fake.app.listenerCount('web-contents-created')).toBe(1);
  });

  it('shows an error box when the renderer keeps crashing', async () => {
    const { fake } = await started();
    const win = fake.windows[0]!;
    for (let i = 0; i < 4; i++) win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(win.webContents.reload).toHaveBeenCalledTimes(3);
    expect(fake.dialog.showErrorBox).toHaveBeenCalledTimes(1);
    expect(fake.dialog.showErrorBox.mock.calls[0]?.[1]).toMatch(/restart/i);
  });
});

describe('IPC wired to the real actions', () => {
  it('answers the app window and refuses others', async () => {
    const { fake } = await started();
    const win = fake.windows[0]!;
    const info = await fake.ipcMain.invoke(ShellChannel.appInfo, win.webContents.ipcEvent());
    expect(info).toMatchObject({ name: 'Relay Desk', version: '0.1.0', edition: 'electron' });
    win.webContents.showUrl('https://evil.example/');
    await expect(fake.ipcMain.invoke(ShellChannel.appInfo, win.webContents.ipcEvent())).rejects.toThrow(/not the app's own page/);
  });

  it('stores secure settings encrypted in userData', async () => {
    const { fake } = await started();
    const event = fake.windows[0]!.webContents.ipcEvent();
    await fake.ipcMain.invoke(ShellChannel.settingsSet, event, { key: 'hubToken', value: 't0k3n' });
    await expect(fake.ipcMain.invoke(ShellChannel.settingsGet, event, 'hubToken')).resolves.toBe('t0k3n');
    await expect(fake.ipcMain.invoke(ShellChannel.settingsProtected, event)).resolves.toBe(true);
    expect(fake.safeStorage.encryptString).toHaveBeenCalledWith('t0k3n');
  });

  it('prints the window and notifies through Electron', async () => {
    const { fake } = await started();
    const win = fake.windows[0]!;
    const event = win.webContents.ipcEvent();
    await expect(fake.ipcMain.invoke(ShellChannel.print, event, {})).resolves.toEqual({ ok: true });
    expect(win.webContents.print).toHaveBeenCalledWith({ silent: false, printBackground: true, landscape: false }, expect.any(Function));
    await fake.ipcMain.invoke(ShellChannel.notify, event, { id: 'n1', title: 'T', body: 'B', caseId: 'C-9', urgent: false });
    fake.Notification.instances[0]!.click();
    expect(win.webContents.send).toHaveBeenCalledWith(ShellChannel.notificationClicked, 'C-9');
  });
});
