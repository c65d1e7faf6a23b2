/**
 * The PostgreSQL writer thread (src-hub/db/pg-writer.ts): statements in one transaction on a
 * connection configured as the pool's, all or nothing; a connection lost is replaced; a thread
 * that stops says so and fails what it had in hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src-hub/db/pg-driver';
import { startThreadWriter } from '../../src-hub/db/pg-writer';
import type { Database } from '../../src-hub/db/database';
import { POSTGRES_SKIP_REASON, TEST_DATABASE_URL, freshLocation } from './helpers/drivers';

describe('a writer thread that cannot start', () => {
  it('is not healthy, says why once, and fails every transaction asked of it', async () => {
    const reasons: string[] = [];
    const writer = startThreadWriter({}, (r) => reasons.push(r), new URL('./fixtures/writer-thread-crashes.mjs', import.meta.url));
    await expect(writer.run([{ sql: 'SELECT 1', params: [] }])).rejects.toThrow(/writer thread stopped/);
    expect(writer.healthy).toBe(false);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/injected: the writer thread fails at start/);
    await expect(writer.run([{ sql: 'SELECT 1', params: [] }])).rejects.toThrow(/writer thread stopped/);
    await expect(writer.join({ sql: 'SELECT 1', params: [] }, { sql: 'SELECT 1', params: [] })).rejects.toThrow(/writer thread stopped/);
    await writer.close();
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`the writer thread on PostgreSQL${TEST_DATABASE_URL ? '' : ` (${POSTGRES_SKIP_REASON})`}`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let schema: string;

  beforeAll(async () => {
    const location = freshLocation('postgres');
    cleanup = location.cleanup;
    schema = location.env.HUB_DB_SCHEMA!;
    const url = new URL(TEST_DATABASE_URL!);
    // a server default of asynchronous commits: the thread's sessions must pin it as the pool's do
    url.searchParams.set('options', '-c synchronous_commit=off');
    db = await openPostgres({ connectionString: url.toString(), schema });
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, note text NOT NULL)');
  });
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });

  const writer = () => db.threadWriter!;

  it("runs statements in order in one transaction, with the pool's session settings, answering each one's rows", async () => {
    expect(writer().healthy).toBe(true);
    const rows = await writer().run([
      { sql: "SELECT current_setting('synchronous_commit') AS sc, current_setting('search_path') AS sp, txid_current() AS tx", params: [] },
      { sql: 'INSERT INTO t (id, note) VALUES ($1, $2), ($3, $4) RETURNING id', params: [1, 'a', 2, 'b'], prepare: true },
      { sql: 'SELECT count(*)::int AS n, txid_current() AS tx FROM t', params: [] },
    ]);
    expect(rows[0]![0]).toMatchObject({ sc: 'local', sp: schema });
    expect(rows[1]!.map((r) => r.id)).toEqual([1, 2]);
    // the insert is seen by the next statement of the same transaction
    expect(rows[2]![0]).toMatchObject({ n: 2, tx: rows[0]![0]!.tx });
    expect(await db.query('SELECT id, note FROM t ORDER BY id')).toEqual([
      { id: 1, note: 'a' },
      { id: 2, note: 'b' },
    ]);
  });

  it('keeps nothing of a transaction in which a statement fails, says why (SQLSTATE kept), and goes on', async () => {
    const failing = writer().run([
      { sql: 'INSERT INTO t (id, note) VALUES (3, $1)', params: ['c'] },
      { sql: 'INSERT INTO t (id, note) VALUES (1, $1)', params: ['again'] },
    ]);
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual([1, 2]);
    await writer().run([{ sql: 'INSERT INTO t (id, note) VALUES (3, $1)', params: ['c'] }]);
    expect((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('opens a new connection when the server ended its own, between transactions and in the middle of one', async () => {
    const pidOf = async () => (await writer().run([{ sql: 'SELECT pg_backend_pid() AS pid', params: [] }]))[0]![0]!.pid as number;
    const first = await pidOf();
    await db.query('SELECT pg_terminate_backend($1)', [first]);
    // the thread may first hear of it when it next writes: that transaction fails, never half-done
    let second: number | null = null;
    for (let i = 0; i < 3 && second === null; i++) second = await pidOf().catch(() => null);
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);

    // ended while a transaction waits: it fails, nothing of it is kept, the next one works
    const slow = writer().run([
      { sql: 'INSERT INTO t (id, note) VALUES (4, $1)', params: ['d'] },
      { sql: 'SELECT pg_sleep(5)', params: [] },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await db.query('SELECT pg_terminate_backend($1)', [second]);
    await expect(slow).rejects.toThrow();
    expect((await db.query<{ id: number }>('SELECT id FROM t WHERE id = 4'))).toEqual([]);
    let third: number | null = null;
    for (let i = 0; i < 3 && third === null; i++) third = await pidOf().catch(() => null);
    expect(third).not.toBeNull();
    expect(writer().healthy).toBe(true);
  });

  it('writes the members that join while a transaction runs as one group, in the order they came, each answered once committed', async () => {
    const lock = { sql: "SELECT set_config('relay.test', 'group', true)", params: [] };
    // a transaction in hand: the joins below wait for it, then go together
    const busy = writer().run([{ sql: 'SELECT pg_sleep(0.3)', params: [] }]);
    await new Promise((r) => setTimeout(r, 50));
    const members = [10, 11, 12, 13].map((id) =>
      writer().join(lock, {
        sql: "INSERT INTO t (id, note) VALUES ($1, current_setting('relay.test')) RETURNING id, txid_current() AS tx, (SELECT count(*)::int FROM t WHERE id >= 10) AS seen",
        params: [id],
        prepare: true,
      }),
    );
    await busy;
    const rows = (await Promise.all(members)).map((r) => r[0]!);
    expect(rows.map((r) => r.id)).toEqual([10, 11, 12, 13]);
    // one transaction, after the opening statement, each member seeing the ones written before it
    expect(new Set(rows.map((r) => String(r.tx))).size).toBe(1);
    expect(rows.map((r) => r.seen)).toEqual([0, 1, 2, 3]);
    expect(await db.query('SELECT note FROM t WHERE id >= 10 ORDER BY id')).toEqual(rows.map(() => ({ note: 'group' })));
  });

  it('fails every member of a group when one member fails: nothing of the group is kept, the next group is written', async () => {
    const lock = { sql: 'SELECT 1', params: [] };
    const busy = writer().run([{ sql: 'SELECT pg_sleep(0.3)', params: [] }]);
    await new Promise((r) => setTimeout(r, 50));
    const group = [
      writer().join(lock, { sql: 'INSERT INTO t (id, note) VALUES (20, $1)', params: ['kept?'] }),
      writer().join(lock, { sql: 'INSERT INTO t (id, note) VALUES (1, $1)', params: ['taken'] }),
    ];
    const settled = await Promise.allSettled(group);
    await busy;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(await db.query('SELECT id FROM t WHERE id = 20')).toEqual([]);
    await writer().join(lock, { sql: 'INSERT INTO t (id, note) VALUES (20, $1)', params: ['kept'] });
    expect(await db.query('SELECT note FROM t WHERE id = 20')).toEqual([{ note: 'kept' }]);
  });

  it('finishes what it has in hand before closing, and then refuses more', async () => {
    const other = await openPostgres({ connectionString: TEST_DATABASE_URL!, schema });
    const w = other.threadWriter!;
    const inHand = w.run([{ sql: 'SELECT pg_sleep(0.2)', params: [] }, { sql: 'INSERT INTO t (id, note) VALUES (5, $1)', params: ['e'] }]);
    const joinedInHand = w.join({ sql: 'SELECT 1', params: [] }, { sql: 'INSERT INTO t (id, note) VALUES (6, $1)', params: ['f'] });
    const closed = other.close();
    await inHand;
    await joinedInHand;
    await closed;
    expect(w.healthy).toBe(false);
    await expect(w.run([{ sql: 'SELECT 1', params: [] }])).rejects.toThrow(/closing|stopped/);
    expect(await db.query('SELECT note FROM t WHERE id = 5')).toEqual([{ note: 'e' }]);
    expect(await db.query('SELECT note FROM t WHERE id = 6')).toEqual([{ note: 'f' }]);
    await expect(w.join({ sql: 'SELECT 1', params: [] }, { sql: 'SELECT 1', params: [] })).rejects.toThrow(/closing|stopped/);
  });
});
