/**
 * Killed mid-batch: the hub runs as its own process (node --import tsx src-hub/main.ts, as
 * `npm run hub` does), a large batch is pushed and the process is SIGKILLed while it is
 * processing it. Restarted on the same data, the database must open, the batch must be all
 * there or not there at all (one transaction), and re-pushing it must leave every event
 * exactly once. Also: a batch the hub has acknowledged survives a SIGKILL right after.
 *
 * For PGlite this checks the embedded engine's crash safety on a real data folder. (Process
 * death, not power loss: that PGlite syncs each commit is checked in durable-pglite.test.ts.)
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RelayEvent } from '../../src-common/domain';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver, freshLocation } from './helpers/drivers';
import { startChild, kill, type Running } from './helpers/hub-child';
import { ADMIN_TOKEN, pullAll, push, request } from './helpers/hub-harness';

/** 500 events (100 cases × 5), about 0.9 MB of JSON: the largest batch the protocol allows. */
function bigBatch(d: Desk, tag: string): RelayEvent[] {
  const events: RelayEvent[] = [];
  for (let i = 0; i < 100; i++) {
    const c = d.created(`${tag} 第 ${i} 件：${'供水管道爆裂，楼道积水，整栋楼停水。'.repeat(28)}`);
    events.push(c, d.screened(c.caseId), d.note(c.caseId), d.note(c.caseId), d.transferred(c.caseId, toHotline()));
  }
  return events;
}

describeEachDriver('hub killed mid-batch (SIGKILL)', (driver) => {
  let location: ReturnType<typeof freshLocation>;
  let hub: Running | undefined;
  const desk = Desk.of('p110-crash', 'police110', '兰山区');

  beforeAll(() => {
    location = freshLocation(driver);
  });
  afterAll(async () => {
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGKILL');
      await hub.exited;
    }
    await location?.cleanup();
  });

  it(
    'a batch killed in processing is all or nothing; re-pushing leaves every event exactly once; an acknowledged batch survives',
    async () => {
      hub = await startChild(location.env);
      const reg = await request<{ token: string }>(hub.url, 'POST', '/admin/stations', { token: ADMIN_TOKEN, body: desk.info });
      expect(reg.status).toBe(201);
      desk.token = reg.body.token;

      // When to kill: before each killed batch, a calibration batch (not killed) on the same
      // process shows when the hub's handler gets a batch and when its transaction commits
      // (the hub logs both, with time), measured from sending. The next batch is then killed
      // before the handler, at 20 %, 50 % or 80 % of that processing window (mid-transaction),
      // or after the commit. (The log cannot time the kill live: while PGlite works the event
      // loop is busy, and log lines leave the process only afterwards.)
      const outcomes: string[] = [];
      const batches: RelayEvent[][] = [];
      const calibrate = async (): Promise<{ from: number; to: number }> => {
        const batch = bigBatch(desk, 'calibration');
        batches.push(batch);
        const sentAt = Date.now();
        expect((await push(hub!.url, desk.token, batch)).status).toBe(200);
        // log lines of this batch (they may arrive after the answer)
        const done = await hub!.waitFor((l) => l.msg === 'push' && l.firstEventId === batch[0]!.id);
        const got = await hub!.waitFor((l) => l.msg === 'push: received' && l.firstEventId === batch[0]!.id);
        return { from: Number(got.time) - sentAt, to: Number(done.time) - sentAt };
      };
      const plan: Array<[string, (w: { from: number; to: number }) => number]> = [
        ['before the handler', (w) => Math.max(1, Math.floor(w.from / 3))],
        ['20 % into processing', (w) => Math.round(w.from + 0.2 * (w.to - w.from))],
        ['50 % into processing', (w) => Math.round(w.from + 0.5 * (w.to - w.from))],
        ['80 % into processing', (w) => Math.round(w.from + 0.8 * (w.to - w.from))],
        ['after the commit', (w) => w.to + 150],
      ];
      const counts = { committed: 0, notCommitted: 0 };
      for (const [when, at] of plan) {
        const window = await calibrate();
        const delayMs = at(window);
        const batch = bigBatch(desk, `${when}`);
        batches.push(batch);
        expect(Buffer.byteLength(JSON.stringify({ protocol: 1, events: batch }))).toBeLessThan(1024 * 1024);
        const pushing = push(hub.url, desk.token, batch).then(
          (r) => `answered ${r.status}`,
          () => 'no answer',
        );
        await new Promise((r) => setTimeout(r, delayMs));
        await kill(hub);
        const answer = await pushing;

        // restart on the same data: it opens, and the batch is all there or not at all
        hub = await startChild(location.env);
        const health = await request<{ ok: boolean; database: string }>(hub.url, 'GET', '/health');
        expect(health.body).toMatchObject({ ok: true, database: driver });
        const held = new Set((await pullAll(hub.url, desk.token, '0', 2000)).events.map((e) => e.event.id));
        const present = batch.filter((e) => held.has(e.id)).length;
        expect([0, batch.length]).toContain(present);
        if (answer === 'answered 200') expect(present).toBe(batch.length);
        counts[present === 0 ? 'notCommitted' : 'committed']++;
        outcomes.push(
          `killed ${when}: ${delayMs} ms after sending (window ${window.from}–${window.to} ms), ${answer}: ${present === 0 ? 'not committed, nothing of it stored' : 'committed, all of it stored'}`,
        );

        // the station got no answer: it sends the batch again
        const again = await push(hub.url, desk.token, batch);
        expect(again.status).toBe(200);
        const statuses = new Set(again.body.results.map((r) => r.status));
        expect([...statuses]).toEqual([present === 0 ? 'accepted' : 'duplicate']);
      }
      outcomes.push(`${counts.notCommitted} killed batches not committed, ${counts.committed} committed`);

      if (driver === 'postgres') {
        // On PostgreSQL the kill can be put exactly mid-transaction: hold the row the push
        // updates last, so it waits with its events already written; then kill the hub.
        const blocker = new pg.Client({ connectionString: location.env.DATABASE_URL });
        await blocker.connect();
        try {
          await blocker.query(`SET search_path = ${location.env.HUB_DB_SCHEMA}`);
          await blocker.query('BEGIN');
          await blocker.query('SELECT 1 FROM station_progress WHERE station_id = $1 FOR UPDATE', [desk.info.stationId]);
          const batch = bigBatch(desk, 'blocked mid-transaction');
          batches.push(batch);
          const pushing = push(hub.url, desk.token, batch).catch(() => 'no answer');
          let waiting = false;
          for (let i = 0; i < 200 && !waiting; i++) {
            await new Promise((r) => setTimeout(r, 50));
            // blocked by us, holding a write lock on events: its events are written
            const rows = await blocker.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity a
                WHERE pg_backend_pid() = ANY (pg_blocking_pids(a.pid))
                  AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted
                                AND l.relation = 'events'::regclass AND l.mode = 'RowExclusiveLock')`,
            );
            waiting = rows.rows[0].n > 0;
          }
          expect(waiting, 'the push waits inside its transaction, its events written').toBe(true);
          await kill(hub);
          expect(await pushing).toBe('no answer');
          await blocker.query('ROLLBACK');
          hub = await startChild(location.env);
          const held = new Set((await pullAll(hub.url, desk.token, '0', 2000)).events.map((e) => e.event.id));
          expect(batch.filter((e) => held.has(e.id))).toHaveLength(0);
          outcomes.push('killed while blocked mid-transaction (events written, not committed): nothing of it stored');
          const again = await push(hub.url, desk.token, batch);
          expect(again.body.results.every((r) => r.status === 'accepted')).toBe(true);
        } finally {
          await blocker.end();
        }
      }

      // an acknowledged batch survives a kill right after the answer
      const acked = bigBatch(desk, 'acknowledged');
      batches.push(acked);
      const res = await push(hub.url, desk.token, acked);
      expect(res.status).toBe(200);
      expect(res.body.results.every((r) => r.status === 'accepted')).toBe(true);
      await kill(hub);
      hub = await startChild(location.env);

      const all = (await pullAll(hub.url, desk.token, '0', 2000)).events;
      const ids = all.map((e) => e.event.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(batches.flat().map((e) => e.id)));
      for (let i = 1; i < all.length; i++) expect(all[i]!.hubSeq).toBeGreaterThan(all[i - 1]!.hubSeq);
      const me = await push(hub.url, desk.token, [desk.note(acked[0]!.caseId)]);
      expect(me.body).toMatchObject({ gaps: [], contiguousSeq: desk.seq });

      // and a clean stop is clean
      hub.child.kill('SIGTERM');
      expect(await hub.exited).toEqual({ code: 0, signal: null });
      expect(hub.lines.some((l) => l.msg === 'hub stopped')).toBe(true);
      console.info(`[${driver}] SIGKILL outcomes:\n  ${outcomes.join('\n  ')}`);
    },
    240_000,
  );
});
