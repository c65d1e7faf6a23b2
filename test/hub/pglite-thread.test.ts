/**
 * The embedded engine in a thread of its own (src-hub/db/pglite-driver.ts, pglite-thread.ts):
 * the same answers as on the caller's thread — rows, SQLSTATE codes, transactions that commit
 * or roll back whole — durable commits, and a clear, lasting failure if the thread stops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src-hub/db/database';
import { openPglite } from '../../src-hub/db/pglite-driver';
import { isDatabaseUnavailable } from '../../src-hub/http/error-handler';

describe('PGlite on its own thread', () => {
  const dirs: string[] = [];
  const opened: Database[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  async function open(options: Parameters<typeof openPglite>[1] = {}, dir = fresh()): Promise<Database> {
    const db = await openPglite(dir, options);
    opened.push(db);
    return db;
  }
  function fresh(): string {
    const dir = mkdtempSync(join(tmpdir(), 'relay-pglite-thread-'));
    dirs.push(dir);
    return dir;
  }

  it('answers rows as on the caller’s thread: int8 as numbers, timestamps as dates, json parsed', async () => {
    const db = await open();
    const [row] = await db.query<{ n: number; t: Date; j: { a: number[] }; s: string }>(
      `SELECT 9007199254740991::int8 AS n, now() AS t, '{"a":[1,2]}'::json AS j, $1::text AS s`,
      ['接转办'],
    );
    expect(row).toEqual({ n: 9007199254740991, t: expect.any(Date), j: { a: [1, 2] }, s: '接转办' });
  });

  it('a failed statement comes back with its SQLSTATE; a transaction commits whole or not at all', async () => {
    const db = await open();
    await db.exec('CREATE TABLE t (n integer PRIMARY KEY)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
      await tx.query('INSERT INTO t VALUES ($1)', [2]);
    });
    const dup = await db.query('INSERT INTO t VALUES (1)').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(Error);
    expect(dup).toMatchObject({ code: '23505', constraint: 't_pkey' });
    expect(isDatabaseUnavailable(dup)).toBe(false);

    // thrown by fn: rolled back
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (3)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // a failed statement caught inside fn still fails the transaction (PostgreSQL would answer
    // COMMIT with a silent rollback): nothing of it is kept, and the caller hears of it
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (4)');
        await tx.query('INSERT INTO t VALUES (1)').catch(() => undefined);
        return 'done';
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query<{ n: number }>('SELECT n FROM t ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('queued calls keep their order: a transaction is not entered by a query sent meanwhile', async () => {
    const db = await open();
    await db.exec('CREATE TABLE t (n integer)');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO t VALUES (1)');
      await held;
      throw new Error('rolled back');
    });
    // sent while the transaction is open: runs after it, so it never sees the rolled-back row
    const seen = db.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    release();
    await expect(tx).rejects.toThrow('rolled back');
    expect(await seen).toEqual([{ n: 0 }]);
  });

  it('a transaction’s handle refuses statements once the transaction has ended', async () => {
    const db = await open();
    await db.exec('CREATE TABLE t (n integer)');
    let kept: Parameters<Parameters<Database['transaction']>[0]>[0] | null = null;
    await db.transaction(async (tx) => {
      kept = tx;
      await tx.query('INSERT INTO t VALUES (1)');
    });
    await expect(kept!.query('INSERT INTO t VALUES (2)')).rejects.toThrow(/Transaction is closed/);
    expect(await db.query<{ n: number }>('SELECT n FROM t')).toEqual([{ n: 1 }]);
  });

  it('a commit has synced the WAL by the time it returns (the syncs observed from the thread)', async () => {
    const synced: string[] = [];
    const db = await open({ onSync: (path) => synced.push(path) });
    await db.exec('CREATE TABLE probe (n integer)');
    synced.length = 0;
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO probe VALUES (1)');
    });
    expect(synced.some((p) => /pg_wal\/[0-9A-F]{24}$/.test(p))).toBe(true);
    synced.length = 0;
    await db.query('INSERT INTO probe VALUES (2)'); // one statement: its own transaction
    expect(synced.some((p) => /pg_wal\/[0-9A-F]{24}$/.test(p))).toBe(true);
  });

  it('refuses syncFd (a function cannot cross to the thread) and says what to use', async () => {
    await expect(openPglite(fresh(), { thread: 'worker', syncFd: () => undefined })).rejects.toThrow(/onSync/);
  });

  it('a backup taken through the thread holds the data', async () => {
    const db = await open();
    await db.exec('CREATE TABLE t (n integer); INSERT INTO t VALUES (5)');
    const bytes = await db.backup!();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]); // gzip
  });

  it('closing releases the data folder: it opens again with its data', async () => {
    const dir = fresh();
    const db = await openPglite(dir);
    await db.exec('CREATE TABLE t (n integer); INSERT INTO t VALUES (6)');
    await db.close();
    const again = await open({}, dir);
    expect(await again.query('SELECT n FROM t')).toEqual([{ n: 6 }]);
  });

  it('a thread that stops fails the call in hand and every later one as "database unavailable"', async () => {
    const db = await open({ threadEntry: new URL('./fixtures/pglite-thread-dies.mjs', import.meta.url) });
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const dying = await db.query("SELECT 'die'").catch((e: unknown) => e);
    expect(dying).toBeInstanceOf(Error);
    expect(String((dying as Error).message)).toMatch(/database thread stopped \(exit code 7\)/);
    expect(isDatabaseUnavailable(dying)).toBe(true);
    const later = await db.transaction(async (tx) => tx.query('SELECT 1')).catch((e: unknown) => e);
    expect(isDatabaseUnavailable(later)).toBe(true);
  });
});
