/**
 * Pull: pages with a cursor, and who sees what. 110 sees its own cases; 12345 sees cases
 * transferred to the hotline, with the events before the transfer even when its cursor has
 * passed them; supervisors see their district (or the whole city); units see a case once it
 * is assigned to their department in their district; a station registered later gets the
 * history it may see. Concurrent pushes from many stations are all delivered, each once,
 * in strictly increasing hubSeq.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PullResponseSchema } from '../../src-common/protocol/v1';
import type { StationInfo } from '../../src-common/protocol/v1';
import { AUDIENCE_FROM_LOG_SQL, audienceParams } from '../../src-hub/sync/audience';
import { parseCursor, START } from '../../src-hub/sync/cursor';
import { pullEvents, type PullPage } from '../../src-hub/sync/pull';
import { Desk, toDepartment, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { pull, pullAll, push, pushKnowing, startHub, type Hub } from './helpers/hub-harness';

describeEachDriver('hub pull and visibility', (driver) => {
  let hub: Hub;
  const p110 = Desk.of('p110-lanshan', 'police110', '兰山区');
  const p110b = Desk.of('p110-luozhuang', 'police110', '罗庄区');
  const hotline = Desk.of('h12345-city', 'hotline12345', '全市');
  const hotline2 = Desk.of('h12345-night', 'hotline12345', '全市');
  const supLanshan = Desk.of('sup-lanshan', 'supervisor', '兰山区');
  const supLuozhuang = Desk.of('sup-luozhuang', 'supervisor', '罗庄区');
  const supCity = Desk.of('sup-city', 'supervisor', '全市');
  const waterLanshan = Desk.of('unit-water-lanshan', 'unit', '兰山区', 'water');
  const waterLuozhuang = Desk.of('unit-water-luozhuang', 'unit', '罗庄区', 'water');
  const waterCity = Desk.of('unit-water-city', 'unit', '全市', 'water');
  const heatLanshan = Desk.of('unit-heat-lanshan', 'unit', '兰山区', 'heating');
  const all = [p110, p110b, hotline, hotline2, supLanshan, supLuozhuang, supCity, waterLanshan, waterLuozhuang, waterCity, heatLanshan];
  const cursors = new Map<string, string>();

  beforeAll(async () => {
    hub = await startHub(driver);
    for (const d of all) d.token = await hub.register(d.info);
  }, 120_000);
  afterAll(async () => hub?.close());

  async function ok(d: Desk, events: Array<{ id: string }>) {
    const res = await pushKnowing(hub.url, d.token, events);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.every((r) => r.status === 'accepted'), JSON.stringify(res.body.results)).toBe(true);
    return res.body;
  }

  /** What a desk receives since it last pulled (its cursor kept between tests). */
  async function news(d: Desk, limit?: number): Promise<string[]> {
    const r = await pullAll(hub.url, d.token, cursors.get(d.info.stationId) ?? '0', limit);
    cursors.set(d.info.stationId, r.cursor);
    return r.events.map((e) => e.event.id);
  }

  async function catchUpAll() {
    for (const d of all) await news(d);
  }

  it('pages through with a cursor: limit, more, strictly increasing hubSeq, nothing twice', async () => {
    const d = Desk.of('p110-pager', 'police110', '兰山区');
    d.token = await hub.register(d.info);
    const c = d.created();
    const events = [c, d.screened(c.caseId), d.note(c.caseId), d.note(c.caseId), d.note(c.caseId), d.note(c.caseId), d.note(c.caseId)];
    await ok(d, events);
    let cursor = '0';
    const seen: number[] = [];
    const ids: string[] = [];
    let pages = 0;
    for (;;) {
      const res = await pull(hub.url, d.token, cursor, 2);
      expect(res.status).toBe(200);
      const page = PullResponseSchema.parse(res.body);
      expect(page.events.length).toBeLessThanOrEqual(2);
      pages++;
      seen.push(...page.events.map((e) => e.hubSeq));
      ids.push(...page.events.map((e) => (e.event as { id: string }).id));
      cursor = page.cursor;
      if (!page.more) break;
    }
    expect(pages).toBe(4);
    expect(ids).toEqual(events.map((e) => e.id));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    // nothing new: an empty page, the same cursor, no more
    const again = PullResponseSchema.parse((await pull(hub.url, d.token, cursor, 2)).body);
    expect(again).toEqual({ events: [], cursor, more: false });
  });

  it('110 sees its own cases only; a supervisor sees its district; a city supervisor sees all', async () => {
    await catchUpAll();
    const a = p110.created();
    const b = p110b.created();
    await ok(p110, [a, p110.screened(a.caseId)]);
    await ok(p110b, [b]);
    expect(await news(p110)).toEqual([a.id, expect.any(String)]);
    expect(await news(p110b)).toEqual([b.id]);
    expect(await news(supLanshan)).toEqual([a.id, expect.any(String)]);
    expect(await news(supLuozhuang)).toEqual([b.id]);
    expect(await news(supCity)).toEqual([a.id, expect.any(String), b.id]);
    for (const d of [hotline, hotline2, waterLanshan, waterCity, heatLanshan]) expect(await news(d)).toEqual([]);
  });

  it('12345 gets a case transferred to the hotline with the events before the transfer, though its cursor passed them', async () => {
    await catchUpAll();
    const c = p110.created();
    const s = p110.screened(c.caseId);
    await ok(p110, [c, s]);
    // 12345 pulls: nothing for it, but its cursor moves past c and s
    expect(await news(hotline)).toEqual([]);
    const before = cursors.get(hotline.info.stationId)!;
    const t = p110.transferred(c.caseId, toHotline());
    await ok(p110, [t]);
    const got = await pullAll(hub.url, hotline.token, before);
    expect(got.events.map((e) => e.event.id)).toEqual([c.id, s.id, t.id]);
    cursors.set(hotline.info.stationId, got.cursor);
    expect(await news(hotline2)).toEqual([c.id, s.id, t.id]); // every hotline desk
    expect(await news(p110)).toEqual([c.id, s.id, t.id]);
    expect(await news(p110b)).toEqual([]);

    // a transfer naming one hotline station reaches only that one
    const c2 = p110.created();
    await ok(p110, [c2, p110.screened(c2.caseId), p110.transferred(c2.caseId, toHotline(hotline2.info.stationId))]);
    expect(await news(hotline)).toEqual([]);
    expect((await news(hotline2))[0]).toBe(c2.id);
  });

  it('a unit sees a case once assigned to its department, in the creating district or city-wide, with all earlier events', async () => {
    await catchUpAll();
    const c = p110.created();
    const early = [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())];
    await ok(p110, early);
    const ack = hotline.acknowledged(c.caseId, 'transfer');
    await ok(hotline, [ack]);
    for (const d of [waterLanshan, waterLuozhuang, waterCity, heatLanshan]) expect(await news(d)).toEqual([]);
    const assign = hotline.assigned(c.caseId, toDepartment('water'));
    await ok(hotline, [assign]);
    const whole = [...early.map((e) => e.id), ack.id, assign.id];
    expect(await news(waterLanshan)).toEqual(whole);
    expect(await news(waterCity)).toEqual(whole);
    expect(await news(waterLuozhuang)).toEqual([]); // another district
    expect(await news(heatLanshan)).toEqual([]); // another department
    // the unit acts on it; everyone concerned sees that
    const uack = waterLanshan.acknowledged(c.caseId, 'assignment');
    await ok(waterLanshan, [uack]);
    expect(await news(p110)).toContain(uack.id);
    expect(await news(waterCity)).toEqual([uack.id]);
    expect(await news(supLanshan)).toContain(uack.id);
    // assisting departments too
    const c3 = p110.created();
    const early3 = [c3, p110.screened(c3.caseId), p110.transferred(c3.caseId, toHotline())];
    await ok(p110, early3);
    const ack3 = hotline.acknowledged(c3.caseId, 'transfer');
    const heatAssist = hotline.assigned(c3.caseId, toDepartment('water'), [toDepartment('heating')]);
    await ok(hotline, [ack3, heatAssist]);
    expect(await news(heatLanshan)).toEqual([...early3.map((e) => e.id), ack3.id, heatAssist.id]);
  });

  it('an assignment that arrives before the creation is resolved when the creation arrives', async () => {
    await catchUpAll();
    const c = hotline.created();
    const a = hotline.assigned(c.caseId, toDepartment('water'));
    await ok(hotline, [a]); // creation not here yet: district unknown; only city-wide units so far
    expect(await news(waterCity)).toEqual([a.id]);
    expect(await news(waterLanshan)).toEqual([]);
    await ok(hotline, [c]); // created by the city hotline: district 全市, so still no district unit
    expect(await news(waterCity)).toEqual([c.id]);
    expect(await news(waterLanshan)).toEqual([]);
    expect(await news(supCity)).toEqual(expect.arrayContaining([c.id, a.id]));

    const c2 = p110.created();
    const t2 = p110.transferred(c2.caseId, toDepartment('water')); // county mode: 110 notifies the unit
    await ok(p110, [t2]);
    expect(await news(waterLanshan)).toEqual([]);
    await ok(p110, [c2]);
    expect(await news(waterLanshan)).toEqual([t2.id, c2.id]);
    expect(await news(waterLuozhuang)).toEqual([]);
  });

  it('a station registered later gets the history it may see from cursor 0', async () => {
    await catchUpAll();
    const lateSup = Desk.of('sup-lanshan-late', 'supervisor', '兰山区');
    lateSup.token = await hub.register(lateSup.info);
    const lateWater = Desk.of('unit-water-lanshan-2', 'unit', '兰山区', 'water');
    lateWater.token = await hub.register(lateWater.info);
    const lateHotline = Desk.of('h12345-late', 'hotline12345', '全市');
    lateHotline.token = await hub.register(lateHotline.info);
    const ids = async (d: Desk, limit?: number) => (await pullAll(hub.url, d.token, '0', limit)).events;
    // same role, district and department as a desk that has been there all along (and that
    // recorded nothing of its own, and was never named by station id): the same events
    for (const [late, twin] of [
      [lateSup, supLanshan],
      [lateWater, waterLanshan],
    ] as const) {
      const mine = (await ids(late, 7)).map((e) => e.event.id);
      const theirs = (await ids(twin)).map((e) => e.event.id);
      expect(mine.length).toBeGreaterThan(5);
      expect(new Set(mine).size).toBe(mine.length);
      expect(new Set(mine)).toEqual(new Set(theirs));
    }
    // hotline2 was also named by station id on one case: the late desk sees all but that case
    const named = new Set(
      (await ids(hotline2))
        .filter((e) => e.event.type === 'case.transferred' && (e.event as unknown as { payload: { to: { stationId: string | null } } }).payload.to.stationId === hotline2.info.stationId)
        .map((e) => e.event.caseId),
    );
    expect(named.size).toBe(1);
    const lateHot = (await ids(lateHotline, 3)).map((e) => e.event.id);
    const twinHot = (await ids(hotline2)).filter((e) => !named.has(e.event.caseId)).map((e) => e.event.id);
    expect(new Set(lateHot)).toEqual(new Set(twinHot));
    expect(new Set(lateHot).size).toBe(lateHot.length);
  });

  it('a handover sheet is seen by its station and its district supervisors', async () => {
    await catchUpAll();
    const h = p110.handover();
    await ok(p110, [h]);
    expect(await news(p110)).toEqual([h.id]);
    expect(await news(supLanshan)).toEqual([h.id]);
    expect(await news(supCity)).toEqual([h.id]);
    expect(await news(supLuozhuang)).toEqual([]);
    expect(await news(hotline)).toEqual([]);
  });

  it('grants written push by push equal the grants computed from the whole log', async () => {
    for (const d of all) {
      const table = await hub.db.query<{ case_id: string; granted_seq: number }>(
        'SELECT case_id, granted_seq FROM case_audience WHERE station_id = $1 ORDER BY case_id',
        [d.info.stationId],
      );
      const fromLog = await hub.db.query<{ case_id: string; granted_seq: number }>(
        `SELECT case_id, granted_seq FROM (${AUDIENCE_FROM_LOG_SQL}) a ORDER BY case_id`,
        audienceParams(d.info),
      );
      expect(table.map((r) => [r.case_id, Number(r.granted_seq)]), d.info.stationId).toEqual(
        fromLog.map((r) => [r.case_id, Number(r.granted_seq)]),
      );
    }
  });

  it('20 concurrent pushes from different stations: a puller sees every event exactly once, hubSeq strictly increasing', async () => {
    const desks = Array.from({ length: 20 }, (_, i) => Desk.of(`p110-burst-${i}`, 'police110', '兰山区'));
    for (const d of desks) d.token = await hub.register(d.info);
    const watcher = Desk.of('sup-burst-watch', 'supervisor', '兰山区');
    watcher.token = await hub.register(watcher.info);
    const start = await pullAll(hub.url, watcher.token, '0');
    let cursor = start.cursor;
    const delivered: Array<{ hubSeq: number; id: string }> = [];
    const batches = desks.map((d) => {
      const out = [];
      for (let k = 0; k < 5; k++) {
        const c = d.created();
        out.push(c, d.screened(c.caseId), d.note(c.caseId));
      }
      return out;
    });
    // pull while the pushes run, so pages interleave with commits
    let pushing = true;
    const puller = (async () => {
      while (pushing) {
        const r = await pullAll(hub.url, watcher.token, cursor, 13);
        delivered.push(...r.events.map((e) => ({ hubSeq: e.hubSeq, id: e.event.id })));
        cursor = r.cursor;
      }
    })();
    const results = await Promise.all(desks.map((d, i) => push(hub.url, d.token, batches[i]!)));
    pushing = false;
    await puller;
    const rest = await pullAll(hub.url, watcher.token, cursor, 13);
    delivered.push(...rest.events.map((e) => ({ hubSeq: e.hubSeq, id: e.event.id })));
    for (const r of results) expect(r.body.results.every((x) => x.status === 'accepted')).toBe(true);
    const expected = batches.flat().map((e) => e.id);
    const ids = delivered.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length); // each exactly once
    expect(new Set(ids)).toEqual(new Set(expected));
    for (let i = 1; i < delivered.length; i++) expect(delivered[i]!.hubSeq).toBeGreaterThan(delivered[i - 1]!.hubSeq);
    // hub sequence numbers are dense and unique across the burst
    const hubSeqs = results.flatMap((r) => r.body.results.map((x) => (x as { hubSeq: number }).hubSeq)).sort((a, b) => a - b);
    for (let i = 1; i < hubSeqs.length; i++) expect(hubSeqs[i]).toBe(hubSeqs[i - 1]! + 1);
  });

  it('a station’s live events read from its grants or from the log give the same pages, page for page', async () => {
    const stations = await hub.db.query<{ station_id: string; role: string; district: string; department: string | null; name: string }>(
      'SELECT station_id, role, district, department, name FROM stations ORDER BY station_id',
    );
    let compared = 0;
    for (const s of stations) {
      const me = { stationId: s.station_id, name: s.name, role: s.role, district: s.district, department: s.department } as StationInfo;
      for (const limit of [2, 5]) {
        const walk = async (narrowAudience: number) => {
          const pages: PullPage[] = [];
          let after = START;
          for (let n = 0; n < 10_000; n++) {
            const page = await pullEvents(hub.db, me, after, limit, narrowAudience);
            pages.push(page);
            if (!page.more) break;
            after = parseCursor(page.cursor)!;
          }
          return pages;
        };
        const fromLog = await walk(0); // every station counts as wide
        const fromGrants = await walk(Number.MAX_SAFE_INTEGER); // every station counts as narrow
        expect(fromGrants).toEqual(fromLog);
        compared += fromLog.reduce((n, p) => n + p.events.length, 0);
      }
    }
    // the scenario above gave the stations plenty to see, live and back-filled
    expect(compared).toBeGreaterThan(200);
  }, 180_000);
});
