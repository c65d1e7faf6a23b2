/**
 * Migrations: applied once, in order, recorded; running them again does nothing. And the
 * rule that they are only ever appended: the SQL of every released migration is pinned here
 * by its hash, so editing one fails this test (add a new migration instead).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src-hub/db/migrations';
import { describeEachDriver, freshDatabase, type FreshDatabase } from './helpers/drivers';

const PINNED: Record<number, string> = {
  1: 'da786b33e98b436e5ce9efbbc9ce8d23',
  2: '3e486f776e30861cd63dcd9151492d9f',
  3: '657effed812922473e68a97d9b98af98',
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
