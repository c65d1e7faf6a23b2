/**
 * Pushes that arrive together (push.ts; on PostgreSQL they form write groups, write-groups.ts:
 * one leader writes every member's batch in one transaction with one COMMIT). Whatever the
 * grouping, each event is stored once, numbered in commit order without gaps, and pulled once;
 * a group whose transaction fails loses nothing: every member is written again alone. On
 * PostgreSQL every case runs twice: the groups formed and written by the writer thread
 * (pg-writer.ts), and by a leader on its own connection (as when that thread has stopped).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../src-common/domain';
import type { Database, Queryable } from '../../src-hub/db/database';
import type { ThreadStatement, ThreadWriter } from '../../src-hub/db/pg-writer';
import { pushEvents } from '../../src-hub/sync/push';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { pullAll, startHub, type Hub } from './helpers/hub-harness';

interface WriteStats {
  /** guarded or plain batch writes run (batch-write.ts) */
  writes: number;
  /** the most batch writes one transaction ran */
  mostInOneTransaction: number;
  failures: number;
}

/** Where a group's writes run on PostgreSQL: the writer thread, or the leader's own connection. */
type WritePath = 'writer thread' | 'own connection';

const isBatchWrite = (sql: string) => sql.includes('INSERT INTO events (hub_seq');

/**
 * The hub's database, watched at the batch write: optionally slowing the first one (so that
 * other pushes queue meanwhile), failing one (fail(inTransaction, overall) → true), or holding
 * a transaction that wrote batches before its COMMIT. With path 'writer thread' the database's
 * writer thread is watched the same way (a failing write is sent as a statement that fails, a
 * late COMMIT as pg_sleep before it); with 'own connection' the database has none.
 */
function watched(
  db: Database,
  path: WritePath,
  options: { slowFirstMs?: number; slowCommitMs?: number; fail?: (inTransaction: number, overall: number) => boolean } = {},
) {
  const stats: WriteStats = { writes: 0, mostInOneTransaction: 0, failures: 0 };
  /** a batch write about to run: slowed, or told to fail */
  const before = async (inTx: { n: number } | null): Promise<boolean> => {
    const overall = ++stats.writes;
    const here = inTx ? ++inTx.n : 1;
    stats.mostInOneTransaction = Math.max(stats.mostInOneTransaction, here);
    if (overall === 1 && options.slowFirstMs) await sleep(options.slowFirstMs);
    const fail = options.fail?.(here, overall) ?? false;
    if (fail) stats.failures++;
    return fail;
  };
  const wrap = (q: Queryable, inTx: { n: number } | null): Queryable => ({
    query: async (sql, params, queryOptions) => {
      if (isBatchWrite(sql) && (await before(inTx))) throw new Error('injected: the batch write failed');
      return q.query(sql, params, queryOptions);
    },
    exec: (sql) => q.exec(sql),
  });
  const writer = db.threadWriter;
  const slowCommit = path === 'writer thread' && writer && options.slowCommitMs ? lateCommits(db, options.slowCommitMs) : null;
  const threadWriter: ThreadWriter | undefined =
    path === 'writer thread' && writer
      ? {
          get healthy() {
            return writer.healthy;
          },
          run: async (statements) => {
            const inTx = { n: 0 };
            const sent: ThreadStatement[] = [];
            for (const st of statements) {
              if (isBatchWrite(st.sql) && (await before(inTx))) sent.push({ sql: 'SELECT 1 / 0 AS injected_failure', params: [] });
              else sent.push(st);
            }
            // a transaction that wrote batches commits late: nobody may hear of them before
            if (inTx.n > 0 && options.slowCommitMs) sent.push({ sql: 'SELECT pg_sleep($1)', params: [options.slowCommitMs / 1000] });
            return writer.run(sent);
          },
          // the thread forms the groups itself: the first write is slowed by an opening of its
          // own (so it is written alone, while the others queue for the next group); a write
          // told to fail is sent as a statement that fails (its whole group with it); a late
          // COMMIT is a deferred trigger (slowCommit) that sleeps as the transaction commits
          join: async (opening, member) => {
            await slowCommit;
            const overall = ++stats.writes;
            // the first write has a group to itself: the n-th after it is the (n-1)-th of the next
            const fail = options.fail?.(overall === 1 ? 1 : overall - 1, overall) ?? false;
            if (fail) stats.failures++;
            const slow = overall === 1 && options.slowFirstMs;
            const open = slow ? { ...opening, sql: `${opening.sql}, pg_sleep(${options.slowFirstMs! / 1000})` } : opening;
            return writer.join(open, fail ? { sql: 'SELECT 1 / 0 AS injected_failure', params: [] } : member);
          },
          close: () => writer.close(),
        }
      : undefined;
  const outside = wrap(db, null);
  const database: Database = {
    kind: db.kind,
    query: outside.query,
    exec: outside.exec,
    ...(threadWriter ? { threadWriter } : {}),
    transaction: (fn) =>
      db.transaction(async (tx) => {
        const inTx = { n: 0 };
        const result = await fn(wrap(tx, inTx));
        // a transaction that wrote batches commits late: nobody may hear of them before
        if (inTx.n > 0 && options.slowCommitMs) await sleep(options.slowCommitMs);
        return result;
      }),
    close: () => db.close(),
  };
  return {
    database,
    stats,
    /** ends what watching changed in the database (the late-commit trigger) */
    done: async () => {
      if (slowCommit) await db.exec((await slowCommit).drop);
    },
  };
}

/**
 * Every transaction that stores events sleeps `ms` as it commits (a deferred constraint
 * trigger, run at COMMIT, once a transaction): what the writer thread commits, commits late.
 */
async function lateCommits(db: Database, ms: number): Promise<{ drop: string }> {
  await db.exec(`
    CREATE FUNCTION late_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('relay_test.late', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('relay_test.late', 'yes', true);
        PERFORM pg_sleep(${ms / 1000});
      END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER late_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION late_commit();`);
  return { drop: 'DROP TRIGGER late_commit ON events; DROP FUNCTION late_commit();' };
}

/** The most of these stations' pushes one transaction stored (events of one transaction share xmin). */
async function mostPushesInOneTransaction(db: Database, stationIds: readonly string[]): Promise<number> {
  if (db.kind !== 'postgres') return 1;
  const [row] = await db.query<{ n: number | null }>(
    `SELECT max(n)::int AS n FROM (SELECT count(DISTINCT station_id) AS n FROM events WHERE station_id = ANY($1::text[]) GROUP BY xmin::text) t`,
    [stationIds],
  );
  return Number(row?.n ?? 0);
}

describeEachDriver('pushes arriving together', (driver) => {
  let hub: Hub;
  const supervisor = Desk.of('gc-sup', 'supervisor', '全市');

  beforeAll(async () => {
    hub = await startHub(driver);
    supervisor.token = await hub.register(supervisor.info);
  }, 120_000);
  afterAll(async () => hub?.close());

  async function desks(prefix: string, n: number): Promise<Desk[]> {
    const out: Desk[] = [];
    for (let i = 0; i < n; i++) {
      const d = Desk.of(`${prefix}-${i}`, 'police110');
      d.token = await hub.register(d.info);
      out.push(d);
    }
    return out;
  }

  function intakes(d: Desk, cases: number): RelayEvent[] {
    const out: RelayEvent[] = [];
    for (let i = 0; i < cases; i++) {
      const c = d.created();
      out.push(c, d.screened(c.caseId), d.transferred(c.caseId, toHotline()));
    }
    return out;
  }

  async function logNumbers(): Promise<{ n: number; min: number; max: number }> {
    const [row] = await hub.db.query<{ n: number; min: number; max: number }>('SELECT count(*)::int AS n, min(hub_seq) AS min, max(hub_seq) AS max FROM events');
    return { n: Number(row!.n), min: Number(row!.min), max: Number(row!.max) };
  }

  async function heldOf(stationId: string): Promise<Array<{ seq: number; hub_seq: number }>> {
    return hub.db.query<{ seq: number; hub_seq: number }>('SELECT seq, hub_seq FROM events WHERE station_id = $1 ORDER BY seq', [stationId]);
  }

  const paths: WritePath[] = driver === 'postgres' ? ['writer thread', 'own connection'] : ['own connection'];
  describe.each(paths)(driver === 'postgres' ? 'groups written on the %s' : 'each push written by itself', (path) => {
  // station ids of their own for each path (one hub for both)
  const tag = path === 'writer thread' ? 't' : 'o';
  it('every event is stored once, numbered in commit order without gaps, and pulled once', async () => {
    const before = await logNumbers();
    const group = await desks(`gc-a-${tag}`, 8);
    const { database, stats, done } = watched(hub.db, path, { slowFirstMs: 300, slowCommitMs: 150 });
    const batches = group.map((d) => intakes(d, 15));
    // what another connection sees of a push's events the moment its push answers
    const visibleAtAnswer: number[] = [];
    const outcomes = await Promise.all(
      group.map(async (d, i) => {
        const outcome = await pushEvents(database, d.info, batches[i]!);
        visibleAtAnswer[i] = (await heldOf(d.info.stationId)).length;
        return outcome;
      }),
    );
    // answered only once committed: on PostgreSQL a member hears of its write only after the
    // leader's (delayed) COMMIT; on PGlite each push writes and commits its own statement
    expect(visibleAtAnswer).toEqual(group.map(() => 45));
    for (const [i, o] of outcomes.entries()) {
      expect(o.response.results.map((r) => r.status)).toEqual(batches[i]!.map(() => 'accepted'));
      expect(o.response.contiguousSeq).toBe(45);
      const held = await heldOf(group[i]!.info.stationId);
      expect(held.map((h) => Number(h.seq))).toEqual(batches[i]!.map((e) => e.seq));
      // the numbers the push answered are the ones stored, rising with the station's seq
      expect(held.map((h) => Number(h.hub_seq))).toEqual(o.response.results.map((r) => (r.status === 'accepted' ? r.hubSeq : -1)));
      expect([...held.map((h) => Number(h.hub_seq))].sort((a, b) => a - b)).toEqual(held.map((h) => Number(h.hub_seq)));
    }
    expect(await logNumbers()).toEqual({ n: before.n + 8 * 45, min: 1, max: before.max + 8 * 45 });
    await done();
    expect(stats.writes).toBe(8);
    // on PostgreSQL the pushes that queued behind the slow first write were written by one
    // transaction (the writer thread's next group, or one leader's)
    const most = await mostPushesInOneTransaction(hub.db, group.map((d) => d.info.stationId));
    if (driver === 'postgres') expect(most).toBeGreaterThan(1);
    else expect(stats.mostInOneTransaction).toBe(1);
    if (path === 'own connection') expect(stats.mostInOneTransaction).toBe(most);

    const pulled = await pullAll(hub.url, supervisor.token, '0');
    const ids = pulled.events.map((e) => e.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const mine = new Set(batches.flat().map((e) => e.id));
    expect(ids.filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
    const numbers = pulled.events.map((e) => e.hubSeq);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('a group whose transaction fails is written again push by push: nothing lost, nothing twice', async () => {
    const before = await logNumbers();
    const group = await desks(`gc-b-${tag}`, 6);
    // PostgreSQL: the second write of a transaction fails, once, after the leader's own was
    // written in it (rolled back with it); PGlite (no groups, each write its own statement):
    // the first write fails, writing nothing
    let failed = false;
    const { database, stats } = watched(hub.db, path, {
      slowFirstMs: 300,
      fail: (inTransaction, overall) => {
        const now = !failed && (driver === 'postgres' ? inTransaction === 2 : overall === 1);
        failed ||= now;
        return now;
      },
    });
    const batches = group.map((d) => intakes(d, 10));
    const settled = await Promise.allSettled(group.map((d, i) => pushEvents(database, d.info, batches[i]!)));
    expect(stats.failures).toBe(1);
    // PostgreSQL: the group's members were told nothing was written, and each wrote alone;
    // PGlite: the push whose write failed was judged again and written under the lock
    expect(settled.map((s) => s.status)).toEqual(group.map(() => 'fulfilled'));
    for (const [i, s] of settled.entries()) {
      // a push that failed is sent again by its station: accepted now, once
      const outcome = s.status === 'fulfilled' ? s.value : await pushEvents(database, group[i]!.info, batches[i]!);
      expect(outcome.response.results.map((r) => r.status)).toEqual(batches[i]!.map(() => 'accepted'));
      const held = await heldOf(group[i]!.info.stationId);
      expect(held.map((h) => Number(h.seq))).toEqual(batches[i]!.map((e) => e.seq));
    }
    expect(await logNumbers()).toEqual({ n: before.n + 6 * 30, min: 1, max: before.max + 6 * 30 });
    expect(hub.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a batch pushed again while its first push waits in a group is stored once: the second finds it held', async () => {
    const [d] = await desks(`gc-c-${tag}`, 1);
    const others = await desks(`gc-c-other-${tag}`, 3);
    const { database } = watched(hub.db, path, { slowFirstMs: 200 });
    const mine = intakes(d!, 5);
    const pushes = [
      ...others.map((o) => pushEvents(database, o.info, intakes(o, 5))),
      pushEvents(database, d!.info, mine),
      pushEvents(database, d!.info, mine),
    ];
    const outcomes = await Promise.all(pushes);
    const [first, second] = outcomes.slice(-2).map((o) => o.response.results.map((r) => r.status));
    expect([first, second].sort()).toEqual([mine.map(() => 'accepted'), mine.map(() => 'duplicate')].sort());
    expect((await heldOf(d!.info.stationId)).map((h) => Number(h.seq))).toEqual(mine.map((e) => e.seq));
  });

  it('two desks acknowledging one transfer at once, written in one group: the second is judged again alone, both kept', async () => {
    const p110 = Desk.of(`gc-d-p110-${tag}`, 'police110');
    const hotlineA = Desk.of(`gc-d-h1-${tag}`, 'hotline12345', '全市');
    const hotlineB = Desk.of(`gc-d-h2-${tag}`, 'hotline12345', '全市');
    for (const d of [p110, hotlineA, hotlineB]) d.token = await hub.register(d.info);
    const c = p110.created();
    await pushEvents(hub.db, p110.info, [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())]);
    // both desks have the transfer (the hub judges their acknowledgements by what it handed them)
    for (const d of [hotlineA, hotlineB]) await pullAll(hub.url, d.token, '0');
    const fillers = await desks(`gc-d-fill-${tag}`, 3);
    const { database, stats } = watched(hub.db, path, { slowFirstMs: 300 });
    const ackA = hotlineA.acknowledged(c.caseId, 'transfer');
    const ackB = hotlineB.acknowledged(c.caseId, 'transfer');
    const [first, ...rest] = fillers;
    // the first push's slow write holds the lock while the others queue: the acknowledgements
    // are read ahead on the same rows, then written in the next group
    const pushes = [
      pushEvents(database, first!.info, intakes(first!, 5)),
      ...rest.map((d) => pushEvents(database, d.info, intakes(d, 5))),
      pushEvents(database, hotlineA.info, [ackA]),
      pushEvents(database, hotlineB.info, [ackB]),
    ];
    const outcomes = await Promise.all(pushes);
    expect(outcomes.slice(-2).map((o) => o.response.results[0]!.status)).toEqual(['accepted', 'accepted']);
    const held = await hub.db.query<{ event_id: string }>('SELECT event_id FROM events WHERE case_id = $1 ORDER BY hub_seq', [c.caseId]);
    expect(held.map((h) => h.event_id).slice(-2).sort()).toEqual([ackA.id, ackB.id].sort());
    if (driver === 'postgres') {
      expect(await mostPushesInOneTransaction(hub.db, [...fillers, hotlineA, hotlineB].map((d) => d.info.stationId))).toBeGreaterThan(1);
      // one guarded write did not apply (its case had changed) and was written again alone
      expect(stats.writes).toBe(pushes.length + 1);
    }
  });
});
});
