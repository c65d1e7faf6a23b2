/**
 * Build-time only (used by electron.vite.config.ts; vite.web.config.ts may use it too):
 * keeps the renderer's CSP meta tag in step with csp.ts.
 * - build: injects the production policy right after <meta charset> if index.html has no
 *   CSP meta tag (an existing one is left as written);
 * - dev server: replaces (or adds) the tag with the dev policy.
 */
import type { Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from './csp';

const CSP_META = /<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>/i;
const CHARSET_META = /<meta\s+charset=[^>]*>/i;

export function cspMetaTag(policy: string): string {
  return `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
}

/** Pure transform, exported for tests. */
export function applyCspMeta(html: string, serving: boolean): string {
  const tag = cspMetaTag(serving ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
  if (CSP_META.test(html)) return serving ? html.replace(CSP_META, tag) : html;
  if (CHARSET_META.test(html)) return html.replace(CHARSET_META, (m) => `${m}\n    ${tag}`);
  return html.replace(/<head([^>]*)>/i, `<head$1>\n    ${tag}`);
}

/** Reads the policy of index.html's CSP meta tag (null when there is none). */
export function readCspMeta(html: string): string | null {
  const tag = CSP_META.exec(html)?.[0];
  if (!tag) return null;
  const content = /\scontent=(["'])([\s\S]*?)\1/i.exec(tag);
  return content?.[2] ?? null;
}

export function cspMetaPlugin(): Plugin {
  let serving = false;
  return {
    name: 'relay-desk:csp-meta',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => applyCspMeta(html, serving),
    },
  };
}
