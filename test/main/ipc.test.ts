import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcMain } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { ShellChannel } from '../../src-common/contract/shell';
import { createAppOrigin } from '../../src-main/app-origin';
import { registerIpc, type ShellActions } from '../../src-main/ipc';
import { FakeBrowserWindow, FakeFrame, FakeIpcMain, FakeWebContents } from './fake-electron';

const rendererFile = path.resolve('/opt/relay-desk/out/renderer/index.html');
const appUrl = pathToFileURL(rendererFile).href;

function setup() {
  const ipcMain = new FakeIpcMain();
  const win = new FakeBrowserWindow({});
  win.webContents.showUrl(`${appUrl}#/cases`);
  const actions = {
    appInfo: vi.fn(() => ({ name: 'Relay Desk', version: '0.1.0', edition: 'electron' as const, platform: 'linux' })),
    notify: vi.fn(() => ({ shown: true })),
    print: vi.fn(async () => ({ ok: true })),
    printToPdf: vi.fn(async () => ({ saved: true, path: '/tmp/x.pdf' })),
    saveFile: vi.fn(async () => ({ saved: true, path: '/tmp/x.csv' })),
    settingsGet: vi.fn(async () => 'secret'),
    settingsSet: vi.fn(async () => {}),
    settingsProtected: vi.fn(() => true),
  } satisfies ShellActions;
  const log = vi.fn();
  const unregister = registerIpc({
    ipcMain: ipcMain as unknown as IpcMain,
    getWindow: () => (win.destroyed ? null : win.asReal),
    origin: createAppOrigin({ rendererFile, isPackaged: true }),
    actions,
    log,
  });
  const fromApp = () => win.webContents.ipcEvent();
  const noActionRan = () => {
    for (const fn of Object.values(actions)) expect(fn).not.toHaveBeenCalled();
  };
  return { ipcMain, win, actions, log, unregister, fromApp, noActionRan };
}

const validNotify = { id: 'case-1', title: '新工单', body: '12345 转办', caseId: 'C-1', urgent: true };
const validSave = { suggestedName: 'cases.csv', content: 'a,b\n1,2', mime: 'text/csv' };

describe('IPC registration', () => {
  it('registers exactly the invoke channels of the contract', () => {
    const { ipcMain } = setup();
    const expected = Object.values(ShellChannel).filter((c) => c !== ShellChannel.notificationClicked).sort();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(expected);
  });

  it('can remove its handlers again', () => {
    const { ipcMain, unregister } = setup();
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('IPC sender checks', () => {
  it('rejects a WebContents that is not the app window', async () => {
    const { ipcMain, noActionRan } = setup();
    const other = new FakeWebContents();
    other.showUrl(appUrl);
    await expect(ipcMain.invoke(ShellChannel.notify, other.ipcEvent(), validNotify)).rejects.toThrow(
      'relay:notify: rejected: the sender is not the application window',
    );
    noActionRan();
  });

  it('rejects a subframe of the app window, even on the app page', async () => {
    const { ipcMain, win, noActionRan } = setup();
    const sub = new FakeFrame(appUrl, win.webContents.mainFrame);
    await expect(ipcMain.invoke(ShellChannel.settingsGet, win.webContents.ipcEvent(sub), 'hubToken')).rejects.toThrow(
      /rejected: the sender is a subframe/,
    );
    noActionRan();
  });

  it('rejects a main frame showing a foreign page', async () => {
    const { ipcMain, win, noActionRan } = setup();
    win.webContents.showUrl('https://evil.example/steal');
    await expect(ipcMain.invoke(ShellChannel.settingsGet, win.webContents.ipcEvent(), 'hubToken')).rejects.toThrow(
      "relay:secure-settings-get: rejected: the sender page (https://evil.example/steal) is not the app's own page",
    );
    win.webContents.showUrl(pathToFileURL('/home/operator/Downloads/evil.html').href);
    await expect(ipcMain.invoke(ShellChannel.appInfo, win.webContents.ipcEvent())).rejects.toThrow(/not the app's own page/);
    noActionRan();
  });

  it('rejects an event whose frame is gone, and calls when the window is closed', async () => {
    const { ipcMain, win, noActionRan } = setup();
    await expect(ipcMain.invoke(ShellChannel.appInfo, win.webContents.ipcEvent(null))).rejects.toThrow(/the sending frame is gone/);
    win.destroyed = true;
    await expect(ipcMain.invoke(ShellChannel.appInfo, win.webContents.ipcEvent())).rejects.toThrow(
      /the application window is not open/,
    );
    noActionRan();
  });

  it('logs rejected calls', async () => {
    const { ipcMain, log } = setup();
    const other = new FakeWebContents();
    await expect(ipcMain.invoke(ShellChannel.appInfo, other.ipcEvent())).rejects.toThrow();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('relay:app-info: rejected'));
  });
});

describe('IPC payload validation', () => {
  it.each([
    [ShellChannel.notify, { ...validNotify, title: '' }, /relay:notify: invalid request: title: /],
    [ShellChannel.notify, { ...validNotify, urgent: 'yes' }, /urgent: /],
    [ShellChannel.notify, undefined, /relay:notify: invalid request: request: /],
    [ShellChannel.saveFile, { ...validSave, suggestedName: '../../etc/passwd' }, /suggestedName: file name must not contain a path/],
    [ShellChannel.saveFile, { ...validSave, encoding: 'hex' }, /encoding: /],
    [ShellChannel.printToPdf, { suggestedName: '' }, /relay:print-to-pdf: invalid request: suggestedName: /],
    [ShellChannel.print, { silent: 'no' }, /relay:print: invalid request: silent: /],
    [ShellChannel.settingsGet, 'Bad Key!', /relay:secure-settings-get: invalid request: request: bad setting key/],
    [ShellChannel.settingsGet, 42, /relay:secure-settings-get: invalid request/],
    [ShellChannel.settingsSet, { key: 'hubToken', value: 7 }, /value: /],
    [ShellChannel.settingsSet, { key: '__proto__', value: 'x' }, /key: bad setting key/],
    [ShellChannel.appInfo, { sneaky: true }, /relay:app-info: invalid request: request: this call takes no arguments/],
    [ShellChannel.settingsProtected, 'x', /this call takes no arguments/],
  ])('%s rejects %j', async (channel, payload, message) => {
    const { ipcMain, fromApp, noActionRan } = setup();
    await expect(ipcMain.invoke(channel, fromApp(), payload)).rejects.toThrow(message);
    noActionRan();
  });

  it('rejects extra arguments', async () => {
    const { ipcMain, fromApp, noActionRan } = setup();
    await expect(ipcMain.invoke(ShellChannel.settingsGet, fromApp(), 'hubToken', 'extra')).rejects.toThrow(
      'relay:secure-settings-get: invalid request: expected at most one argument, got 2',
    );
    noActionRan();
  });
});

describe('IPC valid calls', () => {
  it('routes each valid call to its action with the parsed payload', async () => {
    const { ipcMain, fromApp, actions } = setup();
    await expect(ipcMain.invoke(ShellChannel.appInfo, fromApp())).resolves.toMatchObject({ edition: 'electron' });
    await expect(ipcMain.invoke(ShellChannel.notify, fromApp(), validNotify)).resolves.toEqual({ shown: true });
    expect(actions.notify).toHaveBeenCalledWith(validNotify);

    await ipcMain.invoke(ShellChannel.print, fromApp());
    expect(actions.print).toHaveBeenLastCalledWith({ silent: false, landscape: false });
    await ipcMain.invoke(ShellChannel.print, fromApp(), { landscape: true });
    expect(actions.print).toHaveBeenLastCalledWith({ silent: false, landscape: true });

    await ipcMain.invoke(ShellChannel.printToPdf, fromApp(), { suggestedName: '工单.pdf' });
    expect(actions.printToPdf).toHaveBeenCalledWith({ suggestedName: '工单.pdf', landscape: false });

    await ipcMain.invoke(ShellChannel.saveFile, fromApp(), validSave);
    expect(actions.saveFile).toHaveBeenCalledWith({ ...validSave, encoding: 'utf8' });

    await expect(ipcMain.invoke(ShellChannel.settingsGet, fromApp(), 'hubToken')).resolves.toBe('secret');
    expect(actions.settingsGet).toHaveBeenCalledWith('hubToken');
    await ipcMain.invoke(ShellChannel.settingsSet, fromApp(), { key: 'hubToken', value: null });
    expect(actions.settingsSet).toHaveBeenCalledWith({ key: 'hubToken', value: null });
    await expect(ipcMain.invoke(ShellChannel.settingsProtected, fromApp())).resolves.toBe(true);
  });

  it('accepts the app page even when the main frame object is a different wrapper', async () => {
    const { ipcMain, win, actions } = setup();
    const topFrame = new FakeFrame(win.webContents.getURL(), null);
    await expect(ipcMain.invoke(ShellChannel.appInfo, win.webContents.ipcEvent(topFrame))).resolves.toBeTruthy();
    expect(actions.appInfo).toHaveBeenCalledTimes(1);
  });

  it('passes an action failure back to the renderer', async () => {
    const { ipcMain, fromApp, actions } = setup();
    actions.settingsGet.mockRejectedValueOnce(new Error('keychain locked'));
    await expect(ipcMain.invoke(ShellChannel.settingsGet, fromApp(), 'hubToken')).rejects.toThrow('keychain locked');
  });
});
