import fc from 'fast-check';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  caseSearchTerms,
  foldCase,
  NATURES,
  queryTerms,
  STATUSES,
  termsMatch,
  type CaseState,
  type Nature,
  type RelayEvent,
  type StationRef,
  type Urgency,
} from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import type { RelayDb, StoredCase } from '../../../src-renderer/src/store/db';
import { answeredFromMemory, choosePlan, queryCasePage, WALK_BEFORE_INDEX, type ListFilter, type ListSort, type SortKey } from '../../../src-renderer/src/store/list-query';
import { memorySearchOf, memorySearchState, memorySearchWhenReady, stopMemorySearch } from '../../../src-renderer/src/store/memory-search-source';
import { toCaseState, toStoredCase } from '../../../src-renderer/src/store/projection';
import { CaseScript, createdPayload, H12345, HEAT, P110, T0, TO_HEAT, TO_HOTLINE, TO_WATER, WATER } from '../../domain/fixtures';
import { freshDb } from './helpers';

// ---- a deterministic, varied set of cases --------------------------------------------------

function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['utility.water', 'utility.heat', 'traffic.taxi', 'labour.wage'];
const PHRASES = ['小区停水', '路灯不亮', '噪音扰民', '出租车遗失手机', '拖欠工资', '暖气不热', '燃气泄漏', '井盖丢失', '停水停电'];
const ADDRESSES = ['兰山区通达路 100 号', '罗庄区金雀山路 8 号', '河东区沂蒙路 66 号', '兰山区解放路 12 号'];
const PHONES = ['13912345678', '13800005678', '0539-8123456', '15066661234', ''];
const OWNERS = [P110, H12345, WATER, HEAT].map((s) => s.stationId);

function makeCase(i: number, r: () => number): RelayEvent[] {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // few distinct start times: many cases share receivedAt, updatedAt and deadlines
  const s = new CaseScript(T0 + Math.floor(r() * 20) * 30 * 60_000);
  const desk: StationRef = r() < 0.5 ? P110 : H12345;
  const phone = pick(PHONES);
  s.add(
    desk,
    'case.created',
    createdPayload(desk, desk === P110 ? 'police110' : 'hotline12345', {
      caseNo: `20260302-${desk.stationId}-${String(i).padStart(4, '0')}`,
      receivedAt: s.t(0),
      urgency: pick<Urgency>(['urgent', 'normal']),
      nature: pick<Nature>(NATURES),
      category: r() < 0.25 ? null : pick(CATEGORIES),
      caller: { name: phone ? '' : '王五', phone, anonymous: false, confidential: false },
      location: { address: pick(ADDRESSES), district: '兰山区' },
      description: `${pick(PHRASES)}，${pick(PHRASES)}`,
    }),
    0,
  );
  const stage = Math.floor(r() * 9);
  let m = 0;
  const step = () => (m += 10);
  if (desk === P110) {
    if (stage === 0) return s.events;
    if (r() < 0.2) {
      s.add(P110, 'case.screened', { verdict: 'police' }, step());
      if (r() < 0.5) s.add(P110, 'case.closed', {}, step());
      return s.events;
    }
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, step());
    if (stage === 1) return s.events;
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(m + 10 + 30) }, step());
    if (stage === 2) return s.events;
    s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, step());
    if (stage === 3) return s.events;
  }
  const unit = r() < 0.5 ? WATER : HEAT;
  s.add(H12345, 'case.assigned', { lead: unit === WATER ? TO_WATER : TO_HEAT, ackDueBy: s.t(m + 10 + 30), feedbackDueBy: s.t(m + 10 + 24 * 60) }, step());
  if (stage <= 4) return s.events;
  if (r() < 0.15) {
    s.add(unit, 'case.returned', { reason: '不属于本单位', station: unit }, step());
    return s.events;
  }
  s.add(unit, 'case.acknowledged', { of: 'assignment', station: unit }, step());
  if (stage === 5) return s.events;
  s.add(unit, 'case.feedback', { result: 'resolved', text: '已处理', station: unit }, step());
  if (stage === 6) return s.events;
  s.add(H12345, 'case.callback', { satisfaction: 'satisfied' }, step());
  if (stage === 7) return s.events;
  s.add(H12345, 'case.closed', {}, step());
  return s.events;
}

// ---- the slow, obviously right answer ------------------------------------------------------

function bruteForce(all: readonly StoredCase[], f: ListFilter, sort: ListSort): string[] {
  const wanted = f.search ? queryTerms(f.search) : [];
  const rows = all.filter(
    (c) =>
      (!f.status || c.status === f.status) &&
      (!f.statuses || f.statuses.length === 0 || f.statuses.includes(c.status)) &&
      (!f.urgency || c.urgency === f.urgency) &&
      (!f.nature || c.nature === f.nature) &&
      (!f.category || c.category === f.category) &&
      (!f.ownerId || c.owner.stationId === f.ownerId) &&
      (!f.from || c.receivedAt >= f.from) &&
      (!f.to || c.receivedAt <= f.to) &&
      // terms recomputed from the case itself, not read from the stored row
      termsMatch(caseSearchTerms(toCaseState(c)), wanted),
  );
  const key = (c: StoredCase) => (sort.key === 'dueKey' ? (c.dueAt ?? '\uffff') : c[sort.key]);
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sort.dir === 'desc') rows.reverse();
  return rows.map((c) => c.id);
}

async function pageThrough(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit: number,
): Promise<{ ids: string[]; plans: Set<string> }> {
  const ids: string[] = [];
  const plans = new Set<string>();
  let cursor = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await queryCasePage(db, filter, sort, limit, cursor);
    plans.add(page.plan);
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return { ids, plans };
    // a page with more to come is full, and the cursor is its last row
    expect(page.rows.length).toBe(limit);
    expect(page.next.id).toBe(page.rows.at(-1)!.id);
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

// ---- the tests -------------------------------------------------------------------------------

describe('queryCasePage against a brute-force filter and sort (300 cases)', () => {
  let db: RelayDb;
  /** a second connection to the same database, whose in-memory search is stopped: search walks the rows */
  let rowsOnly: RelayDb;
  let all: StoredCase[];
  const receivedTimes: string[] = [];

  beforeAll(async () => {
    const factory = new IDBFactory();
    db = freshDb('list-query-300', factory);
    rowsOnly = freshDb('list-query-300', factory);
    stopMemorySearch(rowsOnly, 'this test searches the case rows');
    const r = rng(20260302);
    const events = Array.from({ length: 300 }, (_, i) => makeCase(i, r)).flat();
    await applyExternalEvents(db, events.map((event) => ({ event })));
    // the in-memory index filled, as a desk's is a few seconds after it opens (the pages asked
    // before it is filled: see 'before the in-memory index is filled' below)
    expect(await memorySearchWhenReady(db)).not.toBeNull();
    all = await db.cases.toArray();
    receivedTimes.push(...new Set(all.map((c) => c.receivedAt)));
    receivedTimes.sort();
  });
  afterAll(() => {
    db.close();
    rowsOnly.close();
  });

  it('the data set is varied and full of ties', async () => {
    expect(all).toHaveLength(300);
    for (const status of STATUSES) expect(all.some((c) => c.status === status), status).toBe(true);
    for (const owner of OWNERS) expect(all.some((c) => c.ownerId === owner), owner).toBe(true);
    const dupes = (k: keyof StoredCase) => all.length - new Set(all.map((c) => c[k])).size;
    expect(dupes('receivedAt')).toBeGreaterThan(200);
    expect(dupes('updatedAt')).toBeGreaterThan(100);
    expect(dupes('dueKey')).toBeGreaterThan(100);
    expect(all.some((c) => c.category === null)).toBe(true);
    // each row is its case, and its index keys are what the case says
    for (const c of all) {
      expect(c.dueKey).toBe(c.dueAt ?? '9999-12-31T23:59:59.999Z');
      expect(c.ownerId).toBe(c.owner.stationId);
      expect(toCaseState(c)).toEqual(foldCase(await db.events.where('caseId').equals(c.id).toArray()));
    }
  });

  const sorts: ListSort[] = (['updatedAt', 'receivedAt', 'dueKey'] as SortKey[]).flatMap((key) => [
    { key, dir: 'asc' as const },
    { key, dir: 'desc' as const },
  ]);

  it.each(sorts)('every case, sorted by $key $dir, pages of 7: same ids, same order', async (sort) => {
    const { ids } = await pageThrough(db, {}, sort, 7);
    expect(ids).toEqual(bruteForce(all, {}, sort));
    expect(new Set(ids).size).toBe(300);
  });

  const fixed: ListFilter[] = [
    { status: 'assigned' },
    { statuses: ['assigned', 'transferred'] },
    { statuses: STATUSES.filter((s) => s !== 'closed') },
    { urgency: 'urgent' },
    { nature: 'complaint' },
    { category: 'utility.water' },
    { ownerId: WATER.stationId },
    { ownerId: H12345.stationId, urgency: 'urgent' },
    { category: 'traffic.taxi', status: 'closed' },
    { status: 'acknowledged', category: 'labour.wage', ownerId: HEAT.stationId },
    { from: '2026-03-02T10:00:00.000Z', to: '2026-03-02T14:00:00.000Z' },
    { from: '2026-03-02T12:30:00.000Z', status: 'pending' },
    { to: '2026-03-02T09:00:00.000Z', category: 'utility.heat' },
    { status: 'new', statuses: ['pending'] }, // contradictory: nothing
    { search: '停水' },
    { search: '水' },
    { search: '5678' },
    { search: '0539' },
    { search: '通达路' },
    { search: '停水 噪音' },
    { search: '20260302-h12345' },
    { search: '不存在的内容' },
    { search: '停水', status: 'closed' },
    { search: '灯', urgency: 'normal', from: '2026-03-02T11:00:00.000Z' },
  ];

  it.each(fixed)('filter %j: every sort, pages of 10, matches brute force', async (filter) => {
    for (const sort of sorts) {
      const { ids, plans } = await pageThrough(db, filter, sort, 10);
      const expected = bruteForce(all, filter, sort);
      expect(ids, `${sort.key} ${sort.dir}`).toEqual(expected);
      // a search with terms, or a filter no case index serves, goes to the in-memory index
      // (started by the first such page); the rest walk the index choosePlan names
      if (answeredFromMemory(filter, sort)) expect([...plans].every((p) => p.startsWith('memory:'))).toBe(true);
      else expect([...plans]).toEqual([choosePlan(filter, sort).index]);
    }
  });

  it('two-character and one-character searches find exactly the cases whose text contains them', async () => {
    for (const q of ['停水', '噪音', '水', '灯', '丢']) {
      const { ids } = await pageThrough(db, { search: q }, { key: 'receivedAt', dir: 'asc' }, 50);
      const has = all.filter((c) => [c.caller.name, c.location.address, c.description].some((t) => t.includes(q)));
      expect(new Set(ids), q).toEqual(new Set(has.map((c) => c.id)));
      expect(has.length, q).toBeGreaterThan(0);
    }
  });

  it('any filter, any sort, any page size: the pages join up to the brute-force answer', async () => {
    const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
    const filterArb = fc.record({
      status: maybe(fc.constantFrom(...STATUSES)),
      statuses: maybe(fc.subarray([...STATUSES], { minLength: 1 })),
      urgency: maybe(fc.constantFrom<Urgency>('urgent', 'normal')),
      nature: maybe(fc.constantFrom(...NATURES)),
      category: maybe(fc.constantFrom(...CATEGORIES)),
      ownerId: maybe(fc.constantFrom(...OWNERS)),
      from: maybe(fc.integer({ min: 0, max: 19 }).map((k) => new Date(T0 + k * 30 * 60_000).toISOString())),
      to: maybe(fc.integer({ min: 0, max: 19 }).map((k) => new Date(T0 + k * 30 * 60_000).toISOString())),
      search: maybe(fc.constantFrom('停水', '水', '路', '5678', '139', '拖欠工资', '暖气 燃气')),
    });
    const sortArb = fc.record({ key: fc.constantFrom<SortKey>('updatedAt', 'receivedAt', 'dueKey'), dir: fc.constantFrom<'asc' | 'desc'>('asc', 'desc') });
    await fc.assert(
      fc.asyncProperty(filterArb, sortArb, fc.constantFrom(3, 11, 40), async (raw, sort, limit) => {
        const filter = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as ListFilter;
        const { ids } = await pageThrough(db, filter, sort, limit);
        expect(ids).toEqual(bruteForce(all, filter, sort));
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it.each(fixed.filter((f) => f.search || f.urgency || f.nature || f.ownerId || f.category))('%j with the in-memory index stopped (the case rows walked): every sort, pages of 4 and 10, matches brute force', async (filter) => {
    expect(memorySearchState(rowsOnly)?.failed).toBeTruthy();
    for (const sort of sorts) {
      for (const limit of [4, 10]) {
        const walked = await pageThrough(rowsOnly, filter, sort, limit);
        expect(walked.ids, `${sort.key} ${sort.dir} /${limit}`).toEqual(bruteForce(all, filter, sort));
        expect([...walked.plans]).toEqual([choosePlan(filter, sort).index]);
      }
    }
  }, 60_000);

  it('random searches with random filters: the in-memory search and the rows walked give the brute-force answer', async () => {
    const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });
    const filterArb = fc.record({
      status: maybe(fc.constantFrom(...STATUSES)),
      statuses: maybe(fc.subarray([...STATUSES], { minLength: 1 })),
      urgency: maybe(fc.constantFrom<Urgency>('urgent', 'normal')),
      category: maybe(fc.constantFrom(...CATEGORIES)),
      ownerId: maybe(fc.constantFrom(...OWNERS)),
      from: maybe(fc.integer({ min: 0, max: 19 }).map((k) => new Date(T0 + k * 30 * 60_000).toISOString())),
      to: maybe(fc.integer({ min: 0, max: 19 }).map((k) => new Date(T0 + k * 30 * 60_000).toISOString())),
      search: fc.constantFrom('停水', '水', '路', '5678', '139', '拖欠工资', '暖气 燃气'),
    });
    const sortArb = fc.record({ key: fc.constantFrom<SortKey>('updatedAt', 'receivedAt', 'dueKey'), dir: fc.constantFrom<'asc' | 'desc'>('asc', 'desc') });
    await fc.assert(
      fc.asyncProperty(filterArb, sortArb, fc.constantFrom(1, 3, 11, 40), async (raw, sort, limit) => {
        const filter = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as ListFilter;
        const expected = bruteForce(all, filter, sort);
        expect((await pageThrough(db, filter, sort, limit)).ids).toEqual(expected);
        expect((await pageThrough(rowsOnly, filter, sort, limit)).ids).toEqual(expected);
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('a cursor in the middle of a run of equal sort values neither skips nor repeats', async () => {
    // find a receivedAt shared by many cases and cut pages of 1 through it
    const byTime = new Map<string, number>();
    for (const c of all) byTime.set(c.receivedAt, (byTime.get(c.receivedAt) ?? 0) + 1);
    const [busiest] = [...byTime.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const filter = { from: busiest, to: busiest };
    for (const dir of ['asc', 'desc'] as const) {
      const { ids } = await pageThrough(db, filter, { key: 'receivedAt', dir }, 1);
      expect(ids.length).toBe(byTime.get(busiest));
      expect(ids).toEqual(bruteForce(all, filter, { key: 'receivedAt', dir }));
    }
  });
});

describe('choosePlan', () => {
  const upd: ListSort = { key: 'updatedAt', dir: 'desc' };
  it('uses the plain sort index when nothing narrows', () => {
    expect(choosePlan({}, upd)).toEqual({ field: null, index: 'updatedAt' });
    expect(choosePlan({ from: 'x', search: '水', statuses: ['new'] }, { key: 'receivedAt', dir: 'asc' })).toEqual({ field: null, index: 'receivedAt' });
  });
  it('narrows by the most selective equality filter that has a compound index with the sort', () => {
    const rec: ListSort = { key: 'receivedAt', dir: 'asc' };
    expect(choosePlan({ status: 'new' }, upd).index).toBe('[status+updatedAt]');
    expect(choosePlan({ status: 'new', urgency: 'urgent' }, upd).index).toBe('[status+updatedAt]');
    expect(choosePlan({ ownerId: 'x', status: 'new' }, rec).index).toBe('[status+receivedAt]');
    expect(choosePlan({ category: 'a', ownerId: 'x', status: 'new' }, rec)).toEqual({ field: 'category', index: '[category+receivedAt]' });
    expect(choosePlan({ category: 'a', status: 'new' }, upd)).toEqual({ field: 'status', index: '[status+updatedAt]' });
    // urgency, nature and owner have no case index since v7: the sort index, rows checked
    expect(choosePlan({ nature: 'help', urgency: 'urgent' }, upd)).toEqual({ field: null, index: 'updatedAt' });
    expect(choosePlan({ ownerId: 'x' }, rec)).toEqual({ field: null, index: 'receivedAt' });
  });
  it('asks the in-memory index first for a search and for the filters no case index serves', () => {
    const rec: ListSort = { key: 'receivedAt', dir: 'asc' };
    expect(answeredFromMemory({ search: '停水' }, upd)).toBe(true);
    expect(answeredFromMemory({ search: ' !! ' }, upd)).toBe(false); // no terms
    expect(answeredFromMemory({ urgency: 'urgent' }, upd)).toBe(true);
    expect(answeredFromMemory({ nature: 'help', status: 'new' }, rec)).toBe(true);
    expect(answeredFromMemory({ ownerId: 'x' }, { key: 'dueKey', dir: 'asc' })).toBe(true);
    expect(answeredFromMemory({ category: 'a' }, upd)).toBe(true);
    expect(answeredFromMemory({ category: 'a' }, rec)).toBe(false);
    expect(answeredFromMemory({ status: 'new', statuses: ['new'], from: 'a', to: 'b' }, upd)).toBe(false);
    expect(answeredFromMemory({}, upd)).toBe(false);
  });
  it('by deadline only status has a compound index', () => {
    const due: ListSort = { key: 'dueKey', dir: 'asc' };
    expect(choosePlan({ category: 'a', status: 'assigned' }, due)).toEqual({ field: 'status', index: '[status+dueKey]' });
    expect(choosePlan({ category: 'a', urgency: 'urgent' }, due)).toEqual({ field: null, index: 'dueKey' });
  });
  it('every index it names exists in the database schema', async () => {
    const db = freshDb();
    await db.open();
    const names = new Set(db.cases.schema.indexes.map((i) => i.name));
    db.close();
    for (const key of ['updatedAt', 'receivedAt', 'dueKey'] as SortKey[]) {
      for (const f of [{}, { status: 'new' }, { urgency: 'urgent' }, { nature: 'help' }, { category: 'a' }, { ownerId: 'x' }] as ListFilter[]) {
        const { index } = choosePlan(f, { key, dir: 'asc' });
        expect(names.has(index), index).toBe(true);
      }
    }
  });
});

describe('before the in-memory index is filled', () => {
  let db: RelayDb;
  let all: StoredCase[];
  const n = WALK_BEFORE_INDEX + 500;

  beforeAll(async () => {
    db = freshDb();
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    const base = foldCase(s.events)!;
    const rows: StoredCase[] = [];
    for (let i = 0; i < n; i++) {
      const state: CaseState = {
        ...base,
        id: `CASE${String(i).padStart(5, '0')}`,
        caseNo: `N-${i}`,
        updatedAt: new Date(T0 + i * 60_000).toISOString(),
        // one case in three urgent; a single complaint, the oldest case
        urgency: i % 3 === 0 ? 'urgent' : 'normal',
        nature: i === 0 ? 'complaint' : 'help',
      };
      rows.push(toStoredCase(state));
    }
    await db.cases.bulkPut(rows);
    all = await db.cases.toArray();
  }, 60_000);
  afterAll(() => db.close());

  it('a common value is read along an index at once; a rare one waits for the index, and says so', async () => {
    const sort: ListSort = { key: 'updatedAt', dir: 'desc' };
    expect(memorySearchOf(db)).toBeNull();
    const waited: string[] = [];
    // urgent: a page of 50 within ~150 rows of the newest
    const urgent = await queryCasePage(db, { urgency: 'urgent' }, sort, 50, null, { onWait: () => waited.push('urgent') });
    expect(urgent.plan).toBe('updatedAt');
    expect(urgent.rows.map((r) => r.id)).toEqual(bruteForce(all, { urgency: 'urgent' }, sort).slice(0, 50));
    expect(urgent.next).not.toBeNull();
    expect(waited).toEqual([]);
    expect(memorySearchOf(db)).toBeNull(); // nothing started it
    // the one complaint lies past the rows a page may walk: it waits for the index
    const complaint = await queryCasePage(db, { nature: 'complaint' }, sort, 50, null, { onWait: () => waited.push('complaint') });
    expect(waited).toEqual(['complaint']);
    expect(complaint.plan).toBe('memory:filter');
    expect(complaint.rows.map((r) => r.id)).toEqual(['CASE00000']);
    expect(complaint.next).toBeNull();
    // filled now: the same pages from the index, nobody waits
    const again = await queryCasePage(db, { urgency: 'urgent' }, sort, 50, null, { onWait: () => waited.push('again') });
    expect(again.plan).toBe('memory:filter');
    expect(again.rows.map((r) => r.id)).toEqual(urgent.rows.map((r) => r.id));
    expect(waited).toEqual(['complaint']);
  });
});

describe('search over many candidates (3,100 cases)', () => {
  let db: RelayDb;
  let all: StoredCase[];

  beforeAll(async () => {
    db = freshDb();
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    const base = foldCase(s.events)!;
    const rows: StoredCase[] = [];
    for (let i = 0; i < 3100; i++) {
      // every case mentions 报修 (so that search has more than 3,000 candidates);
      // 1,000 cases have three words beginning with 停, 100 more have one that sorts after them
      const description = i < 1000 ? '停业停气停水报修' : i < 1100 ? '停电报修' : '路灯报修';
      const state: CaseState = {
        ...base,
        id: `CASE${String(i).padStart(5, '0')}`,
        caseNo: `N-${i}`,
        description,
        receivedAt: new Date(T0 + (i % 50) * 60_000).toISOString(),
        updatedAt: new Date(T0 + (i % 7) * 60_000).toISOString(),
        urgency: i % 3 === 0 ? 'urgent' : 'normal',
      };
      rows.push(toStoredCase(state));
    }
    await db.cases.bulkPut(rows);
    all = await db.cases.toArray();
  }, 60_000);
  afterAll(() => db.close());

  it('a term held by every case (3,100) pages right, with or without other filters', async () => {
    const sort: ListSort = { key: 'updatedAt', dir: 'desc' };
    const first = await queryCasePage(db, { search: '报修' }, sort, 50);
    expect(first.plan).toBe('memory:报修');
    const { ids } = await pageThrough(db, { search: '报修' }, sort, 500);
    expect(ids).toEqual(bruteForce(all, { search: '报修' }, sort));
    expect(ids).toHaveLength(3100);
    const urgent = await pageThrough(db, { search: '报修', urgency: 'urgent' }, { key: 'receivedAt', dir: 'asc' }, 400);
    expect(urgent.ids).toEqual(bruteForce(all, { search: '报修', urgency: 'urgent' }, { key: 'receivedAt', dir: 'asc' }));
  }, 60_000);

  it('a prefix that many terms of the same cases share does not cut the candidates short', async () => {
    // 3,100 index entries begin with 停, but only 1,100 cases: all of them must be found
    const sort: ListSort = { key: 'receivedAt', dir: 'asc' };
    const { ids } = await pageThrough(db, { search: '停' }, sort, 500);
    const expected = all.filter((c) => c.description.includes('停')).map((c) => c.id);
    expect(expected).toHaveLength(1100);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(ids).toEqual(bruteForce(all, { search: '停' }, sort));
  }, 60_000);

  it('a term with a thousand cases reads only the rows the page shows', async () => {
    const sort: ListSort = { key: 'updatedAt', dir: 'desc' };
    await queryCasePage(db, { search: '停水' }, sort, 50); // the in-memory search filled
    const spy = vi.spyOn(IDBObjectStore.prototype, 'get');
    try {
      const page = await queryCasePage(db, { search: '停水' }, sort, 50);
      expect(page.plan).toBe('memory:停水');
      expect(page.rows.map((r) => r.id)).toEqual(bruteForce(all, { search: '停水' }, sort).slice(0, 50));
      // the page's 50 rows and the one that says more follow, not the 1,000 candidates
      expect(spy.mock.calls.length).toBeLessThanOrEqual(51);
    } finally {
      spy.mockRestore();
    }
    const { ids } = await pageThrough(db, { search: '停水' }, sort, 50);
    expect(ids).toEqual(bruteForce(all, { search: '停水' }, sort));
  });

  it('a filter no case index serves (urgency) reads only the rows the page shows, from the in-memory index', async () => {
    const sort: ListSort = { key: 'updatedAt', dir: 'desc' };
    await queryCasePage(db, { search: '停水' }, sort, 50); // the in-memory index filled
    const spy = vi.spyOn(IDBObjectStore.prototype, 'get');
    const walk = vi.spyOn(IDBObjectStore.prototype, 'openCursor');
    try {
      const page = await queryCasePage(db, { urgency: 'urgent' }, sort, 50);
      expect(page.plan).toBe('memory:filter');
      expect(page.rows.map((r) => r.id)).toEqual(bruteForce(all, { urgency: 'urgent' }, sort).slice(0, 50));
      expect(spy.mock.calls.length).toBeLessThanOrEqual(51);
      expect(walk).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      walk.mockRestore();
    }
    const { ids, plans } = await pageThrough(db, { urgency: 'urgent', nature: all[0]!.nature }, sort, 200);
    expect([...plans]).toEqual(['memory:filter']);
    expect(ids).toEqual(bruteForce(all, { urgency: 'urgent', nature: all[0]!.nature }, sort));
    expect(ids.length).toBe(all.filter((c) => c.urgency === 'urgent').length);
  });

  it('a rare term is answered from its cases', async () => {
    const page = await queryCasePage(db, { search: '停电' }, { key: 'updatedAt', dir: 'asc' }, 1000);
    expect(page.plan).toBe('memory:停电');
    expect(page.rows.map((r) => r.id)).toEqual(bruteForce(all, { search: '停电' }, { key: 'updatedAt', dir: 'asc' }));
    expect(page.rows).toHaveLength(100);
    expect(page.next).toBeNull();
  });
});
