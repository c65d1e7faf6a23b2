/**
 * The preload (built to out/preload/index.cjs, CommonJS, zod bundled in: sandboxed preloads
 * can only require 'electron'). It implements the ShellApi contract over IPC and exposes it
 * as `window.relayShell`. Payloads are validated here too, so a mistake in the renderer
 * fails at once with a clear message instead of a remote error from the main process.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { z } from 'zod';
import {
  NotifyRequestSchema,
  PrintRequestSchema,
  PrintToPdfRequestSchema,
  SaveFileRequestSchema,
  SecureSettingKeySchema,
  SecureSettingSetSchema,
  SHELL_GLOBAL,
  ShellChannel,
  type AppInfo,
  type NotifyResult,
  type PrintResult,
  type SaveFileResult,
  type ShellApi,
} from '../../src-common/contract/shell';
import { parsePayload } from '../validation';

// The page's CSP forbids eval; tell zod not to probe for it.
z.config({ jitless: true });

const who = (method: string) => `${SHELL_GLOBAL}.${method}`;

const shellApi = {
  async appInfo() {
    return (await ipcRenderer.invoke(ShellChannel.appInfo)) as AppInfo;
  },
  async notify(request) {
    const payload = parsePayload(NotifyRequestSchema, request, who('notify'));
    return (await ipcRenderer.invoke(ShellChannel.notify, payload)) as NotifyResult;
  },
  onNotificationClick(listener) {
    if (typeof listener !== 'function') {
      throw new TypeError(`${who('onNotificationClick')}: listener must be a function`);
    }
    const handler = (_event: IpcRendererEvent, caseId: unknown) => {
      listener(typeof caseId === 'string' ? caseId : null);
    };
    ipcRenderer.on(ShellChannel.notificationClicked, handler);
    return () => {
      ipcRenderer.removeListener(ShellChannel.notificationClicked, handler);
    };
  },
  async print(request) {
    const payload = parsePayload(PrintRequestSchema.prefault({}), request, who('print'));
    return (await ipcRenderer.invoke(ShellChannel.print, payload)) as PrintResult;
  },
  async printToPdf(request) {
    const payload = parsePayload(PrintToPdfRequestSchema, request, who('printToPdf'));
    return (await ipcRenderer.invoke(ShellChannel.printToPdf, payload)) as SaveFileResult;
  },
  async saveFile(request) {
    const payload = parsePayload(SaveFileRequestSchema, request, who('saveFile'));
    return (await ipcRenderer.invoke(ShellChannel.saveFile, payload)) as SaveFileResult;
  },
  secureSettings: {
    isProtected: async () => (await ipcRenderer.invoke(ShellChannel.settingsProtected)) as boolean,
    async get(key) {
      const payload = parsePayload(SecureSettingKeySchema, key, who('secureSettings.get'));
      return (await ipcRenderer.invoke(ShellChannel.settingsGet, payload)) as string | null;
    },
    async set(key, value) {
      const payload = parsePayload(SecureSettingSetSchema, { key, value }, who('secureSettings.set'));
      await ipcRenderer.invoke(ShellChannel.settingsSet, payload);
    },
  },
} satisfies ShellApi;

contextBridge.exposeInMainWorld(SHELL_GLOBAL, shellApi);
