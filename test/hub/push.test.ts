/**
 * Push semantics: exactly-once from at-least-once. Re-sending is always safe (duplicate, same
 * hubSeq, nothing doubled); the same id with different content is refused, logged and never
 * overwrites; seq gaps are reported and closed by re-sending; any arrival order is stored.
 * (Validation runs in a worker thread here, as in `npm run hub`.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson } from '../../src-common/domain';
import { PushResponseSchema } from '../../src-common/protocol/v1';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { pullAll, push, startHub, type Hub } from './helpers/hub-harness';

describeEachDriver('hub push', (driver) => {
  let hub: Hub;

  beforeAll(async () => {
    // the hub's default: events validated in a worker thread
    hub = await startHub(driver, { validationWorkers: 1 });
  }, 120_000);
  afterAll(async () => hub?.close());

  async function desk(id: string): Promise<Desk> {
    const d = Desk.of(id, 'police110');
    d.token = await hub.register(d.info);
    return d;
  }

  async function countOf(sql: string, params: unknown[]): Promise<number> {
    return Number((await hub.db.query<{ n: number }>(sql, params))[0]!.n);
  }

  it('stores texts with quotes, backslashes, braces, commas, separators and control characters exactly as sent', async () => {
    // the write sends text columns joined by U+001E (batch-write.ts): content holding any of
    // these must come back byte for byte, and a raw U+001E or newline inside a JSON string is
    // escaped by canonical JSON, so it cannot split a value
    const d = await desk('p110-texts');
    const awkward = '引号"\'反斜杠\\ 花括号{} 逗号, NULL 分隔\u001e\u001f 换行\n 制表\t 结束';
    const c = d.created(awkward);
    const note = d.note(c.caseId, '{"a":[1,2]}\\"');
    const r = PushResponseSchema.parse((await push(hub.url, d.token, [c, note])).body);
    expect(r.results.map((x) => x.status)).toEqual(['accepted', 'accepted']);
    const pulled = await pullAll(hub.url, d.token);
    expect(pulled.events.map((e) => e.event)).toEqual([c, note].map((e) => JSON.parse(JSON.stringify(e)) as unknown));
    const stored = await hub.db.query<{ content: string }>('SELECT content FROM events WHERE station_id = $1 ORDER BY seq', ['p110-texts']);
    expect(stored.map((s) => s.content)).toEqual([canonicalJson(c), canonicalJson(note)]);
  });

  it('accepts new events with increasing hubSeq; the same batch again is all duplicate with the same hubSeq', async () => {
    const d = await desk('p110-dup');
    const c = d.created();
    const batch = [c, d.screened(c.caseId), d.transferred(c.caseId, toHotline())];
    const first = await push(hub.url, d.token, batch);
    expect(first.status).toBe(200);
    const r1 = PushResponseSchema.parse(first.body);
    expect(r1.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const seqs = r1.results.map((r) => (r.status === 'rejected' ? 0 : r.hubSeq));
    expect(seqs[1]).toBe(seqs[0]! + 1);
    expect(seqs[2]).toBe(seqs[1]! + 1);
    expect(r1).toMatchObject({ gaps: [], contiguousSeq: 3 });

    // re-sent (the answer was lost), also in another order and with keys shuffled
    const shuffled = [...batch].reverse().map((e) => JSON.parse(canonicalJson(e)) as unknown);
    for (const again of [batch, shuffled]) {
      const r2 = PushResponseSchema.parse((await push(hub.url, d.token, again)).body);
      expect(r2.results.every((r) => r.status === 'duplicate')).toBe(true);
      const byId = new Map(r2.results.map((r) => [r.id, r.status === 'rejected' ? 0 : r.hubSeq]));
      expect(batch.map((e) => byId.get(e.id))).toEqual(seqs);
      expect(r2.contiguousSeq).toBe(3);
    }
    expect(await countOf('SELECT count(*)::int AS n FROM events WHERE station_id = $1', ['p110-dup'])).toBe(3);
    const pulled = await pullAll(hub.url, d.token);
    expect(pulled.events.map((e) => e.event.id)).toEqual(batch.map((e) => e.id));
    expect(pulled.events.map((e) => e.event)).toEqual(batch.map((e) => JSON.parse(JSON.stringify(e)) as unknown));
  });

  it('a duplicate inside one batch is answered as duplicate of the first', async () => {
    const d = await desk('p110-dup-in-batch');
    const c = d.created();
    const r = PushResponseSchema.parse((await push(hub.url, d.token, [c, c])).body);
    expect(r.results[0]).toMatchObject({ status: 'accepted' });
    expect(r.results[1]).toMatchObject({ status: 'duplicate', hubSeq: (r.results[0] as { hubSeq: number }).hubSeq });
  });

  it('the same id with different content is rejected, logged at warn and kept in refused_events; the original stays', async () => {
    const d = await desk('p110-conflict');
    const c = d.created();
    const first = PushResponseSchema.parse((await push(hub.url, d.token, [c])).body);
    const hubSeq = (first.results[0] as { hubSeq: number }).hubSeq;
    const altered = { ...c, payload: { ...c.payload, description: '改过的内容' } };
    const other = d.note(c.caseId);
    const res = PushResponseSchema.parse((await push(hub.url, d.token, [altered, other])).body);
    expect(res.results[0]).toMatchObject({ id: c.id, status: 'rejected', code: 'conflicting_content' });
    expect((res.results[0] as { reason: string }).reason).toContain('不覆盖');
    expect(res.results[1]).toMatchObject({ id: other.id, status: 'accepted' });

    const stored = await hub.db.query<{ content: string; hub_seq: number }>('SELECT content, hub_seq FROM events WHERE event_id = $1', [c.id]);
    expect(stored).toHaveLength(1);
    expect(Number(stored[0]!.hub_seq)).toBe(hubSeq);
    expect(JSON.parse(stored[0]!.content)).toMatchObject({ payload: { description: c.payload.description } });
    const refused = await hub.db.query<{ code: string; content: string; station_id: string }>(
      'SELECT code, content, station_id FROM refused_events WHERE event_id = $1',
      [c.id],
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ code: 'conflicting_content', station_id: 'p110-conflict' });
    expect(JSON.parse(refused[0]!.content)).toMatchObject({ payload: { description: '改过的内容' } });
    const warn = hub.logs.find((l) => l.level === 40 && l.eventId === c.id);
    expect(warn, 'a warn log line names the event').toBeDefined();
    expect(warn!.code).toBe('conflicting_content');
  });

  it('a seq already used by another event of the station is rejected (seq_taken)', async () => {
    const d = await desk('p110-seq-taken');
    const c = d.created();
    await push(hub.url, d.token, [c]);
    const reused = d.note(c.caseId);
    const sameSeq = { ...reused, seq: c.seq };
    const res = PushResponseSchema.parse((await push(hub.url, d.token, [sameSeq])).body);
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'seq_taken' });
    expect(await countOf('SELECT count(*)::int AS n FROM events WHERE station_id = $1', ['p110-seq-taken'])).toBe(1);
  });

  it('reports gaps for seq 1, 2, 5 and closes them when 3 and 4 arrive; any arrival order is stored', async () => {
    const d = await desk('p110-gaps');
    const c = d.created(); // 1
    const e2 = d.screened(c.caseId); // 2
    const e3 = d.note(c.caseId); // 3
    const e4 = d.note(c.caseId); // 4
    const e5 = d.transferred(c.caseId, toHotline()); // 5
    const e6 = d.note(c.caseId); // 6
    const e8 = { ...d.note(c.caseId), seq: 8 }; // 8 (7 never sent yet)

    let r = PushResponseSchema.parse((await push(hub.url, d.token, [e5, c, e2])).body);
    expect(r.results.every((x) => x.status === 'accepted')).toBe(true);
    expect(r.gaps).toEqual([{ from: 3, to: 4 }]);
    expect(r.contiguousSeq).toBe(2);

    r = PushResponseSchema.parse((await push(hub.url, d.token, [e8])).body);
    expect(r.gaps).toEqual([
      { from: 3, to: 4 },
      { from: 6, to: 7 },
    ]);
    expect(r.contiguousSeq).toBe(2);

    r = PushResponseSchema.parse((await push(hub.url, d.token, [e4, e3, e6])).body);
    expect(r.gaps).toEqual([{ from: 7, to: 7 }]);
    expect(r.contiguousSeq).toBe(6);

    // a batch missing the start: nothing below 1 ever, gaps start at 1
    const late = await desk('p110-gaps-late');
    const lc = late.created();
    const l2 = late.note(lc.caseId);
    const l3 = late.note(lc.caseId);
    r = PushResponseSchema.parse((await push(hub.url, late.token, [l3])).body);
    expect(r.gaps).toEqual([{ from: 1, to: 2 }]);
    expect(r.contiguousSeq).toBe(0);
    r = PushResponseSchema.parse((await push(hub.url, late.token, [l2, lc])).body);
    expect(r).toMatchObject({ gaps: [], contiguousSeq: 3 });
    // stored in arrival order; the station's own pull gets all of them
    const pulled = await pullAll(hub.url, late.token);
    expect(pulled.events.map((e) => e.event.id)).toEqual([l3.id, l2.id, lc.id]);
  });

  it('events of a case whose creation has not arrived yet are stored (reordered batches are fine)', async () => {
    const d = await desk('p110-orphans');
    const c = d.created();
    const s = d.screened(c.caseId);
    let r = PushResponseSchema.parse((await push(hub.url, d.token, [s])).body);
    expect(r.results[0]!.status).toBe('accepted');
    r = PushResponseSchema.parse((await push(hub.url, d.token, [c])).body);
    expect(r.results[0]!.status).toBe('accepted');
    expect(r.contiguousSeq).toBe(2);
  });

  it('a batch of MAX_PUSH_EVENTS events applies whole, in one transaction', async () => {
    const d = await desk('p110-big');
    const events = [];
    for (let i = 0; i < 100; i++) {
      const c = d.created(`第 ${i} 件`);
      events.push(c, d.screened(c.caseId), d.note(c.caseId), d.note(c.caseId), d.transferred(c.caseId, toHotline()));
    }
    expect(events).toHaveLength(500);
    const r = PushResponseSchema.parse((await push(hub.url, d.token, events)).body);
    expect(r.results.filter((x) => x.status === 'accepted')).toHaveLength(500);
    expect(r.contiguousSeq).toBe(500);
    const hubSeqs = r.results.map((x) => (x as { hubSeq: number }).hubSeq);
    expect(new Set(hubSeqs).size).toBe(500);
    expect([...hubSeqs].sort((a, b) => a - b)).toEqual(hubSeqs);
  });
});
