import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { listCategories, loadDefaultCatalogue } from '../../../src-common/domain/catalogue';
import { demoDayKey, generateDemoCommands } from '../../../src-common/demo/demo-cases';
import { parseEvent, STATUSES, type Station } from '../../../src-common/domain';
import { COUNTER, readCounters } from '../../../src-renderer/src/store/counters';
import { RelayDb, type StoredCase } from '../../../src-renderer/src/store/db';
import { fillDemoData, readCaseNoCounters, type FillProgress } from '../../../src-renderer/src/store/demo-fill';
import { queryCasePage } from '../../../src-renderer/src/store/list-query';
import { nextCaseNo } from '../../../src-renderer/src/store/record';

const NOW = new Date('2026-01-15T12:00:00Z');
const P110: Station = { stationId: 'p110-abc234', name: '兰山公安分局 110 接警台', role: 'police110', district: '兰山区', operator: '张伟', countyMode: false };

let dbSeq = 0;
function freshDb(): RelayDb {
  return new RelayDb(`demo-fill-${++dbSeq}`, { indexedDB: new IDBFactory(), IDBKeyRange });
}

describe('fillDemoData', () => {
  it('fills 300 cases through recordCommands, in batches, with counters kept', async () => {
    const db = freshDb();
    const progress: FillProgress[] = [];
    const result = await fillDemoData(db, P110, { count: 300, seed: 1, now: NOW, batchSize: 100, onProgress: (p) => progress.push(p) });
    const groups = generateDemoCommands(P110, { count: 300, seed: 1, now: NOW });
    const totalEvents = groups.reduce((n, g) => n + g.commands.length, 0);

    expect(result.cases).toBe(300);
    expect(result.events).toBe(totalEvents);
    expect(result.batches).toBe(Math.ceil(groups.length / 100));
    expect(progress).toHaveLength(result.batches);
    expect(progress.at(-1)).toMatchObject({ cases: 300, totalCases: 300, events: totalEvents, totalEvents });
    expect(progress.map((p) => p.cases)).toEqual([...progress.map((p) => p.cases)].sort((a, b) => a - b));

    expect(await db.cases.count()).toBe(300);
    expect(await db.events.count()).toBe(totalEvents);
    expect(await db.outbox.count()).toBe(totalEvents);
    const counters = await readCounters(db);
    expect(counters[COUNTER.total]).toBe(300);
    expect(counters[COUNTER.outbox]).toBe(totalEvents);
    const rows = await db.cases.toArray();
    for (const s of STATUSES) expect(counters[COUNTER.status(s)] ?? 0, s).toBe(rows.filter((r) => r.status === s).length);
    expect(counters[COUNTER.urgentOpen] ?? 0).toBe(rows.filter((r) => r.urgency === 'urgent' && r.status !== 'closed').length);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['police', 'closed', 'pending', 'transferred']));

    const seq = await db.settings.get('station:seq');
    expect(seq?.value).toBe(totalEvents);
  });

  it('records every event valid, at its generated time, in seq order', async () => {
    const db = freshDb();
    await fillDemoData(db, P110, { count: 300, seed: 2, now: NOW, batchSize: 64 });
    const groups = generateDemoCommands(P110, { count: 300, seed: 2, now: NOW });
    const expected = groups.flatMap((g) => g.commands.map((c) => ({ caseId: c.caseId, type: c.type, at: g.at.toISOString() })));
    const events = await db.events.orderBy('lseq').toArray();
    expect(events.map(({ caseId, type, at }) => ({ caseId, type, at }))).toEqual(expected);
    for (const e of events) {
      const { hubSeq: _h, lseq: _l, ...event } = e;
      expect(() => parseEvent(event)).not.toThrow();
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // case rows carry the realistic times, not the time of the fill
    const rows = await db.cases.toArray();
    expect(rows.every((r) => r.createdAt < NOW.toISOString() && r.updatedAt <= NOW.toISOString())).toBe(true);
  });

  it('keeps the case-number counters: settings caseNo:YYYYMMDD hold the last number used', async () => {
    const db = freshDb();
    const today = demoDayKey(NOW);
    // an intake recorded before the fill
    await db.settings.put({ key: `caseNo:${today}`, value: 3 });
    const result = await fillDemoData(db, P110, { count: 300, seed: 3, now: NOW, days: 5 });
    const rows = await db.cases.toArray();
    const perDay = new Map<string, number[]>();
    for (const r of rows) {
      const [day, , , n] = r.caseNo.split('-');
      perDay.set(day!, [...(perDay.get(day!) ?? []), Number(n)]);
    }
    expect(new Set(rows.map((r) => r.caseNo)).size).toBe(300);
    const stored = await readCaseNoCounters(db);
    expect(stored).toEqual(result.caseNoCounters);
    for (const [day, ns] of perDay) {
      const first = day === today ? 4 : 1;
      expect(ns.sort((a, b) => a - b)).toEqual(Array.from({ length: ns.length }, (_, i) => first + i));
      expect(stored[day]).toBe(first + ns.length - 1);
    }
    // the next real intake continues after the generated numbers
    const next = await nextCaseNo(db, P110, NOW);
    expect(next).toBe(`${today}-${P110.stationId}-${String(stored[today]! + 1).padStart(4, '0')}`);

    // a second fill continues too, with no number used twice
    await fillDemoData(db, P110, { count: 100, seed: 4, now: NOW, days: 5 });
    const all = await db.cases.toArray();
    expect(all).toHaveLength(400);
    expect(new Set(all.map((r) => r.caseNo)).size).toBe(400);
  });

  it('is deterministic by seed: the same cases in two databases', async () => {
    const a = freshDb();
    const b = freshDb();
    await fillDemoData(a, P110, { count: 300, seed: 9, now: NOW, batchSize: 50 });
    await fillDemoData(b, P110, { count: 300, seed: 9, now: NOW, batchSize: 500 });
    const strip = (rows: StoredCase[]) => rows.map(({ lastEventId: _e, ...r }) => r);
    expect(strip(await a.cases.orderBy('id').toArray())).toEqual(strip(await b.cases.orderBy('id').toArray()));
    const c = freshDb();
    await fillDemoData(c, P110, { count: 300, seed: 10, now: NOW });
    const ids = (await c.cases.orderBy('id').primaryKeys()).join();
    expect(ids).not.toBe((await a.cases.orderBy('id').primaryKeys()).join());
  });

  it('makes data the list can query: every category, searchable text', async () => {
    const db = freshDb();
    await fillDemoData(db, P110, { count: 300, seed: 5, now: NOW });
    const categories = new Set((await db.cases.toArray()).map((r) => r.category));
    for (const { category } of listCategories(loadDefaultCatalogue())) expect(categories.has(category.code), category.code).toBe(true);
    const page = await queryCasePage(db, { status: 'transferred' }, { key: 'updatedAt', dir: 'desc' }, 50);
    expect(page.rows.length).toBe(50);
    expect(page.rows.every((r) => r.status === 'transferred')).toBe(true);
    const water = await queryCasePage(db, { search: '停水' }, { key: 'receivedAt', dir: 'desc' }, 50);
    expect(water.rows.length).toBeGreaterThan(0);
    expect(water.rows.every((r) => r.description.includes('停水'))).toBe(true);
  });

  it('writes nothing for zero cases', async () => {
    const db = freshDb();
    const result = await fillDemoData(db, P110, { count: 0, now: NOW });
    expect(result).toMatchObject({ cases: 0, events: 0, batches: 0 });
    expect(await db.events.count()).toBe(0);
  });
});
