/**
 * On PostgreSQL a push reads its context before taking the sync lock, judges the batch on it,
 * and writes with one guarded statement under the lock (batch-context.ts, batch-write.ts):
 * written only if nothing the context depends on changed meanwhile, its hub numbers moved up
 * by what the log grew; otherwise it reads again under the lock. Nothing is stored twice,
 * nothing judged on stale rows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StationInfo } from '../../src-common/protocol/v1';
import { readBatchContext } from '../../src-hub/sync/batch-context';
import { writeBatch, type BatchWrite } from '../../src-hub/sync/batch-write';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { pullAll, push, pushKnowing, startHub, type Hub } from './helpers/hub-harness';

describeEachDriver('push reads ahead of the lock', (driver) => {
  let hub: Hub;
  const p110 = Desk.of('ra-p110', 'police110');
  const hotline = Desk.of('ra-h12345', 'hotline12345', '全市');
  const hotline2 = Desk.of('ra-h12345-b', 'hotline12345', '全市');

  beforeAll(async () => {
    hub = await startHub(driver);
    for (const d of [p110, hotline, hotline2]) d.token = await hub.register(d.info);
  }, 120_000);
  afterAll(async () => hub?.close());

  const batchOf = (events: Array<{ id: string; caseId: string; seq: number }>) => ({
    ids: events.map((e) => e.id),
    idSeqs: events.map((e) => e.seq),
    seqs: events.map((e) => e.seq),
    caseIds: [...new Set(events.map((e) => e.caseId))],
  });

  it('a guarded write goes through until an event on its cases is committed or a station registers, its numbers moved up', async () => {
    const c = p110.created();
    await pushKnowing(hub.url, p110.token, [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())]);
    // a desk that records but never sends (its seq would leave a gap for the tests below)
    const idle = Desk.of('ra-h12345-idle', 'hotline12345', '全市');
    idle.token = await hub.register(idle.info);
    const ack = idle.acknowledged(c.caseId, 'transfer');
    const batch = batchOf([ack]);
    const me: StationInfo = idle.info;
    const nothing = (ahead: { maxHubSeq: number; stationCount: number }): BatchWrite => ({
      stationId: me.stationId,
      accepted: [],
      plan: { newCases: [], originSet: [], newTargets: [], grants: [] },
      refused: [],
      progress: null,
      guard: { aheadMax: ahead.maxHubSeq, caseIds: batch.caseIds, stationCount: ahead.stationCount },
    });
    const ahead = await readBatchContext(hub.db, me, batch);
    expect(ahead.logged).toHaveLength(3);

    // an event on another case by another station: still current, numbers move up by one
    const other = p110.created();
    await pushKnowing(hub.url, p110.token, [other]);
    expect(await hub.db.transaction((tx) => writeBatch(tx, nothing(ahead)))).toEqual({ ok: true, shift: 1 });

    // an event on the batch's case: stale, nothing written
    await pushKnowing(hub.url, p110.token, [p110.note(c.caseId)]);
    expect((await hub.db.transaction((tx) => writeBatch(tx, nothing(ahead)))).ok).toBe(false);

    // a station registering: stale
    const fresh = await readBatchContext(hub.db, me, batch);
    expect(await hub.db.transaction((tx) => writeBatch(tx, nothing(fresh)))).toEqual({ ok: true, shift: 0 });
    await hub.register(Desk.of('ra-sup', 'supervisor', '全市').info);
    expect((await hub.db.transaction((tx) => writeBatch(tx, nothing(fresh)))).ok).toBe(false);
  });

  it('a stale guarded write stores nothing: the push judges again on current rows and numbers in commit order', async () => {
    const c = p110.created();
    const events = [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())];
    const ahead = await readBatchContext(hub.db, p110.info, batchOf(events));
    // a station registers between the read and the write: the context is stale
    await hub.register(Desk.of('ra-unit', 'unit', '兰山区', 'water').info);
    const accepted = events.map((event, i) => ({ event, hubSeq: ahead.maxHubSeq + 1 + i, content: JSON.stringify(event) }));
    const w: BatchWrite = {
      stationId: p110.info.stationId,
      accepted,
      plan: { newCases: [], originSet: [], newTargets: [], grants: [] },
      refused: [],
      progress: null,
      guard: { aheadMax: ahead.maxHubSeq, caseIds: [c.caseId], stationCount: ahead.stationCount },
    };
    expect((await hub.db.transaction((tx) => writeBatch(tx, w))).ok).toBe(false);
    const held = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE case_id = $1', [c.caseId]);
    expect(Number(held[0]!.n)).toBe(0);
    p110.seq -= 3; // never stored: the desk's seqs are free again
  });

  it('the same batch pushed twice at once is stored once: one push accepts, the other finds every event held', async () => {
    const c = p110.created();
    const events = [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline()), p110.note(c.caseId)];
    const [a, b] = await Promise.all([push(hub.url, p110.token, events), push(hub.url, p110.token, events)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const statuses = [a.body.results.map((r) => r.status), b.body.results.map((r) => r.status)].sort();
    expect(statuses).toEqual([
      ['accepted', 'accepted', 'accepted', 'accepted'],
      ['duplicate', 'duplicate', 'duplicate', 'duplicate'],
    ]);
    const held = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE case_id = $1', [c.caseId]);
    expect(Number(held[0]!.n)).toBe(4);
  });

  it('two desks acknowledging one transfer at the same moment are judged on current rows: both kept, as they acted apart', async () => {
    const c = p110.created();
    await pushKnowing(hub.url, p110.token, [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())]);
    const k1 = (await pullAll(hub.url, hotline.token, '0')).cursor;
    const k2 = (await pullAll(hub.url, hotline2.token, '0')).cursor;
    const a1 = hotline.acknowledged(c.caseId, 'transfer');
    const a2 = hotline2.acknowledged(c.caseId, 'transfer');
    const [r1, r2] = await Promise.all([push(hub.url, hotline.token, [a1], { [a1.id]: k1 }), push(hub.url, hotline2.token, [a2], { [a2.id]: k2 })]);
    expect([r1.body.results[0]!.status, r2.body.results[0]!.status]).toEqual(['accepted', 'accepted']);
    // and a third desk that had seen both is refused: the rows it is judged on include them
    const late = hotline.acknowledged(c.caseId, 'transfer');
    const r3 = await pushKnowing(hub.url, hotline.token, [late]);
    expect(r3.body.results[0]).toMatchObject({ status: 'rejected', code: 'transition_refused' });
  });

  it("read ahead, only the ids a desk may be sending again are looked up; under the lock, all of them", async () => {
    const d = Desk.of('ra-resent', 'police110');
    d.token = await hub.register(d.info);
    const held = [d.created(), d.created()];
    await pushKnowing(hub.url, d.token, held);
    const other = Desk.of('ra-resent-other', 'police110');
    other.token = await hub.register(other.info);
    const theirs = other.created();
    await pushKnowing(hub.url, other.token, [theirs]);
    // one resent (seq 1), one new event carrying the other desk's id (a seq above the desk's)
    const clash = { ...d.created(), id: theirs.id };
    const batch = batchOf([held[0]!, clash]);
    const ahead = await readBatchContext(hub.db, d.info, batch, 'resent');
    expect([...ahead.heldById.keys()]).toEqual([held[0]!.id]);
    const all = await readBatchContext(hub.db, d.info, batch, 'all');
    expect([...all.heldById.keys()].sort()).toEqual([held[0]!.id, theirs.id].sort());
  });

  it("a new event carrying an id another desk's event holds is refused as conflicting, the rest of its batch and the pushes beside it kept", async () => {
    const a = Desk.of('ra-taken-id-a', 'police110');
    const b = Desk.of('ra-taken-id-b', 'police110');
    const others = [0, 1, 2].map((i) => Desk.of(`ra-taken-id-o${i}`, 'police110'));
    for (const d of [a, b, ...others]) d.token = await hub.register(d.info);
    const theirs = a.created();
    await pushKnowing(hub.url, a.token, [theirs]);
    const before = b.created();
    const clash = { ...b.created(), id: theirs.id };
    const after = b.created();
    const fills = others.map((o) => Array.from({ length: 100 }, () => o.created()));
    const [rb, ...ro] = await Promise.all([push(hub.url, b.token, [before, clash, after]), ...others.map((o, i) => push(hub.url, o.token, fills[i]!))]);
    expect(rb.status).toBe(200);
    expect(rb.body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(rb.body.results[1]).toMatchObject({ id: theirs.id, code: 'conflicting_content' });
    for (const [i, r] of ro.entries()) {
      expect(r.status).toBe(200);
      expect(r.body.results.every((x) => x.status === 'accepted')).toBe(true);
      const n = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE station_id = $1', [others[i]!.info.stationId]);
      expect(Number(n[0]!.n)).toBe(100);
    }
    // the held event is the first desk's, untouched; the second desk's events around it are held once
    const stored = await hub.db.query<{ station_id: string }>('SELECT station_id FROM events WHERE event_id = $1', [theirs.id]);
    expect(stored).toEqual([{ station_id: a.info.stationId }]);
    const mine = await hub.db.query<{ event_id: string }>('SELECT event_id FROM events WHERE station_id = $1 ORDER BY seq', [b.info.stationId]);
    expect(mine.map((m) => m.event_id)).toEqual([before.id, after.id]);
    expect(hub.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('two desks pushing one event id at the same moment: one accepted, the other refused as conflicting, never a 5xx', async () => {
    const a = Desk.of('ra-same-id-a', 'police110');
    const b = Desk.of('ra-same-id-b', 'police110');
    a.token = await hub.register(a.info);
    b.token = await hub.register(b.info);
    const outcomes: string[] = [];
    for (let round = 0; round < 8; round++) {
      // long batches, so the two pushes' reads ahead of the lock overlap
      const fillA = Array.from({ length: 150 }, () => a.created());
      const fillB = Array.from({ length: 150 }, () => b.created());
      const mineA = a.created();
      const mineB = { ...b.created(), id: mineA.id }; // the same id, other content
      const [ra, rb] = await Promise.all([push(hub.url, a.token, [...fillA, mineA]), push(hub.url, b.token, [...fillB, mineB])]);
      for (const r of [ra, rb]) {
        expect(r.status).toBe(200);
        outcomes.push(r.body.results.at(-1)!.status);
      }
    }
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(8);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(8);
    expect(hub.logs.filter((l) => l.level >= 50)).toEqual([]);
  }, 60_000);
});

