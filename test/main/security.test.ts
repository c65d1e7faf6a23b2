import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App, Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createAppOrigin } from '../../src-main/app-origin';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from '../../src-main/csp';
import { hardenWebContents, installAppGuards, installSessionSecurity, isAllowedNavigation } from '../../src-main/security';
import { FakeApp, FakeSession, FakeWebContents, tempDir } from './fake-electron';

const rendererFile = path.resolve('/opt/relay-desk/out/renderer/index.html');
const appUrl = pathToFileURL(rendererFile).href;
const origin = createAppOrigin({ rendererFile, isPackaged: true });

function hardened(url = appUrl) {
  const contents = new FakeWebContents();
  contents.showUrl(url);
  const log = vi.fn();
  hardenWebContents(contents as unknown as WebContents, log);
  return { contents, log };
}

describe('navigation and new windows', () => {
  it('blocks navigation to another site or another file', () => {
    const { contents, log } = hardened();
    expect(contents.tryNavigate('https://evil.example/').defaultPrevented).toBe(true);
    expect(contents.tryNavigate(pathToFileURL('/etc/passwd').href).defaultPrevented).toBe(true);
    expect(contents.tryNavigate(pathToFileURL('/opt/relay-desk/out/renderer/other.html').href).defaultPrevented).toBe(true);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('navigation blocked: https://evil.example/'));
  });

  it('lets the page stay on itself (same URL, other hash)', () => {
    const { contents } = hardened();
    expect(contents.tryNavigate(appUrl).defaultPrevented).toBe(false);
    expect(contents.tryNavigate(`${appUrl}#/cases`).defaultPrevented).toBe(false);
  });

  it('blocks everything while nothing is loaded', () => {
    expect(isAllowedNavigation('', 'https://evil.example/')).toBe(false);
    expect(isAllowedNavigation('', '')).toBe(false);
  });

  it('denies window.open and <webview>', () => {
    const { contents } = hardened();
    expect(contents.setWindowOpenHandler).toHaveBeenCalledTimes(1);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: appUrl })).toEqual({ action: 'deny' });
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('hardens every WebContents the app creates', () => {
    const app = new FakeApp(tempDir());
    installAppGuards(app as unknown as App);
    const contents = new FakeWebContents();
    contents.showUrl(appUrl);
    app.emit('web-contents-created', {}, contents);
    expect(contents.tryNavigate('https://evil.example/').defaultPrevented).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('permissions', () => {
  function install() {
    const session = new FakeSession();
    installSessionSecurity(session as unknown as Session, origin);
    const page = new FakeWebContents(session);
    page.showUrl(appUrl);
    return { session, page };
  }

  it('grants notifications to the app page', () => {
    const { session, page } = install();
    expect(session.requestPermission(page, 'notifications')).toBe(true);
    expect(session.permissionCheckHandler?.(page, 'notifications', 'file:///')).toBe(true);
  });

  it.each(['media', 'geolocation', 'clipboard-read', 'display-capture', 'openExternal', 'midiSysex', 'hid', 'serial', 'usb', 'unknown'])(
    'denies %s',
    (permission) => {
      const { session, page } = install();
      expect(session.requestPermission(page, permission)).toBe(false);
      expect(session.permissionCheckHandler?.(page, permission, 'file:///')).toBe(false);
    },
  );

  it('denies notifications to a foreign page and to checks without a WebContents', () => {
    const { session } = install();
    const foreign = new FakeWebContents(session);
    foreign.showUrl('https://evil.example/');
    expect(session.requestPermission(foreign, 'notifications')).toBe(false);
    expect(session.permissionCheckHandler?.(foreign, 'notifications', 'https://evil.example')).toBe(false);
    expect(session.permissionCheckHandler?.(null, 'notifications', 'https://evil.example')).toBe(false);
  });
});

describe('Content-Security-Policy header', () => {
  it('sets the policy on the app page, replacing any other policy header', () => {
    const session = new FakeSession();
    installSessionSecurity(session as unknown as Session, origin);
    const response = session.headersFor(appUrl, { 'content-security-policy': ["default-src *"], 'x-other': ['1'] });
    const headers = response?.responseHeaders ?? {};
    expect(headers['Content-Security-Policy']).toEqual([`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['x-other']).toEqual(['1']);
    expect(headers['X-Content-Type-Options']).toEqual(['nosniff']);
  });

  it('leaves responses from elsewhere (the hub API) untouched', () => {
    const session = new FakeSession();
    installSessionSecurity(session as unknown as Session, origin);
    expect(session.headersFor('http://hub.local:8080/api/cases', { 'x-a': ['1'] })).toEqual({});
  });

  it('uses the dev policy for the dev server', () => {
    const session = new FakeSession();
    const dev = createAppOrigin({ rendererFile, isPackaged: false, devServerUrl: 'http://localhost:5173' });
    installSessionSecurity(session as unknown as Session, dev);
    const headers = session.headersFor('http://localhost:5173/')?.responseHeaders ?? {};
    expect(headers['Content-Security-Policy']?.[0]).toContain(DEV_CONTENT_SECURITY_POLICY);
  });

  it('production policy forbids inline and eval script, plugins, form posts and foreign bases', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d] as const));
    expect(directives.get('script-src')).toBe("script-src 'self'");
    expect(directives.get('object-src')).toBe("object-src 'none'");
    expect(directives.get('form-action')).toBe("form-action 'none'");
    expect(directives.get('base-uri')).toBe("base-uri 'none'");
    expect(directives.get('default-src')).toBe("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });
});
