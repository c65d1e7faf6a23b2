/**
 * The one application window: sandboxed, context-isolated, no Node in the page, the
 * preload as the only bridge. Loads the built renderer file, or the dev server in
 * `electron-vite dev`.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { AppOrigin } from './app-origin';
import type { ElectronApi } from './electron-api';
import { installSessionSecurity, type SecurityLog } from './security';

export const WINDOW_TITLE = '接转办工作台 Relay Desk';
export const WINDOW_BACKGROUND = '#0f1216';

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: WINDOW_TITLE,
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

export interface MainWindowOptions {
  preloadPath: string;
  origin: AppOrigin;
  log: SecurityLog;
}

export function createMainWindow(electron: Pick<ElectronApi, 'BrowserWindow'>, options: MainWindowOptions): BrowserWindow {
  const win = new electron.BrowserWindow(mainWindowOptions(options.preloadPath));
  installSessionSecurity(win.webContents.session, options.origin, options.log);

  // The window title is the product's, whatever <title> the page sets.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-fail-load', (_event, code, description, url) => {
    options.log(`load failed: ${code} ${description} ${url}`);
    if (!win.isDestroyed() && !win.isVisible()) win.show();
  });

  const loading = options.origin.rendererFile
    ? win.loadFile(options.origin.rendererFile)
    : win.loadURL(options.origin.entryUrl);
  loading.catch((error: unknown) => options.log(`cannot load ${options.origin.entryUrl}: ${String(error)}`));
  return win;
}
