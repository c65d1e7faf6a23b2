import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAppOrigin } from '../../src-main/app-origin';

const rendererFile = path.resolve('/opt/relay-desk/out/renderer/index.html');
const fileUrl = (p: string) => pathToFileURL(p).href;

describe('app origin (production: built files)', () => {
  const origin = createAppOrigin({ rendererFile, isPackaged: true, devServerUrl: 'http://localhost:5173' });

  it('ignores the dev server URL in a packaged app and loads the file', () => {
    expect(origin.dev).toBe(false);
    expect(origin.rendererFile).toBe(rendererFile);
    expect(origin.entryUrl).toBe(fileUrl(rendererFile));
    expect(origin.isAppUrl('http://localhost:5173/')).toBe(false);
  });

  it('accepts the renderer page and files beside it, with hash or query', () => {
    expect(origin.isAppUrl(fileUrl(rendererFile))).toBe(true);
    expect(origin.isAppUrl(`${fileUrl(rendererFile)}#/cases/42`)).toBe(true);
    expect(origin.isAppUrl(fileUrl('/opt/relay-desk/out/renderer/assets/index-abc.js'))).toBe(true);
  });

  it('rejects other files, other schemes and junk', () => {
    expect(origin.isAppUrl(fileUrl('/opt/relay-desk/out/main/index.js'))).toBe(false);
    expect(origin.isAppUrl('file:///opt/relay-desk/out/renderer/../preload/index.cjs')).toBe(false);
    expect(origin.isAppUrl(fileUrl('/opt/relay-desk/out/renderer-evil/index.html'))).toBe(false);
    expect(origin.isAppUrl(fileUrl('/etc/passwd'))).toBe(false);
    expect(origin.isAppUrl('https://example.com/index.html')).toBe(false);
    expect(origin.isAppUrl('file://evil-host/opt/relay-desk/out/renderer/index.html')).toBe(false);
    expect(origin.isAppUrl('about:blank')).toBe(false);
    expect(origin.isAppUrl('')).toBe(false);
    expect(origin.isAppUrl('not a url')).toBe(false);
  });
});

describe('app origin (development: dev server)', () => {
  const origin = createAppOrigin({ rendererFile, isPackaged: false, devServerUrl: 'http://localhost:5173' });

  it('loads the dev server and accepts only its origin', () => {
    expect(origin.dev).toBe(true);
    expect(origin.rendererFile).toBeNull();
    expect(origin.entryUrl).toBe('http://localhost:5173/');
    expect(origin.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(origin.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(origin.isAppUrl('http://127.0.0.1:5173/')).toBe(false);
    expect(origin.isAppUrl(fileUrl(rendererFile))).toBe(false);
  });

  it('falls back to the file when the dev URL is not http(s)', () => {
    const o = createAppOrigin({ rendererFile, isPackaged: false, devServerUrl: 'javascript:alert(1)' });
    expect(o.dev).toBe(false);
    expect(o.entryUrl).toBe(fileUrl(rendererFile));
  });
});
