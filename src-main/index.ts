/**
 * Electron main entry (built to out/main/index.js). The only file that imports `electron`;
 * everything else receives it, so it can be tested with a fake.
 */
import { BrowserWindow, Notification, app, dialog, ipcMain, safeStorage } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp } from './app';

const here = path.dirname(fileURLToPath(import.meta.url));

startApp(
  { app, BrowserWindow, Notification, dialog, ipcMain, safeStorage },
  {
    preloadPath: path.join(here, '../preload/index.cjs'),
    rendererFile: path.join(here, '../renderer/index.html'),
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  },
);
