/**
 * Migrations: applied once, in order, recorded; running them again does nothing. And the
 * rule that they are only ever appended: the SQL of every released migration is pinned here
 * by its hash, so editing one fails this test (add a new migration instead).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src-hub/db/database';
import { MIGRATIONS, migrate } from '../../src-hub/db/migrations';
import { openPglite } from '../../src-hub/db/pglite-driver';
import { openPostgres } from '../../src-hub/db/pg-driver';
import { describeEachDriver, freshDatabase, freshLocation, type FreshDatabase } from './helpers/drivers';

const PINNED: Record<number, string> = {
  1: 'da786b33e98b436e5ce9efbbc9ce8d23',
  2: '3e486f776e30861cd63dcd9151492d9f',
  3: '657effed812922473e68a97d9b98af98',
  4: '04e98598755f55fc1725ad6d6d4a04d8',
};

it('migrations are numbered 1, 2, 3 ... and the released ones are unchanged', () => {
  expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  for (const m of MIGRATIONS) {
    const hash = createHash('sha256').update(m.sql).digest('hex').slice(0, 32);
    if (PINNED[m.version] !== undefined) expect(hash, `migration ${m.version} was edited: add a new migration instead`).toBe(PINNED[m.version]);
  }
});

describeEachDriver('hub migrations', (driver) => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase(driver);
  }, 120_000);
  afterAll(async () => fresh?.destroy());

  it('are recorded in schema_migrations and apply only once', async () => {
    const rows = await fresh.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(fresh.db)).toEqual([]);
  });

  it('a failing migration rolls back whole and is not recorded', async () => {
    const bad = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' }];
    await expect(migrate(fresh.db, bad)).rejects.toThrow();
    const t = await fresh.db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    expect(t).toHaveLength(0);
    const v = await fresh.db.query('SELECT 1 FROM schema_migrations WHERE version = $1', [MIGRATIONS.length + 1]);
    expect(v).toHaveLength(0);
  });
});

describeEachDriver('migration 4: ids compared as bytes', (driver) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const location = freshLocation(driver);
    cleanup = location.cleanup;
    db =
      driver === 'pglite'
        ? await openPglite(location.env.HUB_DATA_DIR!)
        : await openPostgres({ connectionString: location.env.DATABASE_URL!, schema: location.env.HUB_DB_SCHEMA! });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });

  const ID_COLUMNS = [
    'events.event_id',
    'events.case_id',
    'events.station_id',
    'cases.case_id',
    'handover_targets.case_id',
    'handover_targets.station_id',
    'case_audience.station_id',
    'case_audience.case_id',
    'station_progress.station_id',
    'station_pull.station_id',
    'refused_events.station_id',
    'refused_events.event_id',
  ];
  const collations = async () => {
    const rows = await db.query<{ c: string; collation_name: string | null }>(
      `SELECT table_name || '.' || column_name AS c, collation_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name || '.' || column_name = ANY($1::text[])`,
      [ID_COLUMNS],
    );
    return Object.fromEntries(rows.map((r) => [r.c, r.collation_name]));
  };
  const snapshot = async () => ({
    events: await db.query('SELECT hub_seq, event_id, case_id, station_id, seq, type, at, content FROM events ORDER BY hub_seq'),
    cases: await db.query('SELECT * FROM cases ORDER BY first_hub_seq'),
    audience: await db.query('SELECT * FROM case_audience ORDER BY granted_seq, station_id'),
    progress: await db.query('SELECT * FROM station_progress ORDER BY contiguous_seq'),
  });

  it('keeps every row a hub recorded before it, and the keys stay unique', async () => {
    expect(await migrate(db, MIGRATIONS.slice(0, 3))).toEqual([1, 2, 3]);
    expect(Object.values(await collations()).some((c) => c === 'C')).toBe(false);
    for (let i = 1; i <= 30; i++) {
      const id = `01J${String(i).padStart(23, '0')}`;
      await db.query(
        `INSERT INTO events (hub_seq, event_id, case_id, station_id, seq, type, at, content) VALUES ($1, $2, $3, $4, $5, 'case.noteAdded', '2026-11-30T00:00:00.000Z', $6)`,
        [i, id, `case-${i % 7}`, `p110-${i % 3}`, i, JSON.stringify({ id, text: '来电人再次来电' })],
      );
    }
    await db.query(`INSERT INTO cases (case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq) SELECT DISTINCT ON (case_id) case_id, hub_seq, station_id, '兰山区', hub_seq FROM events ORDER BY case_id, hub_seq`);
    await db.query(`INSERT INTO case_audience (station_id, case_id, granted_seq) SELECT DISTINCT ON (station_id, case_id) station_id, case_id, hub_seq FROM events ORDER BY station_id, case_id, hub_seq`);
    await db.query(`INSERT INTO station_progress (station_id, contiguous_seq) VALUES ('p110-0', 9), ('p110-1', 10), ('p110-2', 11)`);
    const before = await snapshot();

    expect(await migrate(db)).toEqual(MIGRATIONS.slice(3).map((m) => m.version));
    expect(await collations()).toEqual(Object.fromEntries(ID_COLUMNS.map((c) => [c, 'C'])));
    expect(await snapshot()).toEqual(before);
    await expect(
      db.query(`INSERT INTO events (hub_seq, event_id, case_id, station_id, seq, type, at, content) VALUES (99, $1, 'case-x', 'p110-9', 1, 'case.noteAdded', 'x', '{}')`, [
        `01J${String(5).padStart(23, '0')}`,
      ]),
    ).rejects.toThrow(/duplicate key|unique/i);
    // a lookup by id with a parameter of the default collation still uses the rebuilt index
    // (with sequential scans priced out: the table is small)
    const plan = await db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<Record<string, string>>(`EXPLAIN SELECT hub_seq FROM events WHERE event_id = ANY($1::text[])`, [['a', 'b']]);
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toMatch(/Index (Only )?Scan using events_event_id_key/);
  }, 120_000);
});
