/**
 * The embedded engine in a thread of its own (src-hub/db/pglite-driver.ts, pglite-thread.ts):
 * the same answers as on the caller's thread — rows, SQLSTATE codes, transactions that commit
 * or roll back whole — durable commits, and a clear, lasting failure if the thread stops.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  const DIES = new URL('./fixtures/pglite-thread-dies.mjs', import.meta.url);

  /** the first answer of `ask` that is not "database unavailable" (waiting for a restart) */
  async function whenAnswering<T>(ask: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await ask();
      } catch (e) {
        if (!isDatabaseUnavailable(e) || Date.now() > until) throw e;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  it('a thread that stops fails the call in hand and every later one as "database unavailable" (restart off)', async () => {
    const db = await open({ threadEntry: DIES, restart: false });
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const dying = await db.query("SELECT 'die'").catch((e: unknown) => e);
    expect(dying).toBeInstanceOf(Error);
    expect(String((dying as Error).message)).toMatch(/database thread stopped \(exit code 7\)/);
    expect(isDatabaseUnavailable(dying)).toBe(true);
    const later = await db.transaction(async (tx) => tx.query('SELECT 1')).catch((e: unknown) => e);
    expect(isDatabaseUnavailable(later)).toBe(true);
  });

  it('a thread that stops is started again: calls fail as unavailable meanwhile, then the committed data is there', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const db = await open({ threadEntry: DIES, restart: { delayMs: 50 } });
    await db.exec('CREATE TABLE t (n integer PRIMARY KEY)');
    await db.query('INSERT INTO t VALUES ($1)', [1], { prepare: true });
    const dying = await db.query("SELECT 'die'").catch((e: unknown) => e);
    expect(isDatabaseUnavailable(dying)).toBe(true);
    expect(isDatabaseUnavailable(await db.query('SELECT 1').catch((e: unknown) => e))).toBe(true);
    expect(await whenAnswering(() => db.query('SELECT n FROM t ORDER BY n', [], { prepare: true }))).toEqual([{ n: 1 }]);
    // the new thread writes, and dies and starts again as the first did
    await db.query('INSERT INTO t VALUES ($1)', [2], { prepare: true });
    await db.query("SELECT 'die'").catch(() => undefined);
    expect(await whenAnswering(() => db.query('SELECT n FROM t ORDER BY n'))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/database thread stopped \(exit code 7\).*answers 503 until it has started again/),
      expect.stringMatching(/thread started again/),
      expect.stringMatching(/database thread stopped \(exit code 7\)/),
      expect.stringMatching(/thread started again/),
    ]);
    errors.mockRestore();
  }, 120_000);

  it('a transaction open when its thread stops fails, and nothing of it is on the new thread', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const db = await open({ threadEntry: DIES, restart: { delayMs: 50 } });
    await db.exec('CREATE TABLE t (n integer PRIMARY KEY)');
    const failed = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        await tx.query("SELECT 'die'");
      })
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(failed)).toBe(true);
    expect(await whenAnswering(() => db.query('SELECT count(*)::int AS c FROM t'))).toEqual([{ c: 0 }]);
    // and transactions work on the new thread
    await db.transaction(async (tx) => tx.query('INSERT INTO t VALUES (2)'));
    expect(await db.query('SELECT n FROM t')).toEqual([{ n: 2 }]);
    errors.mockRestore();
  }, 120_000);

  it('a thread that cannot start is tried again, waiting longer each time, until it starts; close() stops the tries', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const db = await open({ threadEntry: DIES, restart: { delayMs: 20, maxDelayMs: 80 } });
    await db.exec('CREATE TABLE t (n integer); INSERT INTO t VALUES (3)');
    process.env.RELAY_TEST_THREAD_FAILS_TO_OPEN = '1';
    try {
      await db.query("SELECT 'die'").catch(() => undefined);
      // each try logs; the waits grow: 20, 40, 80, 80 ms ...
      await vi.waitFor(() => expect(errors.mock.calls.filter((c) => /did not start again/.test(String(c[0])))).toHaveLength(3), { timeout: 30_000, interval: 20 });
      expect(isDatabaseUnavailable(await db.query('SELECT 1').catch((e: unknown) => e))).toBe(true);
      const waits = errors.mock.calls.map((c) => /next try in ([\d.]+) s/.exec(String(c[0]))?.[1]).filter(Boolean);
      expect(waits.slice(0, 3)).toEqual(['0.04', '0.08', '0.08']);
    } finally {
      delete process.env.RELAY_TEST_THREAD_FAILS_TO_OPEN;
    }
    expect(await whenAnswering(() => db.query('SELECT n FROM t'))).toEqual([{ n: 3 }]);

    // failing again, then closed: the tries stop, and the data folder is free
    const dir = fresh();
    const other = await openPglite(dir, { threadEntry: DIES, restart: { delayMs: 20 } });
    process.env.RELAY_TEST_THREAD_FAILS_TO_OPEN = '1';
    try {
      await other.query("SELECT 'die'").catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      await other.close();
    } finally {
      delete process.env.RELAY_TEST_THREAD_FAILS_TO_OPEN;
    }
    const tried = errors.mock.calls.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(errors.mock.calls.length).toBe(tried);
    const again = await open({}, dir);
    expect(await again.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    errors.mockRestore();
  }, 120_000);

  it('a transaction never goes on on the thread started after its own stopped: its later statements fail, nothing of it is kept', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const db = await open({ threadEntry: DIES, restart: { delayMs: 20 } });
    await db.exec('CREATE TABLE t (n integer PRIMARY KEY)');
    let later: unknown = null;
    const failed = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        await tx.query("SELECT 'die'").catch(() => undefined);
        // the new thread is up before this transaction's next statement
        await vi.waitFor(() => expect(errors.mock.calls.some((c) => /thread started again/.test(String(c[0])))).toBe(true), { timeout: 30_000, interval: 20 });
        later = await tx.query('INSERT INTO t VALUES (2)').catch((e: unknown) => e);
      })
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(later)).toBe(true);
    expect(isDatabaseUnavailable(failed)).toBe(true);
    expect(await db.query('SELECT count(*)::int AS c FROM t')).toEqual([{ c: 0 }]);
    errors.mockRestore();
  }, 120_000);

  // (Node closes a worker's file handles when it exits: the driver relies on that, and on ending
  // every thread it started; a leak here would grow with each restart)
  it.skipIf(!existsSync('/proc/self/fd'))('restarts leave no file handles behind: a stopped engine thread’s handles close with it', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const handles = () => readdirSync('/proc/self/fd').length;
    const db = await open({ threadEntry: DIES, restart: { delayMs: 20 } });
    await db.exec('CREATE TABLE t (n integer); INSERT INTO t VALUES (1)');
    const after: number[] = [];
    for (let i = 0; i < 4; i++) {
      await db.query("SELECT 'die'").catch(() => undefined);
      expect(await whenAnswering(() => db.query('SELECT n FROM t'))).toEqual([{ n: 1 }]);
      after.push(handles());
    }
    // the same after the fourth restart as after the first (a leak would grow with each)
    expect(after[3]! - after[0]!).toBeLessThanOrEqual(2);
    errors.mockRestore();
  }, 120_000);

  it('closing while a new thread is still opening the database ends that thread at once and frees the folder', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const dir = fresh();
    const db = await openPglite(dir, { threadEntry: DIES, restart: { delayMs: 20 } });
    await db.exec('CREATE TABLE t (n integer); INSERT INTO t VALUES (4)');
    // the next thread takes 6 s before it opens anything, as a long recovery would
    process.env.RELAY_TEST_THREAD_SLOW_START = '6000';
    try {
      await db.query("SELECT 'die'").catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      delete process.env.RELAY_TEST_THREAD_SLOW_START;
    }
    const started = Date.now();
    await db.close();
    // not waiting for that thread's open (6 s and more)
    expect(Date.now() - started).toBeLessThan(3000);
    const again = await open({}, dir);
    expect(await again.query('SELECT n FROM t')).toEqual([{ n: 4 }]);
    expect(errors.mock.calls.some((c) => /thread started again/.test(String(c[0])))).toBe(false);
    errors.mockRestore();
  }, 120_000);
});
