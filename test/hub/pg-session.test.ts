/**
 * The hub's PostgreSQL sessions (src-hub/db/pg-driver.ts): they commit synchronously whatever
 * the server's default (an acknowledged push must survive a server crash), and the connection
 * string's own options are kept beside the hub's.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src-hub/db/database';
import { connectionOptions, openPostgres, serverDurabilityWarnings, withoutOptions } from '../../src-hub/db/pg-driver';
import { POSTGRES_SKIP_REASON, TEST_DATABASE_URL, freshLocation } from './helpers/drivers';

describe('connection string options', () => {
  it('are read from the options parameter, decoded; none is empty', () => {
    expect(connectionOptions('postgres://u:p@h:5432/db?options=-c%20statement_timeout%3D5000')).toBe('-c statement_timeout=5000');
    expect(connectionOptions('postgres://u:p@h:5432/db?sslmode=disable')).toBe('');
    expect(connectionOptions('not a url')).toBe('');
    expect(withoutOptions('postgres://u:p@h:5432/db?options=-c%20x%3D1&sslmode=disable')).toBe('postgres://u:p@h:5432/db?sslmode=disable');
    expect(withoutOptions('postgres://u:p@h:5432/db')).toBe('postgres://u:p@h:5432/db');
  });
});

describe('server settings that take durability from acknowledged pushes', () => {
  it('are named in words for the log: fsync off, full_page_writes off; none when both are on', () => {
    expect(serverDurabilityWarnings({ fsync: 'on', full_page_writes: 'on' })).toEqual([]);
    const both = serverDurabilityWarnings({ fsync: 'off', full_page_writes: 'off' });
    expect(both).toHaveLength(2);
    expect(both[0]).toMatch(/fsync = off.*acknowledged/);
    expect(both[1]).toMatch(/full_page_writes = off/);
    expect(serverDurabilityWarnings({})).toEqual([]);
  });
});

/** The test database, as seen through a connection string carrying these session options. */
function urlWith(options: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('options', options);
  return url.toString();
}

async function everySession(db: Database, setting: string): Promise<Set<string>> {
  // several at once, so the pool opens several connections; inside transactions too
  const seen = await Promise.all(
    Array.from({ length: 5 }, () => db.transaction(async (tx) => (await tx.query<Record<string, string>>(`SHOW ${setting}`))[0]![setting]!)),
  );
  return new Set([...seen, (await db.query<Record<string, string>>(`SHOW ${setting}`))[0]![setting]!]);
}

describe.skipIf(!TEST_DATABASE_URL)(`hub sessions on PostgreSQL${TEST_DATABASE_URL ? '' : ` (${POSTGRES_SKIP_REASON})`}`, () => {
  it('commit synchronously when the server would not (synchronous_commit off), and keep a stronger level', async () => {
    const location = freshLocation('postgres');
    try {
      const schema = location.env.HUB_DB_SCHEMA!;
      const off = await openPostgres({ connectionString: urlWith('-c synchronous_commit=off'), schema });
      try {
        expect(await everySession(off, 'synchronous_commit')).toEqual(new Set(['on']));
        // the test server runs with fsync and full page writes on
        expect(off.durabilityWarnings).toEqual([]);
      } finally {
        await off.close();
      }
      const local = await openPostgres({ connectionString: urlWith('-c synchronous_commit=local'), schema });
      try {
        expect(await everySession(local, 'synchronous_commit')).toEqual(new Set(['local']));
      } finally {
        await local.close();
      }
    } finally {
      await location.cleanup();
    }
  });

  it("keep the connection string's own options beside the hub's schema and planner cost", async () => {
    const location = freshLocation('postgres');
    try {
      const db = await openPostgres({ connectionString: urlWith('-c statement_timeout=12345'), schema: location.env.HUB_DB_SCHEMA! });
      try {
        expect(await everySession(db, 'statement_timeout')).toEqual(new Set(['12345ms']));
        expect(await everySession(db, 'random_page_cost')).toEqual(new Set(['1.1']));
        expect(await everySession(db, 'search_path')).toEqual(new Set([location.env.HUB_DB_SCHEMA!]));
      } finally {
        await db.close();
      }
    } finally {
      await location.cleanup();
    }
  });
});
