import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinaryPath, hasElectronBinary } from '../../scripts/electron-binary.mjs';
import { tempDir } from './fake-electron';

function project(files: Record<string, string>) {
  const root = tempDir('relay-desk-electron-');
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

describe('electron binary detection (without loading the electron package)', () => {
  it('is null when path.txt is missing (the binary was never downloaded)', () => {
    const root = project({ 'node_modules/electron/index.js': 'throw new Error("must not load")' });
    expect(electronBinaryPath({ root, env: {} })).toBeNull();
    expect(hasElectronBinary({ root, env: {} })).toBe(false);
  });

  it('is null when path.txt exists but dist/ does not', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron' });
    expect(electronBinaryPath({ root, env: {} })).toBeNull();
  });

  it('finds dist/<path.txt>', () => {
    const root = project({ 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron': '' });
    expect(electronBinaryPath({ root, env: {} })).toBe(path.join(root, 'node_modules/electron/dist/electron'));
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH, with or without path.txt', () => {
    const dist = project({ 'electron.exe': '', electron: '' });
    const bare = project({});
    expect(electronBinaryPath({ root: bare, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'win32' })).toBe(path.join(dist, 'electron.exe'));
    expect(electronBinaryPath({ root: bare, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'linux' })).toBe(path.join(dist, 'electron'));
    const withTxt = project({ 'node_modules/electron/path.txt': 'electron' });
    expect(electronBinaryPath({ root: withTxt, env: { ELECTRON_OVERRIDE_DIST_PATH: dist } })).toBe(path.join(dist, 'electron'));
    expect(electronBinaryPath({ root: bare, env: { ELECTRON_OVERRIDE_DIST_PATH: bare }, platform: 'linux' })).toBeNull();
  });
});
