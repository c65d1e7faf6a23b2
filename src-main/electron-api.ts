/**
 * The part of the `electron` module the main process uses. Every module receives it as a
 * parameter instead of importing `electron`, so tests can pass a fake (importing the real
 * package outside Electron tries to download the binary).
 */
import type { App, BrowserWindow, Dialog, IpcMain, Notification, SafeStorage } from 'electron';

export interface ElectronApi {
  app: App;
  BrowserWindow: typeof BrowserWindow;
  ipcMain: IpcMain;
  Notification: typeof Notification;
  dialog: Dialog;
  safeStorage: SafeStorage;
}
