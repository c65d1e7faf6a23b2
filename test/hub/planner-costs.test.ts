/**
 * The hub prices random page reads for key lookups (src-hub/db/planner-costs.ts), on both
 * engines, on every session, and a push's case lookup then probes the index at a size where
 * PostgreSQL's default (4.0) would read the whole table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src-hub/db/database';
import { databaseConfigFromEnv } from '../../src-hub/db/open-database';
import { openPglite } from '../../src-hub/db/pglite-driver';
import { openPostgres } from '../../src-hub/db/pg-driver';
import { DEFAULT_RANDOM_PAGE_COST, randomPageCostFromEnv, randomPageCostOption, randomPageCostStatement } from '../../src-hub/db/planner-costs';
import { migrate } from '../../src-hub/db/migrations';
import { describeEachDriver, freshDatabase, freshLocation, type DriverName, type FreshDatabase } from './helpers/drivers';

describe('HUB_DB_RANDOM_PAGE_COST', () => {
  it('defaults to 1.1, takes a number, and "server" leaves the server its own', () => {
    expect(randomPageCostFromEnv(undefined)).toBe(DEFAULT_RANDOM_PAGE_COST);
    expect(DEFAULT_RANDOM_PAGE_COST).toBe(1.1);
    expect(randomPageCostFromEnv('  ')).toBe(1.1);
    expect(randomPageCostFromEnv('2.5')).toBe(2.5);
    expect(randomPageCostFromEnv('server')).toBeNull();
    expect(databaseConfigFromEnv({ HUB_DB_RANDOM_PAGE_COST: '3' }).randomPageCost).toBe(3);
    expect(databaseConfigFromEnv({}).randomPageCost).toBe(1.1);
  });

  it.each(['abc', '0', '-1', '1e9', 'NaN', 'Infinity'])('refuses %j with a message naming the setting', (value) => {
    expect(() => randomPageCostFromEnv(value)).toThrow(/HUB_DB_RANDOM_PAGE_COST must be a number above 0 and up to 1000, or "server"/);
  });

  it('never builds a session option or statement from a value out of range (nothing to inject)', () => {
    expect(randomPageCostOption(1.1)).toBe('-c random_page_cost=1.1');
    expect(randomPageCostStatement(2)).toBe('SET random_page_cost = 2');
    expect(randomPageCostOption(null)).toBeNull();
    expect(randomPageCostStatement(null)).toBeNull();
    expect(() => randomPageCostOption(Number.NaN)).toThrow(/out of range/);
    expect(() => randomPageCostStatement(0)).toThrow(/out of range/);
  });
});

async function shown(db: Database): Promise<string> {
  const [row] = await db.query<{ random_page_cost: string }>('SHOW random_page_cost');
  return row!.random_page_cost;
}

/** open the same fresh location again with the given setting */
async function reopen(driver: DriverName, env: Record<string, string>, randomPageCost: number | null): Promise<Database> {
  return driver === 'pglite'
    ? openPglite(env.HUB_DATA_DIR!, { randomPageCost })
    : openPostgres({ connectionString: env.DATABASE_URL!, schema: env.HUB_DB_SCHEMA!, randomPageCost });
}

describeEachDriver('planner costs', (driver) => {
  let fresh: FreshDatabase | null = null;
  afterEach(async () => {
    await fresh?.destroy();
    fresh = null;
  });

  it('every session — each pooled connection, inside transactions — runs with the hub setting', async () => {
    fresh = await freshDatabase(driver);
    const db = fresh.db;
    // several at once, so a pool opens several connections
    const seen = await Promise.all(Array.from({ length: 6 }, () => db.transaction((tx) => shown(tx as Database))));
    expect(new Set(seen)).toEqual(new Set(['1.1']));
    expect(await shown(db)).toBe('1.1');
  });

  it('another figure, or the server own setting, when configured', async () => {
    const location = freshLocation(driver);
    try {
      const two = await reopen(driver, location.env, 2);
      expect(await shown(two)).toBe('2');
      await two.close();
      const server = await reopen(driver, location.env, null);
      // PostgreSQL's (and PGlite's) built-in default
      expect(await shown(server)).toBe('4');
      await server.close();
    } finally {
      await location.cleanup();
    }
  });

  it("a push's lookup of ~170 cases among 20,000 probes the index instead of reading the table", async () => {
    fresh = await freshDatabase(driver);
    const db = fresh.db;
    await migrate(db);
    await db.query(
      `INSERT INTO cases (case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq)
       SELECT 'case-' || lpad(s::text, 6, '0'), s, 'p110-a', '兰山区', s FROM generate_series(1, 20000) AS s
        -- in no particular order, as many stations' cases arrive: the table is not in key order
        ORDER BY md5(s::text)`,
    );
    await db.exec('ANALYZE cases');
    const ids = Array.from({ length: 170 }, (_, i) => `case-${String(i * 100 + 7).padStart(6, '0')}`);
    const rows = await db.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT * FROM cases WHERE case_id = ANY($1::text[])', [ids]);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index/);
    expect(plan).not.toMatch(/Seq Scan/);
    const found = await db.query('SELECT case_id FROM cases WHERE case_id = ANY($1::text[])', [ids]);
    expect(found).toHaveLength(170);
  });
});
