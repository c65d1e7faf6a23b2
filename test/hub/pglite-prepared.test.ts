/**
 * Named prepared statements on the embedded engine (src-hub/db/pglite-prepared.ts), alone and
 * through the database thread (`{ prepare: true }`): the same rows as query(), errors with
 * their SQLSTATE that leave the engine usable, transactions that still commit whole or not at
 * all, statements that keep working when their tables change, and commits synced to disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src-hub/db/database';
import { openPglite } from '../../src-hub/db/pglite-driver';
import { startPglite } from '../../src-hub/db/pglite-engine';
import { PreparedStatements } from '../../src-hub/db/pglite-prepared';

describe('prepared statements on PGlite', () => {
  const dirs: string[] = [];
  const engines: PGlite[] = [];
  const opened: Database[] = [];
  afterEach(async () => {
    for (const pg of engines.splice(0)) await pg.close();
    for (const db of opened.splice(0)) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function fresh(): string {
    const dir = mkdtempSync(join(tmpdir(), 'relay-pglite-prepared-'));
    dirs.push(dir);
    return dir;
  }
  async function engine(): Promise<PGlite> {
    const pg = await startPglite(fresh());
    engines.push(pg);
    return pg;
  }

  const SQL = `SELECT $1::text AS s, $2::bigint AS n, cardinality($3::text[]) AS k, $4::boolean[] AS flags,
                      json_build_array($1::text, $2::bigint) AS j, now() AS t, $5::text IS NULL AS missing`;

  it('answers the same rows as query(): arrays, int8 as numbers, json parsed, null parameters', async () => {
    const pg = await engine();
    const prepared = new PreparedStatements(pg);
    const params = ['接转办', 9007199254740991, ['a', 'b', 'c'], [true, false], null];
    const viaQuery = (await pg.query(SQL, params)).rows;
    const first = await prepared.query(SQL, params);
    const again = await prepared.query(SQL, ['工单', 7, [], [], 'x']);
    expect(prepared.size).toBe(1);
    const strip = (rows: unknown[]) => rows.map((r) => ({ ...(r as Record<string, unknown>), t: 'time' }));
    expect(strip(first)).toEqual(strip(viaQuery));
    expect(first[0]).toMatchObject({ s: '接转办', n: 9007199254740991, k: 3, flags: [true, false], j: ['接转办', 9007199254740991], missing: true });
    expect(again[0]).toMatchObject({ s: '工单', n: 7, k: 0, flags: [], missing: false });
  });

  it('a failing statement comes back with its SQLSTATE and leaves the engine usable; one that cannot be prepared too', async () => {
    const pg = await engine();
    const prepared = new PreparedStatements(pg);
    await pg.exec('CREATE TABLE t (n integer PRIMARY KEY)');
    const insert = 'INSERT INTO t VALUES ($1) RETURNING n';
    expect(await prepared.query(insert, [1])).toEqual([{ n: 1 }]);
    await expect(prepared.query(insert, [1])).rejects.toMatchObject({ code: '23505' });
    await expect(prepared.query('SELEKT $1::int', [1])).rejects.toMatchObject({ code: '42601' });
    expect(await prepared.query(insert, [2])).toEqual([{ n: 2 }]);
    expect(await prepared.query('SELECT count(*)::int AS c FROM t WHERE n > $1', [0])).toEqual([{ c: 2 }]);
    expect(pg.isInTransaction()).toBe(false);
  });

  it('keeps working when a table it reads changes (PostgreSQL plans it again)', async () => {
    const pg = await engine();
    const prepared = new PreparedStatements(pg);
    await pg.exec('CREATE TABLE t (n integer PRIMARY KEY)');
    const count = 'SELECT count(*)::int AS c FROM t WHERE n >= $1';
    await pg.exec('INSERT INTO t SELECT generate_series(1, 10)');
    expect(await prepared.query(count, [5])).toEqual([{ c: 6 }]);
    await pg.exec('ALTER TABLE t ADD COLUMN note text; CREATE INDEX t_note ON t (note); INSERT INTO t SELECT generate_series(11, 20)');
    expect(await prepared.query(count, [5])).toEqual([{ c: 16 }]);
  });

  describe('through the database thread', () => {
    async function open(options: Parameters<typeof openPglite>[1] = {}): Promise<Database> {
      const db = await openPglite(fresh(), options);
      opened.push(db);
      return db;
    }

    it('a prepared statement in a transaction commits with it, or rolls back with it', async () => {
      const db = await open();
      await db.exec('CREATE TABLE t (n integer PRIMARY KEY)');
      const insert = 'INSERT INTO t VALUES ($1)';
      await db.transaction(async (tx) => {
        await tx.query(insert, [1], { prepare: true });
        await tx.query(insert, [2], { prepare: true });
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query(insert, [3], { prepare: true });
          await tx.query(insert, [1], { prepare: true }).catch(() => undefined); // swallowed, still fails it
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await db.query('SELECT n FROM t ORDER BY n', [], { prepare: true })).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('a prepared write outside a transaction commits as it answers: its commit synced the write-ahead log', async () => {
      const synced: string[] = [];
      const db = await open({ onSync: (path) => synced.push(path) });
      await db.exec('CREATE TABLE t (n integer PRIMARY KEY)');
      synced.length = 0;
      await db.query('INSERT INTO t VALUES ($1)', [42], { prepare: true });
      expect(synced.some((p) => p.includes('pg_wal'))).toBe(true);
      expect(await db.query('SELECT n FROM t', [], { prepare: true })).toEqual([{ n: 42 }]);
    });
  });
});
