import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import config from '../../electron.vite.config';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY, HEADER_ONLY_DIRECTIVES, parseCsp } from '../../src-main/csp';
import { applyCspMeta, cspMetaTag, readCspMeta } from '../../src-main/csp-html-plugin';

const root = path.resolve(import.meta.dirname, '../..');
const resolved = config as Exclude<typeof config, (...args: never[]) => unknown>;

describe('electron-vite config', () => {
  it('builds main from src-main/index.ts into out/main with deps bundled', () => {
    expect(resolved.main?.build?.rolldownOptions?.input).toEqual({ index: path.join(root, 'src-main/index.ts') });
    expect(resolved.main?.build?.outDir).toBe(path.join(root, 'out/main'));
    expect(resolved.main?.build?.externalizeDeps).toBe(false);
  });

  it('builds the preload as one CommonJS file out/preload/index.cjs with zod inside', () => {
    const build = resolved.preload?.build;
    expect(build?.rolldownOptions?.input).toEqual({ index: path.join(root, 'src-main/preload/index.ts') });
    expect(build?.outDir).toBe(path.join(root, 'out/preload'));
    expect(build?.externalizeDeps).toBe(false);
    expect(build?.rolldownOptions?.output).toMatchObject({ format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false });
  });

  it('builds the renderer from src-renderer/index.html into out/renderer, with the CSP plugin and app version', () => {
    const renderer = resolved.renderer;
    expect(renderer?.root).toBe(path.join(root, 'src-renderer'));
    expect(renderer?.build?.rolldownOptions?.input).toEqual({ index: path.join(root, 'src-renderer/index.html') });
    expect(renderer?.build?.outDir).toBe(path.join(root, 'out/renderer'));
    const names = ((renderer?.plugins ?? []).flat(3) as Plugin[]).map((p) => p?.name);
    expect(names).toContain('relay-desk:csp-meta');
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(renderer?.define?.['__APP_VERSION__']).toBe(JSON.stringify(version));
  });
});

describe('CSP meta tag', () => {
  it('is injected after <meta charset> in a build when index.html has none', () => {
    const out = applyCspMeta('<html><head>\n<meta charset="UTF-8" />\n<title>x</title></head></html>', false);
    expect(out).toContain(`<meta charset="UTF-8" />\n    ${cspMetaTag(CONTENT_SECURITY_POLICY)}`);
    expect(readCspMeta(out)).toBe(CONTENT_SECURITY_POLICY);
  });

  it("keeps index.html's own tag in a build and swaps in the dev policy on the dev server", () => {
    const html = `<html><head><meta\n  http-equiv="Content-Security-Policy"\n  content="default-src 'none'"\n/></head></html>`;
    expect(applyCspMeta(html, false)).toBe(html);
    const dev = applyCspMeta(html, true);
    expect(readCspMeta(dev)).toBe(DEV_CONTENT_SECURITY_POLICY);
    expect(dev).not.toContain("default-src 'none'");
  });

  it('the dev policy only adds inline script and websockets', () => {
    const prod = parseCsp(CONTENT_SECURITY_POLICY);
    const dev = parseCsp(DEV_CONTENT_SECURITY_POLICY);
    expect(dev.get('script-src')).toBe(["'self'", "'unsafe-inline'"].sort().join(' '));
    expect(dev.get('connect-src')?.split(' ')).toEqual(expect.arrayContaining(['ws:', 'wss:']));
    for (const [name, sources] of prod) if (name !== 'script-src' && name !== 'connect-src') expect(dev.get(name)).toBe(sources);
  });

  const indexHtml = path.join(root, 'src-renderer/index.html');
  it.skipIf(!existsSync(indexHtml))('src-renderer/index.html carries the production policy of src-main/csp.ts', () => {
    const meta = readCspMeta(readFileSync(indexHtml, 'utf8'));
    expect(meta, 'index.html has no CSP meta tag').not.toBeNull();
    const parsed = parseCsp(meta ?? '');
    for (const name of HEADER_ONLY_DIRECTIVES) parsed.delete(name); // ignored in a <meta>
    expect(Object.fromEntries(parsed)).toEqual(Object.fromEntries(parseCsp(CONTENT_SECURITY_POLICY)));
  });
});

describe('electron-builder config', () => {
  it('packages the app with its fuses set: no run-as-node, NODE_OPTIONS or --inspect, the archive only and checked', async () => {
    const { createRequire } = await import('node:module');
    const builder = createRequire(import.meta.url)('../../electron-builder.cjs') as { electronFuses?: Record<string, boolean>; asar?: boolean };
    expect(builder.asar).toBe(true);
    expect(builder.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});
