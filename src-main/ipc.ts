/**
 * The IPC surface of the main process: one `ipcMain.handle` per ShellChannel, nothing else.
 *
 * Every call is checked before anything runs:
 * 1. the sender must be the application window's own top frame (not a subframe, not another
 *    WebContents), showing the app's own page (file inside out/renderer, or the dev server);
 * 2. the payload must match the contract's zod schema.
 * On failure the handler throws an Error with a clear message and the action never runs.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import {
  NotifyRequestSchema,
  PrintRequestSchema,
  PrintToPdfRequestSchema,
  SaveFileRequestSchema,
  SecureSettingKeySchema,
  SecureSettingSetSchema,
  ShellChannel,
  type AppInfo,
  type NotifyResult,
  type PrintResult,
  type SaveFileResult,
  type ShellChannelName,
} from '../src-common/contract/shell';
import type { AppOrigin } from './app-origin';
import { parsePayload } from './validation';

type MaybePromise<T> = T | Promise<T>;

/** What the shell can do; ipc.ts only routes validated requests to these. */
export interface ShellActions {
  appInfo(): MaybePromise<AppInfo>;
  notify(request: z.output<typeof NotifyRequestSchema>): MaybePromise<NotifyResult>;
  print(request: z.output<typeof PrintRequestSchema>): Promise<PrintResult>;
  printToPdf(request: z.output<typeof PrintToPdfRequestSchema>): Promise<SaveFileResult>;
  saveFile(request: z.output<typeof SaveFileRequestSchema>): Promise<SaveFileResult>;
  settingsGet(key: string): Promise<string | null>;
  settingsSet(request: z.output<typeof SecureSettingSetSchema>): Promise<void>;
  settingsProtected(): MaybePromise<boolean>;
}

/** The invoke-able channels (notificationClicked goes the other way). */
export type InvokeChannel = Exclude<ShellChannelName, typeof ShellChannel.notificationClicked>;

interface Route {
  schema: z.ZodType;
  run(payload: unknown): unknown;
}

const NoPayload = z.undefined({ error: 'this call takes no arguments' });

function route<S extends z.ZodType>(schema: S, run: (payload: z.output<S>) => unknown): Route {
  return { schema, run: (payload) => run(payload as z.output<S>) };
}

export function buildRoutes(actions: ShellActions): Record<InvokeChannel, Route> {
  return {
    [ShellChannel.appInfo]: route(NoPayload, () => actions.appInfo()),
    [ShellChannel.notify]: route(NotifyRequestSchema, (r) => actions.notify(r)),
    [ShellChannel.print]: route(PrintRequestSchema.prefault({}), (r) => actions.print(r)),
    [ShellChannel.printToPdf]: route(PrintToPdfRequestSchema, (r) => actions.printToPdf(r)),
    [ShellChannel.saveFile]: route(SaveFileRequestSchema, (r) => actions.saveFile(r)),
    [ShellChannel.settingsGet]: route(SecureSettingKeySchema, (key) => actions.settingsGet(key)),
    [ShellChannel.settingsSet]: route(SecureSettingSetSchema, (r) => actions.settingsSet(r)),
    [ShellChannel.settingsProtected]: route(NoPayload, () => actions.settingsProtected()),
  };
}

/** Throws unless the IPC event comes from the app window's top frame showing the app page. */
export function assertTrustedSender(
  event: IpcMainInvokeEvent,
  win: BrowserWindow | null,
  origin: AppOrigin,
  channel: string,
): void {
  const reject = (why: string): never => {
    throw new Error(`${channel}: rejected: ${why}`);
  };
  if (!win || win.isDestroyed()) return reject('the application window is not open');
  if (event.sender !== win.webContents) return reject('the sender is not the application window');
  const frame = event.senderFrame;
  if (!frame) return reject('the sending frame is gone');
  if (frame !== win.webContents.mainFrame && frame.parent !== null) {
    return reject('the sender is a subframe, not the main frame');
  }
  if (!origin.isAppUrl(frame.url)) return reject(`the sender page (${frame.url || 'unknown'}) is not the app's own page`);
}

export interface IpcOptions {
  ipcMain: IpcMain;
  getWindow: () => BrowserWindow | null;
  origin: AppOrigin;
  actions: ShellActions;
  log?: (message: string) => void;
}

/** Registers every handler; returns a function that removes them again. */
export function registerIpc(options: IpcOptions): () => void {
  const routes = buildRoutes(options.actions);
  const channels = Object.keys(routes) as InvokeChannel[];
  for (const channel of channels) {
    const { schema, run } = routes[channel];
    options.ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      try {
        assertTrustedSender(event, options.getWindow(), options.origin, channel);
        if (args.length > 1) throw new Error(`${channel}: invalid request: expected at most one argument, got ${args.length}`);
        const payload = parsePayload(schema, args[0], channel);
        return await run(payload);
      } catch (error) {
        options.log?.(error instanceof Error ? error.message : `${channel}: ${String(error)}`);
        throw error;
      }
    });
  }
  return () => {
    for (const channel of channels) options.ipcMain.removeHandler(channel);
  };
}
