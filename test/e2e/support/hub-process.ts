/**
 * A real hub for end-to-end tests: `tsx src-hub/main.ts` as a child process on a free port
 * with its own embedded database folder, stopped and started again on the same folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export class HubProcess {
  private child: ChildProcess | null = null;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'relay-hub-e2e-'));
  readonly adminToken = 'e2e-admin-token-0123456789abcdef';
  log = '';
  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src-hub/main.ts'], {
      env: { ...process.env, PORT: String(this.port), HOST: '127.0.0.1', HUB_DATA_DIR: this.dataDir, HUB_ADMIN_TOKEN: this.adminToken, LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d) => (this.log += d));
    this.child.stderr?.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/api/v1/health`)).ok) return;
      } catch {
        // not up yet
      }
      if (this.child.exitCode !== null) throw new Error(`hub exited: ${this.log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`hub did not start: ${this.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000);
    });
    this.child = null;
  }

  async register(station: { stationId: string; name: string; role: string; district: string; department?: string | null }): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/admin/stations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(station),
    });
    if (!res.ok) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** Load a calendar year at the hub through its admin API (as `npm run hub:calendar -- load` does). */
  async loadCalendar(year: unknown, by = '测试管理员'): Promise<{ year: number; revision: number; unchanged: boolean }> {
    const res = await fetch(`${this.url}/api/v1/admin/calendar?by=${encodeURIComponent(by)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(year),
    });
    if (!res.ok) throw new Error(`calendar load failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as { year: number; revision: number; unchanged: boolean };
  }
}
