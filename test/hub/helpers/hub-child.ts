/**
 * The hub as its own process (node --import tsx src-hub/main.ts, as `npm run hub` runs it), for
 * tests that kill it: its JSON log lines as they come, the address it listens on, its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { ADMIN_TOKEN } from './hub-harness';

export interface Running {
  child: ChildProcess;
  url: string;
  lines: Array<Record<string, unknown>>;
  /** the first log line matching (a message pattern, or a test of the whole line) */
  waitFor(match: RegExp | ((line: Record<string, unknown>) => boolean), timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-hub/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: '0', HUB_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text };
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (match: RegExp | ((line: Record<string, unknown>) => boolean), timeoutMs = 60_000) => {
    const test = typeof match === 'function' ? match : (l: Record<string, unknown>) => match.test(String(l.msg));
    const pattern = String(match);
    const seen = lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hub did not log ${pattern} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void exited.then(({ code }) => reject(new Error(`hub exited (${code}) before logging ${pattern}; stderr: ${stderr}`)));
    });
  };
  return waitFor(/relay hub ready/).then((ready) => ({ child, url: `http://127.0.0.1:${String(ready.port)}`, lines, waitFor, exited }));
}

export async function kill(r: Running): Promise<void> {
  r.child.kill('SIGKILL');
  const { signal } = await r.exited;
  expect(signal).toBe('SIGKILL');
}
