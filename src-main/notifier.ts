/**
 * Native notifications for new / urgent cases.
 *
 * - always with sound (`silent: false`); urgent ones are `critical` on Linux and stay until
 *   dismissed (`timeoutType: 'never'`);
 * - a repeated alert with the same id replaces the previous one;
 * - clicking brings the window back (restore, show, focus) and tells the renderer which
 *   case to open (ShellChannel.notificationClicked with the caseId or null);
 * - live notifications are kept in a map: a Notification that is garbage collected loses its
 *   click handler.
 */
import type { BrowserWindow, Notification } from 'electron';
import { ShellChannel, type NotifyRequest, type NotifyResult } from '../src-common/contract/shell';
import type { ElectronApi } from './electron-api';

export const MAX_LIVE_NOTIFICATIONS = 50;

export interface NotifierOptions {
  Notification: ElectronApi['Notification'];
  getWindow: () => BrowserWindow | null;
  platform?: NodeJS.Platform;
  log?: (message: string) => void;
}

export interface Notifier {
  notify(request: NotifyRequest): NotifyResult;
  /** number of notifications still referenced (shown and not yet closed or clicked) */
  liveCount(): number;
}

export function bringToFront(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

export function createNotifier(options: NotifierOptions): Notifier {
  const platform = options.platform ?? process.platform;
  const live = new Map<string, Notification>();

  const forget = (id: string, n: Notification) => {
    if (live.get(id) === n) live.delete(id);
  };

  return {
    liveCount: () => live.size,
    notify(request) {
      if (!options.Notification.isSupported()) {
        return { shown: false, reason: 'Native notifications are not supported on this system' };
      }
      const previous = live.get(request.id);
      if (previous) {
        live.delete(request.id);
        previous.close();
      }
      const n = new options.Notification({
        id: request.id,
        title: request.title,
        body: request.body,
        silent: false,
        ...(platform === 'linux' ? { urgency: request.urgent ? 'critical' : 'normal' } : {}),
        ...(request.urgent ? { timeoutType: 'never' } : {}),
      });
      n.on('click', () => {
        forget(request.id, n);
        const win = options.getWindow();
        bringToFront(win);
        if (win && !win.isDestroyed()) {
          win.webContents.send(ShellChannel.notificationClicked, request.caseId ?? null);
        }
      });
      n.on('close', () => forget(request.id, n));
      n.on('failed', (_event, error) => {
        forget(request.id, n);
        options.log?.(`notification failed: ${error}`);
      });
      live.set(request.id, n);
      // Bound the map: the oldest entries are dropped (Linux may never report a close).
      while (live.size > MAX_LIVE_NOTIFICATIONS) {
        const oldest = live.keys().next().value;
        if (oldest === undefined) break;
        live.delete(oldest);
      }
      n.show();
      return { shown: true };
    },
  };
}
