/**
 * The hub's PostgreSQL sessions (src-hub/db/pg-driver.ts): they commit synchronously whatever
 * the server's default (an acknowledged push must survive a server crash), and the connection
 * string's own options are kept beside the hub's.
 */
import { describe, expect, it } from 'vitest';
import { beginPush, sqlLiteral, type Database } from '../../src-hub/db/database';
import { connectionConfig, openPostgres, serverDurabilityWarnings } from '../../src-hub/db/pg-driver';
import { POSTGRES_SKIP_REASON, TEST_DATABASE_URL, freshLocation } from './helpers/drivers';

describe('connection configuration', () => {
  it("keeps PGOPTIONS and the string's own options before the hub's (the last setting holds), in every form node-postgres reads", () => {
    const hub = ['-c search_path=hub', '-c synchronous_commit=local'];
    expect(connectionConfig('postgres://u:p%40x@h:5433/db?options=-c%20statement_timeout%3D5000', hub, {})).toEqual({
      user: 'u',
      password: 'p@x',
      host: 'h',
      port: 5433,
      database: 'db',
      options: '-c statement_timeout=5000 -c search_path=hub -c synchronous_commit=local',
    });
    // a unix socket, written with no host before the path (new URL() refuses it)
    expect(connectionConfig('postgres://u@/db?host=/var/run/postgresql&options=-c%20a%3D1', hub, { PGOPTIONS: '-c b=2' })).toMatchObject({
      host: '/var/run/postgresql',
      user: 'u',
      database: 'db',
      options: '-c b=2 -c a=1 -c search_path=hub -c synchronous_commit=local',
    });
    const bare = connectionConfig('postgresql://h/db', [], {});
    expect(bare).toMatchObject({ host: 'h', database: 'db' });
    expect(bare.options).toBeUndefined();
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
  it('flush each commit before it returns where the server would not (synchronous_commit off), and keep the level found otherwise', async () => {
    const location = freshLocation('postgres');
    try {
      const schema = location.env.HUB_DB_SCHEMA!;
      const off = await openPostgres({ connectionString: urlWith('-c synchronous_commit=off'), schema });
      try {
        expect(await everySession(off, 'synchronous_commit')).toEqual(new Set(['local']));
        // the test server runs with fsync and full page writes on
        expect(off.durabilityWarnings).toEqual([]);
      } finally {
        await off.close();
      }
      for (const level of ['on', 'remote_write']) {
        const kept = await openPostgres({ connectionString: urlWith(`-c synchronous_commit=${level}`), schema });
        try {
          expect(await everySession(kept, 'synchronous_commit')).toEqual(new Set([level]));
        } finally {
          await kept.close();
        }
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

  it("plan a push's statements generically, in its transaction only (pulls keep the default)", async () => {
    const location = freshLocation('postgres');
    try {
      const db = await openPostgres({ connectionString: TEST_DATABASE_URL!, schema: location.env.HUB_DB_SCHEMA!, max: 1 });
      try {
        const mode = async (q: Pick<Database, 'query'>) => (await q.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode'))[0]!.plan_cache_mode;
        const inside = await db.transaction(async (tx) => {
          const before = await mode(tx);
          await beginPush(tx, 'p110-a');
          return [before, await mode(tx)];
        });
        expect(inside).toEqual(['auto', 'force_generic_plan']);
        // the pool's one connection, after the push's transaction: back to the default
        expect(await mode(db)).toBe('auto');
        // and after a push whose transaction rolled back
        await expect(
          db.transaction(async (tx) => {
            await beginPush(tx, 'p110-a');
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect(await mode(db)).toBe('auto');
      } finally {
        await db.close();
      }
    } finally {
      await location.cleanup();
    }
  });

  it('send BEGIN with a first statement that has no parameters, inside the transaction; nothing for one that ran nothing', async () => {
    const location = freshLocation('postgres');
    try {
      const db = await openPostgres({ connectionString: TEST_DATABASE_URL!, schema: location.env.HUB_DB_SCHEMA!, max: 1 });
      try {
        await db.exec('CREATE TABLE tx_probe (n int)');
        // the first statement (no parameters) and the next one: one transaction
        const [a, b] = await db.transaction(async (tx) => {
          const first = await tx.query<{ tx: string }>('SELECT txid_current()::text AS tx');
          await tx.query('INSERT INTO tx_probe (n) VALUES ($1)', [1]);
          const second = await tx.query<{ tx: string }>('SELECT txid_current()::text AS tx');
          return [first[0]!, second[0]!];
        });
        expect(b.tx).toBe(a.tx);
        // a transaction whose first statement went with BEGIN rolls back whole
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO tx_probe (n) VALUES (2)');
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect(await db.query('SELECT n FROM tx_probe ORDER BY n')).toEqual([{ n: 1 }]);
        // nothing run, nothing sent: the connection is fine afterwards
        expect(await db.transaction(async () => 'nothing')).toBe('nothing');
        expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe')).toEqual([{ n: 1 }]);
      } finally {
        await db.close();
      }
    } finally {
      await location.cleanup();
    }
  });

  it('write texts as SQL literals that read back the same, quotes and backslashes included', async () => {
    const location = freshLocation('postgres');
    try {
      const db = await openPostgres({ connectionString: TEST_DATABASE_URL!, schema: location.env.HUB_DB_SCHEMA!, max: 1 });
      try {
        for (const text of ['p110-a', "o'brien", 'back\\slash', "both '\\' and ''", '中文站点']) {
          expect((await db.query<{ t: string }>(`SELECT ${sqlLiteral(text)} AS t`))[0]!.t).toBe(text);
        }
      } finally {
        await db.close();
      }
    } finally {
      await location.cleanup();
    }
  });
});
