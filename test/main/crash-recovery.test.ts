import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { watchRendererCrashes } from '../../src-main/crash-recovery';
import { createFileLog } from '../../src-main/log';
import { FakeBrowserWindow, tempDir } from './fake-electron';

function setup() {
  const win = new FakeBrowserWindow({});
  let now = 1_000_000;
  const log = vi.fn();
  const onGiveUp = vi.fn();
  watchRendererCrashes(win.asReal, { log, onGiveUp, now: () => now });
  const crash = (reason = 'crashed', exitCode = 133) => win.webContents.emit('render-process-gone', {}, { reason, exitCode });
  return { win, log, onGiveUp, crash, advance: (ms: number) => (now += ms) };
}

describe('renderer crash recovery', () => {
  it('logs the reason and reloads the window', () => {
    const { win, log, crash } = setup();
    crash('oom', -1);
    expect(log).toHaveBeenCalledWith('renderer process gone: reason=oom exitCode=-1');
    expect(win.webContents.reload).toHaveBeenCalledTimes(1);
  });

  it('stops after 3 reloads within a minute and gives up once per crash', () => {
    const { win, log, onGiveUp, crash, advance } = setup();
    for (let i = 0; i < 5; i++) {
      crash();
      advance(1_000);
    }
    expect(win.webContents.reload).toHaveBeenCalledTimes(3);
    expect(onGiveUp).toHaveBeenCalledTimes(2);
    expect(onGiveUp).toHaveBeenCalledWith({ reason: 'crashed', exitCode: 133 });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('reload cap reached'));
  });

  it('reloads again once the minute has passed', () => {
    const { win, crash, advance } = setup();
    crash();
    crash();
    crash();
    crash();
    expect(win.webContents.reload).toHaveBeenCalledTimes(3);
    advance(60_001);
    crash();
    expect(win.webContents.reload).toHaveBeenCalledTimes(4);
  });

  it('does not reload a destroyed window or after a clean exit', () => {
    const { win, log, crash } = setup();
    crash('clean-exit', 0);
    expect(win.webContents.reload).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('renderer process gone: reason=clean-exit exitCode=0');
    win.destroyed = true;
    crash('crashed');
    expect(win.webContents.reload).not.toHaveBeenCalled();
  });

  it('writes the reason to the log file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'logs', 'main.log');
    const log = createFileLog(file, () => new Date('2025-01-02T03:04:05.000Z'));
    const win = new FakeBrowserWindow({});
    watchRendererCrashes(win.asReal, { log });
    win.webContents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    await log.flush();
    const text = await readFile(file, 'utf8');
    expect(text).toContain('2025-01-02T03:04:05.000Z renderer process gone: reason=killed exitCode=9\n');
    expect(text).toContain('reloading renderer (1/3');
  });
});
