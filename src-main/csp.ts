/**
 * The Content-Security-Policy of the renderer, in one place.
 *
 * The same production policy sits in the `<meta http-equiv="Content-Security-Policy">` of
 * src-renderer/index.html (test/main/build-config.test.ts keeps the two in step): a page
 * loaded from file:// gets no HTTP headers, so the meta tag is what protects the packaged
 * app; the header set in security.ts protects pages served over http (the dev server).
 * electron.vite.config.ts injects the meta tag when index.html lacks one and swaps in the dev
 * policy while `electron-vite dev` serves the page.
 *
 * `connect-src` allows http(s) because the operator configures the hub address at run time;
 * everything else is limited to the app's own files.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' http://127.0.0.1:* http://localhost:* https: http:",
  "media-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Development only: React Fast Refresh's preamble is an inline script and Vite's HMR uses a
 * websocket.
 */
export const DEV_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self'",
  "script-src 'self' 'unsafe-inline'",
).replace("connect-src 'self'", "connect-src 'self' ws: wss:");

/**
 * Directives a <meta> policy cannot carry (browsers ignore them there and log an error);
 * they are only sent in the header.
 */
export const HEADER_ONLY_DIRECTIVES = ['frame-ancestors', 'report-uri', 'sandbox'] as const;

export function headerPolicy(dev: boolean): string {
  return `${dev ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;
}

/** directive name -> its sources, for comparing policies regardless of order and spacing */
export function parseCsp(policy: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources.sort().join(' '));
  }
  return map;
}
