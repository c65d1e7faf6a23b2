// Finds the Electron executable WITHOUT loading the `electron` package: its index.js tries
// to download the binary when it is missing, which is impossible on an offline machine.
// Same rules as node_modules/electron/index.js: node_modules/electron/path.txt names the
// executable inside node_modules/electron/dist/, and ELECTRON_OVERRIDE_DIST_PATH replaces
// that dist folder.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const ELECTRON_MISSING_REASON =
  'Electron binary not installed: node_modules/electron/dist is missing (its download is impossible on this build machine); ' +
  'run npm install where the binary can be downloaded';

export const ELECTRON_OVERRIDE_HINT =
  'Alternatively set ELECTRON_OVERRIDE_DIST_PATH to a folder that holds an unpacked Electron build.';

const DEFAULT_EXECUTABLE = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

/**
 * @param {{ root?: string, env?: Record<string, string | undefined>, platform?: string }} [options]
 * @returns {string | null} absolute path of the Electron executable, or null when absent
 */
export function electronBinaryPath(options = {}) {
  const root = options.root ?? projectRoot;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const packageDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  const named = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';

  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, named || DEFAULT_EXECUTABLE[platform] || 'electron');
    return existsSync(candidate) ? candidate : null;
  }
  if (!named) return null;
  const candidate = path.join(packageDir, 'dist', named);
  return existsSync(candidate) ? candidate : null;
}

export function hasElectronBinary(options) {
  return electronBinaryPath(options) !== null;
}
