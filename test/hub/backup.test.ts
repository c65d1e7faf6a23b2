/**
 * Backups of the embedded hub database (src-hub/db/pglite-backup.ts, `npm run hub:backup`):
 * taken from a running hub over the admin API or from a stopped hub's folder, restored into an
 * empty folder only, and a hub on the restored folder serves the same log to the same tokens and
 * numbers on after it. Bad input changes nothing. On PostgreSQL the admin API refuses (pg_dump).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../src-common/protocol/v1';
import { runBackupCli } from '../../src-hub/cli/backup-commands';
import { migrate } from '../../src-hub/db/migrations';
import { RestoreError, restorePgliteBackup } from '../../src-hub/db/pglite-backup';
import { openPglite } from '../../src-hub/db/pglite-driver';
import { buildHubApp } from '../../src-hub/http/app';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { ADMIN_TOKEN, pullAll, push, startHub, type Hub } from './helpers/hub-harness';

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBackupCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

async function fetchBackup(url: string, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${url}${API_PREFIX}/admin/backup`, { headers: { authorization: `Bearer ${token}` } });
}

const scratch: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-hub-backup-'));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('hub backup on PGlite', () => {
  let hub: Hub;
  const police = Desk.of('p110-lanshan', 'police110');
  const hotline = Desk.of('h12345-city', 'hotline12345', '全市');
  let held: Awaited<ReturnType<typeof pullAll>>;

  beforeAll(async () => {
    hub = await startHub('pglite');
    police.token = await hub.register(police.info);
    hotline.token = await hub.register(hotline.info);
    const events = [];
    for (let i = 0; i < 5; i++) {
      const c = police.created(`第 ${i + 1} 户停水`);
      events.push(c, police.screened(c.caseId), police.transferred(c.caseId, toHotline()));
    }
    const pushed = await push(hub.url, police.token, events);
    expect(pushed.status).toBe(200);
    held = await pullAll(hub.url, hotline.token);
    expect(held.events).toHaveLength(15);
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('a running hub gives its database over the admin API; a hub on the restored folder serves the same log and numbers on', async () => {
    const res = await fetchBackup(hub.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="relay-hub-.+\.tar\.gz"/);
    const bytes = new Uint8Array(await res.arrayBuffer());

    const dir = join(tempDir(), 'restored');
    const restored = await restorePgliteBackup(dir, bytes);
    expect(restored).toEqual({ schemaVersion: expect.any(Number), events: 15, stations: 2 });
    expect(readdirSync(dir)).not.toContain('hub.lock'); // the backup's lock is not left behind

    const db = await openPglite(dir);
    await migrate(db);
    const app = buildHubApp({ db });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as { port: number }).port;
      const url = `http://127.0.0.1:${port}`;
      // the same tokens work; the same events in the same order under the same numbers
      const again = await pullAll(url, hotline.token);
      expect(again.events.map((e) => [e.hubSeq, e.event.id])).toEqual(held.events.map((e) => [e.hubSeq, e.event.id]));
      // and the log goes on after the last number
      const c = police.created('恢复后的新工单');
      const next = await push(url, police.token, [c]);
      expect(next.status).toBe(200);
      expect(next.body.results[0]).toEqual({ id: c.id, status: 'accepted', hubSeq: Math.max(...held.events.map((e) => e.hubSeq)) + 1 });
    } finally {
      await app.close();
      await db.close();
    }
  });

  it('only the admin token may take a backup', async () => {
    expect((await fetchBackup(hub.url, police.token)).status).toBe(401);
    expect((await fetch(`${hub.url}${API_PREFIX}/admin/backup`)).status).toBe(401);
  });

  it('hub:backup save through HUB_URL writes the file whole; restore prints what it restored', async () => {
    const dir = tempDir();
    const file = join(dir, 'hub.tar.gz');
    const saved = await cli(['save', '--out', file], { HUB_URL: hub.url, HUB_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(saved.err).toEqual([]);
    expect(saved.code).toBe(0);
    expect(saved.out[0]).toMatch(new RegExp(`已备份 hub ${hub.url.replace(/[.]/g, '\\.')} → .*hub\\.tar\\.gz（\\d+\\.\\d MB）`));
    expect(readdirSync(dir)).toEqual(['hub.tar.gz']);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600); // the whole database: the owner's only

    const target = join(dir, 'data');
    const restored = await cli(['restore', '--from', file, '--data-dir', target], {});
    expect(restored.err).toEqual([]);
    expect(restored.code).toBe(0);
    expect(restored.out[0]).toContain('2 个站点，15 条事件');
  });

  it("save straight on a folder a running hub holds is refused, saying why; a stopped hub's folder is saved", async () => {
    const dir = tempDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'hub.lock'), String(process.ppid)); // a live process holds it
    const refused = await cli(['save', '--out', join(dir, 'x.tar.gz')], { HUB_DATA_DIR: locked });
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toMatch(/正由进程 \d+ 使用/);
    expect(existsSync(join(dir, 'x.tar.gz'))).toBe(false);

    const stopped = join(dir, 'stopped');
    const db = await openPglite(stopped);
    await migrate(db);
    await db.close();
    const saved = await cli(['save', '--out', join(dir, 'stopped.tar.gz')], { HUB_DATA_DIR: stopped });
    expect(saved.code).toBe(0);
    const restored = await restorePgliteBackup(join(dir, 'again'), new Uint8Array(readFileSync(join(dir, 'stopped.tar.gz'))));
    expect(restored.stations).toBe(0);
  });

  it('save refuses a PostgreSQL configuration and points to pg_dump', async () => {
    const r = await cli(['save', '--out', join(tempDir(), 'x.tar.gz')], { DATABASE_URL: 'postgres://x@127.0.0.1/none' });
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('pg_dump');
  });
});

describe('restoring is refused without changing anything', () => {
  const made: string[] = [];
  afterEach(() => made.splice(0));

  it('into a folder that is not empty: nothing in it is touched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keep.txt'), 'a hub lives here');
    const backup = gzipSync(Buffer.from('x'.repeat(100)));
    await expect(restorePgliteBackup(dir, new Uint8Array(backup))).rejects.toThrow(/不是空的：恢复只写入空目录/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('a hub lives here');
  });

  it('a file that is not a backup at all', async () => {
    const target = join(tempDir(), 'new');
    const error = await restorePgliteBackup(target, new TextEncoder().encode('{"events":[]}')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreError);
    expect((error as Error).message).toMatch(/这不是集线器备份文件/);
    expect(existsSync(target)).toBe(false);
  });

  it('a damaged backup: the new folder is removed again, an empty one left empty', async () => {
    const damaged = new Uint8Array(gzipSync(Buffer.from('not a tar of a database'.repeat(50))));
    const target = join(tempDir(), 'new');
    await expect(restorePgliteBackup(target, damaged)).rejects.toThrow(/备份文件无法恢复/);
    expect(existsSync(target)).toBe(false);

    const empty = tempDir();
    await expect(restorePgliteBackup(empty, damaged)).rejects.toThrow(/备份文件无法恢复/);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('the CLI says what is missing', async () => {
    expect((await cli(['restore', '--from', 'x.tar.gz'], {})).err.join('\n')).toContain('--data-dir');
    expect((await cli(['save'], {})).err.join('\n')).toContain('--out');
    expect((await cli(['frobnicate'], {})).code).toBe(2);
  });
});

describeEachDriver('admin backup endpoint', (driver) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub(driver);
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it(driver === 'postgres' ? 'on PostgreSQL: 409 pointing to pg_dump' : 'on PGlite: a gzip stream', async () => {
    const res = await fetchBackup(hub.url);
    if (driver === 'postgres') {
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('backup_unavailable');
      expect(body.error.message).toContain('pg_dump');
    } else {
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    }
  });
});
