/**
 * Checks the BUILT preload (out/preload/index.cjs, from `npm run build`) the way a sandboxed
 * renderer runs it: CommonJS, and `require` limited to 'electron'. Skipped when out/ has not
 * been built.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { SHELL_GLOBAL, ShellChannel, type ShellApi } from '../../src-common/contract/shell';

const bundle = path.resolve(import.meta.dirname, '../../out/preload/index.cjs');

describe.skipIf(!existsSync(bundle))('built preload bundle (out/preload/index.cjs)', () => {
  function load() {
    const required: string[] = [];
    const exposed = new Map<string, unknown>();
    const invoke = vi.fn(async () => ({ shown: true }));
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
    };
    const sandboxRequire = (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id} (a sandboxed preload can only require 'electron')`);
    };
    const module = { exports: {} as Record<string, unknown> };
    const wrapper = vm.runInNewContext(`(function (require, module, exports) {${readFileSync(bundle, 'utf8')}\n})`, {
      console,
      Promise,
      process: { env: {} },
    }) as (r: typeof sandboxRequire, m: typeof module, e: typeof module.exports) => void;
    wrapper(sandboxRequire, module, module.exports);
    return { required, exposed, invoke };
  }

  it("requires nothing but 'electron' and exposes relayShell", () => {
    const { required, exposed } = load();
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(Object.keys(exposed.get(SHELL_GLOBAL) as object).sort()).toEqual(
      ['appInfo', 'notify', 'onNotificationClick', 'print', 'printToPdf', 'saveFile', 'secureSettings'].sort(),
    );
  });

  it('validates with the bundled zod and invokes over IPC', async () => {
    const { exposed, invoke } = load();
    const shell = exposed.get(SHELL_GLOBAL) as ShellApi;
    await expect(shell.notify({ id: 'n', title: '', body: '', urgent: false })).rejects.toThrow(/relayShell\.notify: invalid request: title/);
    expect(invoke).not.toHaveBeenCalled();
    await shell.notify({ id: 'n', title: 't', body: '', urgent: false });
    expect(invoke).toHaveBeenCalledWith(ShellChannel.notify, { id: 'n', title: 't', body: '', urgent: false });
  });
});
