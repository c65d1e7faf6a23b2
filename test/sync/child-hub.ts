/**
 * The hub as its own process (`node --import tsx src-hub/main.ts`, as `npm run hub` runs it),
 * so a test can SIGKILL it in the middle of a batch and start it again on the same data and
 * the same port (the stations' configuration does not change).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { StationInfo } from '../../src-common/protocol/v1';
import { ADMIN_TOKEN } from '../hub/helpers/hub-harness';
import { registerOverHttp, type HubEndpoint } from './harness';

export interface ChildHub extends HubEndpoint {
  readonly port: number;
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, and wait for the process to be gone */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (a clean stop), and wait */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A port that was free a moment ago (the hub binds it with SO_REUSEADDR, as Node does). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function startChildHub(env: Record<string, string>, port: number, timeoutMs = 60_000): Promise<ChildHub> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-hub/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), HUB_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const hub: ChildHub = {
    url,
    port,
    child,
    lines,
    exited,
    register: (info: StationInfo) => registerOverHttp(url, info),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise<ChildHub>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      if (/relay hub ready/.test(String(line.msg))) {
        clearTimeout(timer);
        resolve(hub);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code ?? signal}) before it was ready; stderr: ${stderr}`));
    });
  });
}
