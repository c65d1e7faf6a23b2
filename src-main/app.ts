/**
 * App lifecycle: one instance only (a second launch focuses the running window), one
 * window, sandbox everywhere, IPC registered once, quit when the window closes (except on
 * macOS, where apps stay in the dock).
 */
import type { BrowserWindow } from 'electron';
import path from 'node:path';
import { getAppInfo } from './app-info';
import { createAppOrigin } from './app-origin';
import { watchRendererCrashes } from './crash-recovery';
import type { ElectronApi } from './electron-api';
import { saveFile, type SaveTarget } from './files';
import { registerIpc } from './ipc';
import { createFileLog } from './log';
import { bringToFront, createNotifier } from './notifier';
import { printPage, printToPdf } from './printing';
import { createSecureSettings } from './secure-settings';
import { prepareStorageBackend, type PreparedBackend } from './storage-backend';
import { installAppGuards } from './security';
import { createMainWindow } from './window';

export const APP_ID = 'org.relaydesk.app';

export interface StartOptions {
  /** absolute path of the built preload (out/preload/index.cjs) */
  preloadPath: string;
  /** absolute path of the built renderer page (out/renderer/index.html) */
  rendererFile: string;
  /** electron-vite's ELECTRON_RENDERER_URL; ignored in a packaged app */
  devServerUrl?: string | undefined;
  platform?: NodeJS.Platform;
}

export interface RunningApp {
  /** false when another instance holds the lock; this one is quitting */
  readonly primary: boolean;
  /** resolves once the window is created */
  readonly ready: Promise<void>;
  getWindow(): BrowserWindow | null;
}

function documentsDir(app: ElectronApi['app']): string {
  for (const name of ['documents', 'downloads', 'home'] as const) {
    try {
      return app.getPath(name);
    } catch {
      // try the next one
    }
  }
  return process.cwd();
}

export function startApp(electron: ElectronApi, options: StartOptions): RunningApp {
  const { app } = electron;
  const platform = options.platform ?? process.platform;

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, ready: Promise.resolve(), getWindow: () => null };
  }

  app.enableSandbox();
  // Chromium's own words (date and time pickers, spelling, default dialogs) in the desk's
  // language, whatever the OS locale: an operator must not meet mm/dd/yyyy on a Chinese desk
  if (!app.isReady()) app.commandLine.appendSwitch('lang', 'zh-CN');
  if (platform === 'win32') app.setAppUserModelId(APP_ID);

  const userData = app.getPath('userData');
  const log = createFileLog(path.join(userData, 'logs', 'main.log'));
  // which engine keeps the desk's IndexedDB store, decided by what is on disk before Chromium
  // starts (storage-backend.ts); once ready, a switch would do nothing and no store may be moved
  if (!app.isReady()) {
    let storage: PreparedBackend;
    try {
      storage = prepareStorageBackend(userData);
    } catch (e) {
      log(`IndexedDB: cannot read the store folder, the desk does not open: ${String((e as Error)?.stack ?? e)}`);
      electron.dialog.showErrorBox(
        '接转办工作台 Relay Desk',
        `本机数据目录无法读取，工作台不能打开（以免打开时损坏已保存的数据）。请联系管理员检查 ${path.join(userData, 'IndexedDB')} 的权限。\n` +
          `The desk's data folder cannot be read, so the desk does not open. Log: ${log.file}`,
      );
      app.quit();
      return { primary: false, ready: Promise.resolve(), getWindow: () => null };
    }
    for (const [name, value] of storage.switches) app.commandLine.appendSwitch(name, value);
    log(`IndexedDB: ${storage.backend} (${storage.reason})${storage.setAsideDir ? `; set aside in ${storage.setAsideDir}: ${storage.setAside.join(', ')}` : ''}`);
  }
  const origin = createAppOrigin({
    rendererFile: options.rendererFile,
    devServerUrl: options.devServerUrl,
    isPackaged: app.isPackaged,
  });

  let win: BrowserWindow | null = null;
  const getWindow = () => (win && !win.isDestroyed() ? win : null);

  const openWindow = (): BrowserWindow => {
    const created = createMainWindow(electron, { preloadPath: options.preloadPath, origin, log });
    watchRendererCrashes(created, {
      log,
      onGiveUp: (details) =>
        electron.dialog.showErrorBox(
          '接转办工作台 Relay Desk',
          `The window stopped repeatedly (${details.reason}). Please restart Relay Desk.\n` +
            `窗口多次异常退出（${details.reason}），请重新启动程序。\nLog: ${log.file}`,
        ),
    });
    created.on('closed', () => {
      if (win === created) win = null;
    });
    win = created;
    return created;
  };

  installAppGuards(app, log);

  app.on('second-instance', () => {
    const current = getWindow();
    if (current) bringToFront(current);
    else if (app.isReady()) openWindow();
  });

  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (!getWindow() && app.isReady()) openWindow();
  });

  const ready = app.whenReady().then(() => {
    const settings = createSecureSettings({
      safeStorage: electron.safeStorage,
      file: path.join(userData, 'secure-settings.json'),
      platform,
      log,
    });
    const notifier = createNotifier({ Notification: electron.Notification, getWindow, platform, log });
    const saveTarget: SaveTarget = { dialog: electron.dialog, getWindow, defaultDir: () => documentsDir(app) };
    const contents = () => {
      const current = getWindow();
      if (!current) throw new Error('the application window is not open');
      return current.webContents;
    };

    registerIpc({
      ipcMain: electron.ipcMain,
      getWindow,
      origin,
      log,
      actions: {
        appInfo: () => getAppInfo(app),
        notify: (request) => notifier.notify(request),
        print: (request) => printPage(contents(), request),
        printToPdf: (request) => printToPdf(contents(), saveTarget, request),
        saveFile: (request) => saveFile(saveTarget, request),
        settingsGet: (key) => settings.get(key),
        settingsSet: ({ key, value }) => settings.set(key, value),
        settingsProtected: () => settings.isProtected(),
      },
    });

    openWindow();
  });

  return { primary: true, ready, getWindow };
}
