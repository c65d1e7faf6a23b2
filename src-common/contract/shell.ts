/**
 * The one contract between the renderer and the desktop shell.
 *
 * Everything the renderer asks of the shell goes through `ShellApi`. It is implemented
 * twice: by the preload (src-main/preload) over validated IPC, and by the browser edition
 * (src-renderer/src/shell/shell.web.ts). Both end in `satisfies ShellApi`, so the compiler
 * checks both sides against this file. Payload schemas live here too, so the main process
 * validates exactly what the type promises.
 */
import { z } from 'zod';

export const SHELL_GLOBAL = 'relayShell' as const;

/** IPC channel names; main accepts nothing outside this list. */
export const ShellChannel = {
  appInfo: 'relay:app-info',
  notify: 'relay:notify',
  print: 'relay:print',
  printToPdf: 'relay:print-to-pdf',
  saveFile: 'relay:save-file',
  settingsGet: 'relay:secure-settings-get',
  settingsSet: 'relay:secure-settings-set',
  settingsProtected: 'relay:secure-settings-protected',
  /** main -> renderer: a notification was clicked */
  notificationClicked: 'relay:notification-clicked',
} as const;
export type ShellChannelName = (typeof ShellChannel)[keyof typeof ShellChannel];

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  edition: z.enum(['electron', 'web']),
  platform: z.string(),
  electronVersion: z.string().optional(),
  chromeVersion: z.string().optional(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const NotifyRequestSchema = z.object({
  /** a stable id so a repeated alert replaces the previous one */
  id: z.string().min(1).max(200),
  title: z.string().min(1).max(200),
  body: z.string().max(2000),
  caseId: z.string().max(100).optional(),
  urgent: z.boolean(),
});
export type NotifyRequest = z.infer<typeof NotifyRequestSchema>;
export interface NotifyResult {
  shown: boolean;
  reason?: string;
}

export const PrintRequestSchema = z.object({
  /** show the system print dialog (true) or print silently to the default printer */
  silent: z.boolean().default(false),
  landscape: z.boolean().default(false),
});
export type PrintRequest = z.input<typeof PrintRequestSchema>;
export interface PrintResult {
  ok: boolean;
  reason?: string;
}

export const PrintToPdfRequestSchema = z.object({
  suggestedName: z.string().min(1).max(200),
  landscape: z.boolean().default(false),
});
export type PrintToPdfRequest = z.input<typeof PrintToPdfRequestSchema>;

const MAX_SAVE_BYTES = 200 * 1024 * 1024;
export const SaveFileRequestSchema = z.object({
  suggestedName: z
    .string()
    .min(1)
    .max(200)
    .refine((n) => !/[\\/]/.test(n), 'file name must not contain a path'),
  /** text content (JSON, CSV) or base64 for binary content */
  content: z.string().max(MAX_SAVE_BYTES),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  mime: z.string().max(200),
});
export type SaveFileRequest = z.input<typeof SaveFileRequestSchema>;
export interface SaveFileResult {
  saved: boolean;
  path?: string;
  reason?: string;
}

export const SecureSettingKeySchema = z.string().regex(/^[a-z][a-zA-Z0-9._-]{0,63}$/, 'bad setting key');
export const SecureSettingSetSchema = z.object({
  key: SecureSettingKeySchema,
  value: z.string().max(64 * 1024).nullable(),
});

export interface ShellApi {
  appInfo(): Promise<AppInfo>;
  /** Show a native notification (with sound when urgent). */
  notify(request: NotifyRequest): Promise<NotifyResult>;
  /** Subscribe to notification clicks; returns an unsubscribe function. */
  onNotificationClick(listener: (caseId: string | null) => void): () => void;
  /** Print the current page (system dialog in Electron, window.print in the browser). */
  print(request?: PrintRequest): Promise<PrintResult>;
  /** Render the current page to PDF and save it where the operator chooses. */
  printToPdf(request: PrintToPdfRequest): Promise<SaveFileResult>;
  /** Save a file where the operator chooses. */
  saveFile(request: SaveFileRequest): Promise<SaveFileResult>;
  /**
   * Settings that must not sit in plain text (the hub token): encrypted by the OS
   * keychain in Electron (safeStorage); the browser edition keeps them in localStorage
   * and says so through `isProtected`.
   */
  secureSettings: {
    readonly isProtected: () => Promise<boolean>;
    get(key: string): Promise<string | null>;
    set(key: string, value: string | null): Promise<void>;
  };
}

declare global {
  interface Window {
    relayShell?: ShellApi;
  }
}
