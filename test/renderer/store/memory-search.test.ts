import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryTerms, STATUSES, termsMatch, type Nature, type Status, type Urgency } from '../../../src-common/domain';
import type { ListFilter, ListSort, PageCursor, SortKey } from '../../../src-renderer/src/store/list-query';
import { MemorySearchIndex, type SearchableCase } from '../../../src-renderer/src/store/memory-search';

// ---- the slow, obviously right answer ------------------------------------------------------

function reference(rows: Iterable<SearchableCase>, f: ListFilter, sort: ListSort, count: number, cursor: PageCursor | null): string[] {
  const wanted = queryTerms(f.search ?? '');
  const key = sort.key;
  const found = [...rows].filter(
    (c) =>
      // no search terms: every case the filter passes
      (wanted.length === 0 || termsMatch(c.terms, wanted)) &&
      (!f.status || c.status === f.status) &&
      (!f.statuses || f.statuses.length === 0 || f.statuses.includes(c.status)) &&
      (!f.urgency || c.urgency === f.urgency) &&
      (!f.nature || c.nature === f.nature) &&
      (!f.category || c.category === f.category) &&
      (!f.ownerId || c.ownerId === f.ownerId) &&
      (!f.from || c.receivedAt >= f.from) &&
      (!f.to || c.receivedAt <= f.to),
  );
  found.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sort.dir === 'desc') found.reverse();
  const after = cursor
    ? found.filter((c) =>
        c[key] !== cursor.value
          ? sort.dir === 'desc'
            ? c[key] < cursor.value
            : c[key] > cursor.value
          : sort.dir === 'desc'
            ? c.id < cursor.id
            : c.id > cursor.id,
      )
    : found;
  return after.slice(0, count).map((c) => c.id);
}

// ---- random cases from a small world, so that searches, filters and ties meet ---------------

const WORDS = ['停水', '暖气', '路灯', '噪音', '燃气泄漏', '通达路', '金雀山路', '拖欠工资'];
const PHONES = ['13912345678', '13800005678', '15066661234'];
const times = (n: number) => Array.from({ length: n }, (_, k) => `2026-03-02T0${k}:00:00.000Z`);
const TIMES = times(6);
const CATEGORIES = ['utility.water', 'utility.heat', 'labour.wage'];
const OWNERS = ['p110-a', 'h12345-a', 'water-a'];

function termsOf(text: string, phone: string | null): string[] {
  const out = new Set<string>();
  for (const w of text.split(' ')) {
    for (let i = 0; i + 1 < w.length; i++) out.add(w.slice(i, i + 2));
    if (w) out.add(w.slice(-1));
  }
  if (phone) {
    out.add(phone);
    out.add(phone.slice(-4));
  }
  return [...out];
}

const caseArb = (id: string): fc.Arbitrary<SearchableCase> =>
  fc
    .record({
      status: fc.constantFrom<Status>(...STATUSES),
      urgency: fc.constantFrom<Urgency>('urgent', 'normal'),
      nature: fc.constantFrom<Nature>('help', 'complaint', 'consultation'),
      category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
      ownerId: fc.constantFrom(...OWNERS),
      receivedAt: fc.constantFrom(...TIMES),
      updatedAt: fc.constantFrom(...TIMES),
      dueKey: fc.constantFrom(...TIMES, '9999-12-31T23:59:59.999Z'),
      words: fc.subarray(WORDS, { minLength: 1, maxLength: 3 }),
      phone: fc.option(fc.constantFrom(...PHONES), { nil: null }),
    })
    .map(({ words, phone, ...rest }) => ({ id, ...rest, terms: termsOf(words.join(' '), phone) }));

const maybe = <T,>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
const filterArb: fc.Arbitrary<ListFilter> = fc
  .record({
    status: maybe(fc.constantFrom<Status>(...STATUSES)),
    statuses: maybe(fc.subarray<Status>([...STATUSES], { minLength: 1 })),
    urgency: maybe(fc.constantFrom<Urgency>('urgent', 'normal')),
    nature: maybe(fc.constantFrom<Nature>('help', 'complaint')),
    category: maybe(fc.constantFrom(...CATEGORIES)),
    ownerId: maybe(fc.constantFrom(...OWNERS)),
    from: maybe(fc.constantFrom(...TIMES)),
    to: maybe(fc.constantFrom(...TIMES)),
    // '' and '!!' have no terms: a filter alone
    search: fc.constantFrom('停水', '水', '气', '燃气', '路灯 噪音', '5678', '139', '1380', '拖欠工资', '不存在', '!!', ''),
  })
  .map((raw) => Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as ListFilter);
const sortArb: fc.Arbitrary<ListSort> = fc.record({
  key: fc.constantFrom<SortKey>('updatedAt', 'receivedAt', 'dueKey'),
  dir: fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
});

type Op = { kind: 'put'; row: SearchableCase } | { kind: 'remove'; id: string };
const IDS = Array.from({ length: 40 }, (_, i) => `case-${String(i).padStart(2, '0')}`);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constantFrom(...IDS).chain((id) => caseArb(id).map((row) => ({ kind: 'put' as const, row }))), weight: 5 },
  { arbitrary: fc.constantFrom(...IDS).map((id) => ({ kind: 'remove' as const, id })), weight: 1 },
);

describe('MemorySearchIndex against a brute-force search', () => {
  // a case's terms do not change in practice (they follow from its creation); when a put changes
  // them, the index keeps finding it by the old ones too until the list corrects it (correct()):
  // the brute force searches each case by every term it was ever put with
  it('any puts, changes and removals, then any search, filter, sort, page size and cursor: the same ids in the same order', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), fc.array(fc.tuple(filterArb, sortArb, fc.constantFrom(1, 3, 10, 50)), { minLength: 1, maxLength: 6 }), (ops, queries) => {
        const index = new MemorySearchIndex();
        const held = new Map<string, SearchableCase>();
        const everTerms = new Map<string, Set<string>>();
        for (const op of ops) {
          if (op.kind === 'put') {
            index.put(op.row);
            const ever = everTerms.get(op.row.id) ?? new Set<string>();
            for (const t of op.row.terms) ever.add(t);
            everTerms.set(op.row.id, ever);
            held.set(op.row.id, { ...op.row, terms: [...ever] });
          } else {
            index.remove(op.id);
            held.delete(op.id);
          }
        }
        expect(index.size).toBe(held.size);
        for (const [filter, sort, count] of queries) {
          // page through: each page starts after the last of the one before
          let cursor: PageCursor | null = null;
          const all = reference(held.values(), filter, sort, Number.MAX_SAFE_INTEGER, null);
          const paged: string[] = [];
          for (let guard = 0; guard < 200; guard++) {
            const page = index.query(filter, sort, count, cursor);
            expect(page).toEqual(reference(held.values(), filter, sort, count, cursor));
            if (page.length < count) {
              paged.push(...page);
              break;
            }
            paged.push(...page);
            const last = held.get(page.at(-1)!)!;
            cursor = { value: last[sort.key], id: last.id };
          }
          expect(paged).toEqual(all);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a case whose terms change is found by its new terms (the old ones are left for the list to check)', () => {
    const index = new MemorySearchIndex();
    const row: SearchableCase = {
      id: 'a',
      status: 'new',
      urgency: 'urgent',
      nature: 'help',
      category: null,
      ownerId: 'p110-a',
      receivedAt: TIMES[0]!,
      updatedAt: TIMES[0]!,
      dueKey: TIMES[1]!,
      terms: termsOf('停水', null),
    };
    index.put(row);
    index.put({ ...row, terms: termsOf('暖气', null) });
    const sort: ListSort = { key: 'updatedAt', dir: 'desc' };
    expect(index.query({ search: '暖气' }, sort, 10)).toEqual(['a']);
    // stale: proposed, and refused by the list's check of the row (list-query.ts), which corrects it
    expect(index.query({ search: '停水' }, sort, 10)).toEqual(['a']);
    index.correct({ ...row, terms: termsOf('暖气', null) }, '停水');
    expect(index.query({ search: '停水' }, sort, 10)).toEqual([]);
    expect(index.query({ search: '暖气' }, sort, 10)).toEqual(['a']);
    // a prefix search: every term it covers that the row lacks
    index.put({ ...row, terms: termsOf('停电', null) });
    expect(index.query({ search: '停' }, sort, 10)).toEqual(['a']);
    index.correct({ ...row, terms: termsOf('暖气', null) }, '停');
    expect(index.query({ search: '停' }, sort, 10)).toEqual([]);
    expect(index.query({ search: '暖气' }, sort, 10)).toEqual(['a']);
  });

  it('a term whose only case was corrected away takes new cases again', () => {
    const index = new MemorySearchIndex();
    const row: SearchableCase = {
      id: 'a',
      status: 'new',
      urgency: 'urgent',
      nature: 'help',
      category: null,
      ownerId: 'p110-a',
      receivedAt: TIMES[0]!,
      updatedAt: TIMES[0]!,
      dueKey: TIMES[1]!,
      terms: ['停水', '13912345678'],
    };
    index.put(row);
    index.correct({ ...row, terms: ['暖气'] }, '13912345678');
    expect(index.withTerm('13912345678', 10)).toEqual([]);
    for (const id of ['b', 'c', 'd', 'e', 'f']) index.put({ ...row, id });
    // the latest first (equal times: the last held first)
    expect(index.withTerm('13912345678', 10)).toEqual(['f', 'e', 'd', 'c', 'b']);
    expect(index.withTerm('13912345678', 10, TIMES[1]!)).toEqual([]);
    expect(index.query({ search: '13912345678' }, { key: 'receivedAt', dir: 'asc' }, 10)).toEqual(['b', 'c', 'd', 'e', 'f']);
  });

  it('holds the fields a filter needs: a change of status moves a case out of a filtered search', () => {
    const index = new MemorySearchIndex();
    const base: SearchableCase = {
      id: 'a',
      status: 'new',
      urgency: 'urgent',
      nature: 'help',
      category: 'utility.water',
      ownerId: 'p110-a',
      receivedAt: TIMES[0]!,
      updatedAt: TIMES[0]!,
      dueKey: TIMES[1]!,
      terms: termsOf('停水', '13912345678'),
    };
    index.put(base);
    index.put({ ...base, id: 'b', updatedAt: TIMES[2]! });
    const sort: ListSort = { key: 'updatedAt', dir: 'desc' };
    expect(index.query({ search: '5678', status: 'new' }, sort, 10)).toEqual(['b', 'a']);
    index.put({ ...base, id: 'b', status: 'closed', updatedAt: TIMES[3]! });
    expect(index.query({ search: '5678', status: 'new' }, sort, 10)).toEqual(['a']);
    expect(index.query({ search: '5678' }, sort, 10)).toEqual(['b', 'a']);
    expect(index.sortValue('b', 'updatedAt')).toBe(TIMES[3]);
    index.remove('b');
    expect(index.has('b')).toBe(false);
    expect(index.sortValue('b', 'updatedAt')).toBeUndefined();
    expect(index.query({ search: '5678' }, sort, 10)).toEqual(['a']);
    // no search terms: every case the filter passes (a removed one not)
    expect(index.query({ status: 'new' }, sort, 10)).toEqual(['a']);
    expect(index.query({}, sort, 10)).toEqual(['a']);
    index.put({ ...base, id: 'c', terms: [], nature: 'complaint', updatedAt: TIMES[4]! });
    expect(index.query({ nature: 'complaint' }, sort, 10)).toEqual(['c']);
    expect(index.query({}, sort, 10)).toEqual(['c', 'a']);
  });

  it('keeps its postings in order when thousands of cases share a term, added in any order', () => {
    const index = new MemorySearchIndex();
    const n = 3000;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
    for (const i of order) {
      index.put({
        id: `c${String(i).padStart(5, '0')}`,
        status: 'new',
        urgency: 'normal',
        nature: 'help',
        category: null,
        ownerId: 'x',
        receivedAt: TIMES[i % 6]!,
        updatedAt: TIMES[i % 6]!,
        dueKey: TIMES[i % 6]!,
        terms: i % 3 === 0 ? ['停水', '水'] : ['暖气', '气'],
      });
    }
    // re-putting without a change adds nothing
    index.put({ id: 'c00000', status: 'new', urgency: 'normal', nature: 'help', category: null, ownerId: 'x', receivedAt: TIMES[0]!, updatedAt: TIMES[0]!, dueKey: TIMES[0]!, terms: ['停水', '水'] });
    const all = index.query({ search: '停水' }, { key: 'receivedAt', dir: 'asc' }, n)!;
    expect(all).toHaveLength(n / 3);
    expect(new Set(all).size).toBe(n / 3);
    expect(index.query({ search: '停水 暖气' }, { key: 'receivedAt', dir: 'asc' }, n)).toEqual([]);
  });
});
