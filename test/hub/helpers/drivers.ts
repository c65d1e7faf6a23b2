/**
 * The hub suite runs on both database drivers: embedded PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set (e.g. postgres://relay:relay@127.0.0.1:5432/relay_test). Each
 * test file gets a fresh database: a new PGlite folder, or a new random schema that is
 * dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import type { Database } from '../../../src-hub/db/database';
import { migrate } from '../../../src-hub/db/migrations';
import { openPglite } from '../../../src-hub/db/pglite-driver';
import { openPostgres } from '../../../src-hub/db/pg-driver';

export type DriverName = 'pglite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export const POSTGRES_SKIP_REASON =
  'skipped: TEST_DATABASE_URL is not set (e.g. TEST_DATABASE_URL=postgres://relay:relay@127.0.0.1:5432/relay_test)';

export interface FreshDatabase {
  db: Database;
  /** for child processes: the environment that opens the same database */
  env: Record<string, string>;
  /** close and delete everything */
  destroy(): Promise<void>;
}

/** A fresh, unmigrated database folder/schema that is not opened (for child processes). */
export function freshLocation(driver: DriverName): { env: Record<string, string>; cleanup: () => Promise<void> } {
  if (driver === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'relay-hub-test-'));
    return { env: { HUB_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!TEST_DATABASE_URL) throw new Error(POSTGRES_SKIP_REASON);
  const schema = `hub_test_${randomBytes(6).toString('hex')}`;
  return {
    env: { DATABASE_URL: TEST_DATABASE_URL, HUB_DB_SCHEMA: schema },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function freshDatabase(driver: DriverName): Promise<FreshDatabase> {
  const location = freshLocation(driver);
  const db =
    driver === 'pglite'
      ? await openPglite(location.env.HUB_DATA_DIR!)
      : await openPostgres({ connectionString: location.env.DATABASE_URL!, schema: location.env.HUB_DB_SCHEMA! });
  await migrate(db);
  return {
    db,
    env: location.env,
    destroy: async () => {
      await db.close();
      await location.cleanup();
    },
  };
}

/** describe() once per driver; the PostgreSQL one is skipped, saying why, without TEST_DATABASE_URL. */
export function describeEachDriver(name: string, body: (driver: DriverName) => void): void {
  describe(`${name} [PGlite]`, () => body('pglite'));
  if (TEST_DATABASE_URL) describe(`${name} [PostgreSQL]`, () => body('postgres'));
  else {
    console.warn(`[${name}] PostgreSQL variant ${POSTGRES_SKIP_REASON}`);
    describe.skip(`${name} [PostgreSQL] — ${POSTGRES_SKIP_REASON}`, () => body('postgres'));
  }
}
