import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SHELL_GLOBAL, ShellChannel, type ShellApi } from '../../src-common/contract/shell';

// The real `electron` package must not load here (it would try to download the binary).
const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    listeners,
    exposed: new Map<string, unknown>(),
    contextBridge: {
      exposeInMainWorld: vi.fn(),
    },
    ipcRenderer: {
      invoke: vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
      }),
      removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        listeners.get(channel)?.delete(listener);
      }),
    },
  };
});
electron.contextBridge.exposeInMainWorld.mockImplementation((key: string, api: unknown) => {
  electron.exposed.set(key, api);
});
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }));

await import('../../src-main/preload/index');
const shell = electron.exposed.get(SHELL_GLOBAL) as ShellApi;
const { invoke } = electron.ipcRenderer;

function emitFromMain(channel: string, ...args: unknown[]) {
  for (const listener of electron.listeners.get(channel) ?? []) listener({ sender: 'ipc' }, ...args);
}

beforeEach(() => {
  invoke.mockClear();
  invoke.mockImplementation(async () => undefined);
});

describe('preload', () => {
  it(`exposes the ShellApi once, as window.${SHELL_GLOBAL}`, () => {
    expect(SHELL_GLOBAL).toBe('relayShell');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledWith('relayShell', expect.any(Object));
    expect(Object.keys(shell).sort()).toEqual(
      ['appInfo', 'notify', 'onNotificationClick', 'print', 'printToPdf', 'saveFile', 'secureSettings'].sort(),
    );
    expect(Object.keys(shell.secureSettings).sort()).toEqual(['get', 'isProtected', 'set']);
  });

  it('calls ipcRenderer.invoke with the right channel and payload', async () => {
    invoke.mockResolvedValueOnce({ name: 'Relay Desk', version: '1', edition: 'electron', platform: 'linux' });
    await expect(shell.appInfo()).resolves.toMatchObject({ edition: 'electron' });
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.appInfo);

    const notify = { id: 'n', title: 't', body: 'b', caseId: 'C-1', urgent: true };
    invoke.mockResolvedValueOnce({ shown: true });
    await expect(shell.notify(notify)).resolves.toEqual({ shown: true });
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.notify, notify);

    await shell.print();
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.print, { silent: false, landscape: false });
    await shell.print({ landscape: true });
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.print, { silent: false, landscape: true });

    await shell.printToPdf({ suggestedName: 'case.pdf' });
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.printToPdf, { suggestedName: 'case.pdf', landscape: false });

    await shell.saveFile({ suggestedName: 'a.csv', content: 'x', mime: 'text/csv' });
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.saveFile, { suggestedName: 'a.csv', content: 'x', mime: 'text/csv', encoding: 'utf8' });

    invoke.mockResolvedValueOnce(true);
    await expect(shell.secureSettings.isProtected()).resolves.toBe(true);
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.settingsProtected);

    invoke.mockResolvedValueOnce('tok');
    await expect(shell.secureSettings.get('hubToken')).resolves.toBe('tok');
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.settingsGet, 'hubToken');

    await shell.secureSettings.set('hubToken', null);
    expect(invoke).toHaveBeenLastCalledWith(ShellChannel.settingsSet, { key: 'hubToken', value: null });
  });

  it('rejects bad payloads in the renderer, with a clear message, without IPC', async () => {
    await expect(shell.notify({ id: '', title: 't', body: 'b', urgent: false })).rejects.toThrow(
      /^relayShell\.notify: invalid request: id: /,
    );
    await expect(shell.saveFile({ suggestedName: 'a/b.csv', content: '', mime: 'x' })).rejects.toThrow(
      'relayShell.saveFile: invalid request: suggestedName: file name must not contain a path',
    );
    await expect(shell.secureSettings.get('BAD KEY')).rejects.toThrow('relayShell.secureSettings.get: invalid request: request: bad setting key');
    await expect(shell.secureSettings.set('hubToken', 5 as unknown as string)).rejects.toThrow(/secureSettings\.set: invalid request: value: /);
    await expect(shell.printToPdf({ suggestedName: '' })).rejects.toThrow(/relayShell\.printToPdf: invalid request/);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('delivers notification clicks until unsubscribed', () => {
    const seen: Array<string | null> = [];
    const unsubscribe = shell.onNotificationClick((caseId) => seen.push(caseId));
    expect(electron.ipcRenderer.on).toHaveBeenCalledWith(ShellChannel.notificationClicked, expect.any(Function));
    emitFromMain(ShellChannel.notificationClicked, 'C-42');
    emitFromMain(ShellChannel.notificationClicked, null);
    emitFromMain(ShellChannel.notificationClicked, { not: 'a string' });
    unsubscribe();
    emitFromMain(ShellChannel.notificationClicked, 'C-43');
    expect(seen).toEqual(['C-42', null, null]);
    expect(electron.listeners.get(ShellChannel.notificationClicked)?.size).toBe(0);
  });

  it('refuses a listener that is not a function', () => {
    expect(() => shell.onNotificationClick('x' as unknown as () => void)).toThrow(/listener must be a function/);
  });
});
