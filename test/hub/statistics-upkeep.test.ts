/**
 * PGlite has no autovacuum: the hub analyses the tables itself as the log grows
 * (src-hub/db/statistics-upkeep.ts), so the planner finds a push's cases by index.
 */
import { afterEach, expect, it } from 'vitest';
import { statisticsUpkeep } from '../../src-hub/db/statistics-upkeep';
import { freshDatabase, type FreshDatabase } from './helpers/drivers';

let fresh: FreshDatabase | null = null;
afterEach(async () => {
  await fresh?.destroy();
  fresh = null;
});

const CASE_LOOKUP = "EXPLAIN SELECT hub_seq FROM events WHERE case_id = ANY($1::text[])";

async function fill(n: number, from = 1): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => from + i);
  await fresh!.db.query(
    `INSERT INTO events (hub_seq, event_id, case_id, station_id, seq, type, at, content)
     SELECT s, 'e' || s, 'c' || (s / 3), 'st', s, 'case.noteAdded', '2026-03-02T08:00:00Z', '{}' FROM unnest($1::bigint[]) AS s`,
    [rows],
  );
}

async function plan(): Promise<string> {
  const rows = await fresh!.db.query<{ 'QUERY PLAN': string }>(CASE_LOOKUP, [['c1', 'c2', 'c3']]);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

async function analysedRows(): Promise<number> {
  const [row] = await fresh!.db.query<{ n: number }>("SELECT reltuples::int AS n FROM pg_class WHERE relname = 'events'");
  return Number(row!.n);
}

it('analyses at start and after the log has doubled, so lookups by case use the index', async () => {
  fresh = await freshDatabase('pglite');
  await fill(5000);
  const errors: unknown[] = [];
  const upkeep = statisticsUpkeep(fresh.db, (e) => errors.push(e), { minGrowth: 1000 });
  await upkeep.idle();
  expect(await analysedRows()).toBe(5000);
  expect(await plan()).toMatch(/Index/);

  await fill(4000, 5001);
  upkeep.grew(4000); // not doubled yet
  await upkeep.idle();
  expect(await analysedRows()).toBe(5000);
  await fill(1000, 9001);
  upkeep.grew(1000);
  await upkeep.idle();
  expect(await analysedRows()).toBe(10000);
  expect(errors).toEqual([]);
});

it('a failing run is reported and does not stop the next one', async () => {
  fresh = await freshDatabase('pglite');
  const errors: unknown[] = [];
  const db = fresh.db;
  let failNext = true;
  const flaky = { ...db, kind: db.kind, exec: async (sql: string) => (failNext ? ((failNext = false), Promise.reject(new Error('disk full'))) : db.exec(sql)) };
  const upkeep = statisticsUpkeep(flaky, (e) => errors.push(e), { minGrowth: 10 });
  await upkeep.idle();
  expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
  await fill(100);
  upkeep.grew(100);
  await upkeep.idle();
  expect(await analysedRows()).toBe(100);
});
