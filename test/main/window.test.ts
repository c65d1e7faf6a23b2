import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { createAppOrigin } from '../../src-main/app-origin';
import { WINDOW_TITLE, createMainWindow, mainWindowOptions } from '../../src-main/window';
import { FakeEvent, createFakeElectron } from './fake-electron';

const rendererFile = path.resolve('/opt/relay-desk/out/renderer/index.html');
const preloadPath = path.resolve('/opt/relay-desk/out/preload/index.cjs');

describe('main window options', () => {
  const options = mainWindowOptions(preloadPath);

  it('isolates the page: context isolation, sandbox, no Node', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('uses the preload, the product title and a dark background', () => {
    expect(options.webPreferences?.preload).toBe(preloadPath);
    expect(options.title).toBe('接转办工作台 Relay Desk');
    expect(options.backgroundColor).toMatch(/^#[0-2][0-9a-f][0-2][0-9a-f][0-2][0-9a-f]$/i);
  });
});

describe('createMainWindow', () => {
  it('creates the window with the secure options, installs session security, loads the file', async () => {
    const fake = createFakeElectron();
    const origin = createAppOrigin({ rendererFile, isPackaged: true });
    createMainWindow(fake.api, { preloadPath, origin, log: vi.fn() });
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(fake.session.setPermissionRequestHandler).toHaveBeenCalledTimes(1);
    expect(fake.session.setPermissionCheckHandler).toHaveBeenCalledTimes(1);
    expect(fake.session.webRequest.onHeadersReceived).toHaveBeenCalledTimes(1);
    expect(win.loadFile).toHaveBeenCalledWith(rendererFile);
    expect(win.loadURL).not.toHaveBeenCalled();
    expect(win.webContents.getURL()).toBe(pathToFileURL(rendererFile).href);
  });

  it('loads the dev server URL in development', () => {
    const fake = createFakeElectron();
    const origin = createAppOrigin({ rendererFile, isPackaged: false, devServerUrl: 'http://localhost:5173' });
    createMainWindow(fake.api, { preloadPath, origin, log: vi.fn() });
    expect(fake.windows[0]!.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
    expect(fake.windows[0]!.loadFile).not.toHaveBeenCalled();
  });

  it('keeps its own title and shows when ready', () => {
    const fake = createFakeElectron();
    createMainWindow(fake.api, { preloadPath, origin: createAppOrigin({ rendererFile, isPackaged: true }), log: vi.fn() });
    const win = fake.windows[0]!;
    const titleEvent = new FakeEvent();
    win.emit('page-title-updated', titleEvent, 'page title');
    expect(titleEvent.defaultPrevented).toBe(true);
    expect(win.options.title).toBe(WINDOW_TITLE);
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledTimes(1);
  });

  it('logs a failed load and still shows the window', () => {
    const fake = createFakeElectron();
    const log = vi.fn();
    createMainWindow(fake.api, { preloadPath, origin: createAppOrigin({ rendererFile, isPackaged: true }), log });
    const win = fake.windows[0]!;
    win.webContents.emit('did-fail-load', new FakeEvent(), -6, 'ERR_FILE_NOT_FOUND', 'file:///x');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('ERR_FILE_NOT_FOUND'));
    expect(win.show).toHaveBeenCalled();
  });
});
