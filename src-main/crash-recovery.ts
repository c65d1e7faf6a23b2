/**
 * When the renderer process dies (crash, out of memory, killed), log why and reload the
 * page so the operator is not left with a blank window. Reloads are capped (default: 3 per
 * minute); past the cap the page is left alone and `onGiveUp` runs (the app shows an error
 * box asking for a restart) instead of looping.
 */
import type { BrowserWindow, RenderProcessGoneDetails } from 'electron';

export interface CrashRecoveryOptions {
  log: (message: string) => void;
  maxReloads?: number;
  windowMs?: number;
  now?: () => number;
  onGiveUp?: (details: RenderProcessGoneDetails) => void;
}

export const DEFAULT_MAX_RELOADS = 3;
export const DEFAULT_RELOAD_WINDOW_MS = 60_000;

export function watchRendererCrashes(win: BrowserWindow, options: CrashRecoveryOptions): void {
  const maxReloads = options.maxReloads ?? DEFAULT_MAX_RELOADS;
  const windowMs = options.windowMs ?? DEFAULT_RELOAD_WINDOW_MS;
  const now = options.now ?? Date.now;
  let reloads: number[] = [];

  win.webContents.on('render-process-gone', (_event, details) => {
    options.log(`renderer process gone: reason=${details.reason} exitCode=${details.exitCode}`);
    if (win.isDestroyed() || details.reason === 'clean-exit') return;
    const t = now();
    reloads = reloads.filter((at) => t - at < windowMs);
    if (reloads.length >= maxReloads) {
      options.log(`renderer reload cap reached (${maxReloads} in ${windowMs / 1000}s); not reloading`);
      options.onGiveUp?.(details);
      return;
    }
    reloads.push(t);
    options.log(`reloading renderer (${reloads.length}/${maxReloads} in the last ${windowMs / 1000}s)`);
    win.webContents.reload();
  });

  win.webContents.on('unresponsive', () => options.log('renderer unresponsive'));
  win.webContents.on('responsive', () => options.log('renderer responsive again'));
}
