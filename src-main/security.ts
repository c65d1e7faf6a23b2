/**
 * Hardening of every web page the app shows:
 * - the Content-Security-Policy header on the app's own responses (the meta tag in
 *   index.html covers file:// pages, which get no headers);
 * - no navigation away from the loaded page, no new windows, no <webview>;
 * - every permission denied except notifications, and only for the app's own page.
 */
import type { App, Event, Session, WebContents } from 'electron';
import type { AppOrigin } from './app-origin';
import { headerPolicy } from './csp';

export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

export type SecurityLog = (message: string) => void;

const noLog: SecurityLog = () => {};

function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i === -1 ? url : url.slice(0, i);
}

/** A navigation is allowed only when it stays on the page already loaded. */
export function isAllowedNavigation(currentUrl: string, targetUrl: string): boolean {
  return currentUrl !== '' && withoutHash(currentUrl) === withoutHash(targetUrl);
}

export function installSessionSecurity(session: Session, origin: AppOrigin, log: SecurityLog = noLog): void {
  const policy = headerPolicy(origin.dev);

  session.webRequest.onHeadersReceived((details, callback) => {
    if (!origin.isAppUrl(details.url)) {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [policy];
    headers['X-Content-Type-Options'] = ['nosniff'];
    callback({ responseHeaders: headers });
  });

  session.setPermissionRequestHandler((webContents, permission, callback) => {
    const granted = ALLOWED_PERMISSIONS.has(permission) && origin.isAppUrl(webContents.getURL());
    if (!granted) log(`permission request denied: ${permission} from ${webContents.getURL()}`);
    callback(granted);
  });

  session.setPermissionCheckHandler((webContents, permission) => {
    if (!ALLOWED_PERMISSIONS.has(permission) || webContents === null) return false;
    return origin.isAppUrl(webContents.getURL());
  });
}

/** Applied to every WebContents the app creates (see `installAppGuards`). */
export function hardenWebContents(contents: WebContents, log: SecurityLog = noLog): void {
  contents.on('will-navigate', (event) => {
    const target = event.url;
    if (!isAllowedNavigation(contents.getURL(), target)) {
      event.preventDefault();
      log(`navigation blocked: ${target}`);
    }
  });
  contents.on('will-attach-webview', (event: Event) => {
    event.preventDefault();
    log('<webview> blocked');
  });
  contents.setWindowOpenHandler((details) => {
    log(`window.open blocked: ${details.url}`);
    return { action: 'deny' };
  });
}

export function installAppGuards(app: App, log: SecurityLog = noLog): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));
}
