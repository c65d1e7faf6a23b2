/**
 * Where the renderer comes from, and the one test for "is this URL our own page?".
 *
 * Packaged / preview: the built renderer file (file://.../out/renderer/index.html); any file
 * inside that folder counts as ours. Development: the electron-vite dev server URL; the same
 * origin counts as ours. The dev URL is honoured only when the app is not packaged, so an
 * environment variable cannot point a shipped app at a foreign page.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface AppOrigin {
  /** true when pages come from a dev server (http) rather than files */
  readonly dev: boolean;
  /** the URL the window loads */
  readonly entryUrl: string;
  /** the built renderer file, when not in dev */
  readonly rendererFile: string | null;
  isAppUrl(url: string): boolean;
}

export interface AppOriginOptions {
  rendererFile: string;
  devServerUrl?: string | undefined;
  isPackaged: boolean;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function createAppOrigin(options: AppOriginOptions): AppOrigin {
  const devUrl = !options.isPackaged && options.devServerUrl ? parse(options.devServerUrl) : null;
  if (devUrl && (devUrl.protocol === 'http:' || devUrl.protocol === 'https:')) {
    const origin = devUrl.origin;
    return {
      dev: true,
      entryUrl: devUrl.href,
      rendererFile: null,
      isAppUrl(url) {
        const u = parse(url);
        return u !== null && u.origin === origin;
      },
    };
  }
  const rendererFile = path.resolve(options.rendererFile);
  const rendererDir = path.dirname(rendererFile);
  return {
    dev: false,
    entryUrl: pathToFileURL(rendererFile).href,
    rendererFile,
    isAppUrl(url) {
      const u = parse(url);
      if (!u || u.protocol !== 'file:' || (u.host !== '' && u.host !== 'localhost')) return false;
      let file: string;
      try {
        file = fileURLToPath(u);
      } catch {
        return false;
      }
      return isInside(rendererDir, path.resolve(file));
    },
  };
}
