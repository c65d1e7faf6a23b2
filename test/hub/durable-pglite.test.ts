/**
 * The embedded hub database syncs what it commits (src-hub/db/durable-node-fs.ts): a push the
 * hub answered is on disk, not only in the page cache, so a power cut cannot take it back.
 * The syncs are observed through the driver's syncFd (the real fsync underneath).
 */
import { chmodSync, existsSync, fsyncSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src-hub/db/database';
import { SYNCED_MARKER, durableStartParams, syncDataDirOnce } from '../../src-hub/db/durable-node-fs';
import { migrate } from '../../src-hub/db/migrations';
import { openPglite } from '../../src-hub/db/pglite-driver';

interface Recorder {
  paths: string[];
  syncFd: (fd: number, path: string) => void;
}

function recorder(): Recorder {
  const paths: string[] = [];
  return {
    paths,
    syncFd: (fd, path) => {
      fsyncSync(fd);
      paths.push(path);
    },
  };
}

function countEntries(dir: string): number {
  let n = 1; // the folder itself
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) n += countEntries(join(dir, entry.name));
    else if (entry.isFile()) n++;
  }
  return n;
}

describe('durable PGlite', () => {
  const dirs: string[] = [];
  const opened: Database[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function freshDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'relay-durable-'));
    dirs.push(dir);
    return dir;
  }
  async function open(dir: string, rec: Recorder): Promise<Database> {
    const db = await openPglite(dir, { syncFd: rec.syncFd });
    opened.push(db);
    return db;
  }

  it('runs PostgreSQL with fsync on, the WAL synced by fsync(), and full page writes', async () => {
    expect(durableStartParams()).not.toContain('-F');
    const db = await open(freshDir(), recorder());
    const [fsync] = await db.query<{ fsync: string }>('SHOW fsync');
    const [method] = await db.query<{ wal_sync_method: string }>('SHOW wal_sync_method');
    const [fpw] = await db.query<{ full_page_writes: string }>('SHOW full_page_writes');
    expect(fsync?.fsync).toBe('on');
    expect(method?.wal_sync_method).toBe('fsync');
    expect(fpw?.full_page_writes).toBe('on');
  });

  it('a committed transaction has synced the WAL by the time it returns; a rolled-back one syncs nothing', async () => {
    const rec = recorder();
    const db = await open(freshDir(), rec);
    await migrate(db);
    await db.exec('CREATE TABLE IF NOT EXISTS probe (n integer)');

    rec.paths.length = 0;
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO probe VALUES ($1)', [1]);
      // nothing is synced before the commit
      expect(rec.paths.filter((p) => p.includes('pg_wal'))).toEqual([]);
    });
    const walSyncs = rec.paths.filter((p) => /pg_wal\/[0-9A-F]{24}$/.test(p));
    expect(walSyncs.length).toBeGreaterThanOrEqual(1);

    rec.paths.length = 0;
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO probe VALUES ($1)', [2]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(rec.paths.filter((p) => p.includes('pg_wal'))).toEqual([]);
    expect(await db.query<{ n: number }>('SELECT n FROM probe ORDER BY n')).toEqual([{ n: 1 }]);
  });

  it('a checkpoint syncs the table files it wrote', async () => {
    const rec = recorder();
    const db = await open(freshDir(), rec);
    await db.exec('CREATE TABLE probe (n integer); INSERT INTO probe SELECT generate_series(1, 1000)');
    const [{ path } = { path: '' }] = await db.query<{ path: string }>(`SELECT pg_relation_filepath('probe') AS path`);
    expect(path).toMatch(/^base\/\d+\/\d+$/);
    rec.paths.length = 0;
    await db.exec('CHECKPOINT');
    expect(rec.paths.some((p) => p.endsWith(`/${path}`))).toBe(true);
  });

  it('a new data folder is synced whole once, before the database answers; the next open does not repeat it', async () => {
    const dir = freshDir();
    const first = recorder();
    let db = await open(dir, first);
    expect(existsSync(join(dir, SYNCED_MARKER))).toBe(true);
    // every file and folder there was at the whole sync (the marker and its folder last)
    const entries = countEntries(dir);
    expect(first.paths.filter((p) => p.startsWith(dir)).length).toBeGreaterThanOrEqual(entries - 1);
    expect(first.paths.at(-1)).toBe(dir);
    expect(first.paths.at(-2)).toBe(join(dir, SYNCED_MARKER));
    await db.close();
    opened.splice(opened.indexOf(db), 1);

    const second = recorder();
    db = await open(dir, second);
    expect(second.paths.filter((p) => p.startsWith(dir))).toEqual([]);
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('a folder written before (no marker: an older hub ran with fsync off) is synced whole at the next open', async () => {
    const dir = freshDir();
    const db = await open(dir, recorder());
    await db.exec('CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42)');
    await db.close();
    opened.splice(opened.indexOf(db), 1);
    rmSync(join(dir, SYNCED_MARKER));

    const rec = recorder();
    const again = await open(dir, rec);
    expect(rec.paths.filter((p) => p.startsWith(dir)).length).toBeGreaterThan(100);
    expect(existsSync(join(dir, SYNCED_MARKER))).toBe(true);
    expect(await again.query('SELECT n FROM kept')).toEqual([{ n: 42 }]);
  });

  it('a file that cannot be synced is an error, and leaves no marker behind', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'PG_VERSION'), '17\n');
    const failing = (_fd: number, path: string) => {
      if (statSync(path).isFile()) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    };
    expect(() => syncDataDirOnce(dir, failing)).toThrow(/EIO/);
    expect(existsSync(join(dir, SYNCED_MARKER))).toBe(false);
  });

  it("keeps the data folder to the hub's own account (PGlite writes its files world-readable)", async () => {
    if (process.platform === 'win32') return;
    const dir = freshDir();
    chmodSync(dir, 0o755); // e.g. made by hand, or by an older hub
    await open(dir, recorder());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('starts on a folder whose postmaster.pid a power cut left empty (PostgreSQL alone refuses: "lock file is empty")', async () => {
    const dir = freshDir();
    const first = await open(dir, recorder());
    await first.query('CREATE TABLE kept (n int)');
    await first.query('INSERT INTO kept VALUES (7)');
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    // what a power cut soon after a start leaves: the file made, its contents never flushed
    writeFileSync(join(dir, 'postmaster.pid'), '');
    const again = await open(dir, recorder());
    expect(await again.query<{ n: number }>('SELECT n FROM kept')).toEqual([{ n: 7 }]);
  });
});
