/**
 * The case list's queries. The list never loads or counts every case: it pages through an
 * index in the chosen order (keyset paging: each page starts after the last row of the one
 * before), picking the index that already narrows by the strongest filter, and applies the
 * remaining filters to rows as the index yields them, stopping when the page is full.
 * Search text goes to the in-memory search once it is filled (memory-search.ts: it proposes
 * the page's case ids, which are read and checked here); until then, through the multi-entry
 * `terms` index of the caseTerms store (a case is there once its terms are indexed, right
 * after its save: see terms-index.ts).
 */
import type { Collection } from 'dexie';
import { queryTerms, termsMatch, type Nature, type Status, type Urgency } from '../../../src-common/domain';
import type { RelayDb, StoredCase } from './db';
import type { MemorySearchIndex } from './memory-search';
import { memorySearchOf } from './memory-search-source';
import { answer, getMany } from './read-at-once';
import { termsIndexComplete } from './terms-index';

export type SortKey = 'updatedAt' | 'receivedAt' | 'dueKey';
export interface ListFilter {
  status?: Status | null;
  /** several statuses, e.g. "all open" */
  statuses?: Status[] | null;
  urgency?: Urgency | null;
  nature?: Nature | null;
  category?: string | null;
  ownerId?: string | null;
  /** receivedAt range, ISO, inclusive */
  from?: string | null;
  to?: string | null;
  search?: string | null;
}
export interface ListSort {
  key: SortKey;
  dir: 'asc' | 'desc';
}
export interface PageCursor {
  value: string;
  id: string;
}
export interface ListPage {
  rows: StoredCase[];
  next: PageCursor | null;
  /** which index drove the query: shown in the benchmark, tested in unit tests */
  plan: string;
}

/** Search candidates larger than this are checked row by row along the sort index instead. */
const MAX_SEARCH_CANDIDATES = 3000;

/**
 * How a search page is found among its candidates (the cases holding its rarest term):
 * - up to `walkAbove` candidates, every candidate row is read and sorted (a few ms);
 * - above, the sort index's keys are walked in order (no rows read, a few µs an entry) until
 *   the page is full of candidates that pass, and only those rows are read; a walk that passes
 *   `walkStepsPerCandidate` index entries per candidate (a term rare among the cases the index
 *   walks) gives up and reads every candidate instead, so a walk costs at most about what
 *   reading them would (in Chromium, ~10 µs an index entry walked, ~12 µs a row read).
 * At 100,000 cases a search with filters beside its text (open + urgent + "暖气") went from
 * ~120 to ~50 ms p95, a broad term alone ("停水", 2,300 cases) from ~110 to ~80 ms: most of
 * what remains is reading the term's candidate keys and walking as many index entries.
 */
export interface SearchTuning {
  walkAbove: number;
  walkStepsPerCandidate: number;
}
export const SEARCH_TUNING: SearchTuning = { walkAbove: 200, walkStepsPerCandidate: 2 };

type EqField = 'status' | 'urgency' | 'nature' | 'category' | 'ownerId';
const COMPOUND: Record<EqField, SortKey[]> = {
  status: ['updatedAt', 'receivedAt', 'dueKey'],
  urgency: ['updatedAt', 'receivedAt'],
  nature: ['updatedAt', 'receivedAt'],
  category: ['updatedAt', 'receivedAt'],
  ownerId: ['updatedAt', 'receivedAt'],
};
// most selective first
const PREFERENCE: EqField[] = ['category', 'ownerId', 'status', 'nature', 'urgency'];

function rowMatches(row: StoredCase, f: ListFilter, skip: EqField | null): boolean {
  if (f.status && skip !== 'status' && row.status !== f.status) return false;
  if (f.statuses && f.statuses.length > 0 && !f.statuses.includes(row.status)) return false;
  if (f.urgency && skip !== 'urgency' && row.urgency !== f.urgency) return false;
  if (f.nature && skip !== 'nature' && row.nature !== f.nature) return false;
  if (f.category && skip !== 'category' && row.category !== f.category) return false;
  if (f.ownerId && skip !== 'ownerId' && row.ownerId !== f.ownerId) return false;
  if (f.from && row.receivedAt < f.from) return false;
  if (f.to && row.receivedAt > f.to) return false;
  return true;
}

function afterCursor(row: StoredCase, sort: ListSort, cursor: PageCursor | null): boolean {
  if (!cursor) return true;
  const v = row[sort.key];
  if (v !== cursor.value) return sort.dir === 'desc' ? v < cursor.value : v > cursor.value;
  // equal sort values: IndexedDB orders them by primary key, ascending (descending when reversed)
  return sort.dir === 'desc' ? row.id < cursor.id : row.id > cursor.id;
}

export function choosePlan(filter: ListFilter, sort: ListSort): { field: EqField | null; index: string } {
  for (const field of PREFERENCE) {
    if (filter[field] && COMPOUND[field].includes(sort.key)) return { field, index: `[${field}+${sort.key}]` };
  }
  return { field: null, index: sort.key };
}

function sortBounds(filter: ListFilter, sort: ListSort, cursor: PageCursor | null): [string, string] {
  let lo: string = filter.from && sort.key === 'receivedAt' ? filter.from : '';
  let hi: string = filter.to && sort.key === 'receivedAt' ? filter.to : '\uffff';
  if (cursor) {
    if (sort.dir === 'desc') hi = cursor.value < hi ? cursor.value : hi;
    else lo = cursor.value > lo ? cursor.value : lo;
  }
  return [lo, hi];
}

type Wanted = ReturnType<typeof queryTerms>;

/**
 * The page of `candidates` that pass the filter, walking the keys of the sort index the plain
 * list would use (choosePlan) in the page's order; null when the walk passes `budget` index
 * entries first. Rows are read only for candidates met on the way, a page's worth at a time.
 */
async function pageAlongIndex(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit: number,
  cursor: PageCursor | null,
  candidates: ReadonlySet<string>,
  wanted: Wanted,
  budget: number,
): Promise<StoredCase[] | null> {
  const plan = choosePlan(filter, sort);
  const [lo, hi] = sortBounds(filter, sort, cursor);
  if (lo > hi) return [];
  const v = plan.field ? (filter[plan.field] as string) : null;
  const range = v !== null ? db.keyRange.bound([v, lo], [v, hi]) : db.keyRange.bound(lo, hi);
  return db.transaction('r', db.cases, async (tx) => {
    // a key cursor: index keys and primary keys only, no case rows
    const request = tx.idbtrans.objectStore('cases').index(plan.index).openKeyCursor(range, sort.dir === 'desc' ? 'prev' : 'next');
    let steps = 0;
    let exhausted = false;
    /**
     * The next `need` candidates along the index, stepping the cursor in its own callbacks (no
     * promise a step); the cursor stays on the last one met. Null when the budget runs out.
     */
    const meet = (need: number, resume: boolean) =>
      new Promise<string[] | null>((resolve, reject) => {
        const met: string[] = [];
        request.onerror = () => reject(request.error ?? new Error('the index walk failed'));
        request.onsuccess = () => {
          const at = request.result;
          if (!at) {
            exhausted = true;
            resolve(met);
            return;
          }
          const key = at.primaryKey as string;
          if (candidates.has(key)) met.push(key);
          if (met.length >= need) resolve(met);
          else if (++steps > budget) resolve(null);
          else at.continue();
        };
        if (resume) request.result!.continue();
      });
    const rows: StoredCase[] = [];
    for (let resume = false; !exhausted && rows.length <= limit; resume = true) {
      const met = await meet(limit + 1 - rows.length, resume);
      if (met === null) return null;
      for (const row of await getMany(tx, db.cases, met)) {
        if (row && termsMatch(row.terms, wanted) && rowMatches(row, filter, plan.field) && afterCursor(row, sort, cursor)) rows.push(row);
      }
    }
    return rows;
  });
}

async function pageBySearch(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit: number,
  cursor: PageCursor | null,
  tuning: SearchTuning,
): Promise<ListPage | null> {
  const wanted = queryTerms(filter.search ?? '');
  if (wanted.length === 0) return null;
  // the candidate set from the rarest-looking (longest) term
  const first = [...wanted].sort((a, b) => Number(a.prefix) - Number(b.prefix) || b.term.length - a.term.length)[0]!;
  // one getAllKeys request on the multi-entry index (Dexie's primaryKeys walks a cursor here)
  const range = first.prefix ? db.keyRange.bound(first.term, `${first.term}\uffff`) : db.keyRange.only(first.term);
  const keys = await db.transaction('r', db.caseTerms, (tx) =>
    answer(tx.idbtrans.objectStore('caseTerms').index('terms').getAllKeys(range, MAX_SEARCH_CANDIDATES + 1) as IDBRequest<string[]>),
  );
  // the limit counts index entries, not cases: one case can hold several terms with the same
  // prefix, so a cut-off list of entries may miss cases even when it has few distinct ones
  if (keys.length > MAX_SEARCH_CANDIDATES) return null;
  const unique = [...new Set(keys)];
  if (unique.length > tuning.walkAbove) {
    const along = await pageAlongIndex(db, filter, sort, limit, cursor, new Set(unique), wanted, unique.length * tuning.walkStepsPerCandidate);
    if (along) {
      const page = along.slice(0, limit);
      const last = page.at(-1);
      return {
        rows: page,
        next: along.length > limit && last ? { value: last[sort.key], id: last.id } : null,
        plan: `terms:${first.term} along ${choosePlan(filter, sort).index}`,
      };
    }
  }
  const rows = (await db.cases.bulkGet(unique)).filter((r): r is StoredCase => Boolean(r));
  const matching = rows
    .filter((r) => termsMatch(r.terms, wanted) && rowMatches(r, filter, null) && afterCursor(r, sort, cursor))
    .sort((a, b) => {
      const c = a[sort.key] < b[sort.key] ? -1 : a[sort.key] > b[sort.key] ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      return sort.dir === 'desc' ? -c : c;
    });
  const page = matching.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: matching.length > limit && last ? { value: last[sort.key], id: last.id } : null,
    plan: `terms:${first.term}`,
  };
}

/** How many times a page proposed by the in-memory search is asked again after a stale entry. */
const MEMORY_RETRIES = 3;

/**
 * A search page from the in-memory search: the proposed rows are read in one transaction and
 * each is checked against the filter, the terms and the sort value the index held. A row that
 * differs (a change the index has not heard yet) corrects the index and the page is asked
 * again; null (search through IndexedDB instead) when it stays inconsistent.
 */
async function pageByMemory(
  db: RelayDb,
  index: MemorySearchIndex,
  filter: ListFilter,
  sort: ListSort,
  limit: number,
  cursor: PageCursor | null,
): Promise<ListPage | null> {
  const wanted = queryTerms(filter.search ?? '');
  for (let attempt = 0; attempt < MEMORY_RETRIES; attempt++) {
    const ids = index.query(filter, sort, limit + 1, cursor);
    if (ids === null) return null;
    // the sort values the page was ordered by (the index may hear of a change while rows are read)
    const held = ids.map((id) => index.sortValue(id, sort.key));
    const read = ids.length === 0 ? [] : await db.transaction('r', db.cases, (tx) => getMany(tx, db.cases, ids));
    const rows: StoredCase[] = [];
    let stale = false;
    read.forEach((row, i) => {
      if (!row) {
        index.remove(ids[i]!);
        stale = true;
      } else if (!termsMatch(row.terms, wanted)) {
        index.correct(row, filter.search ?? '');
        stale = true;
      } else if (row[sort.key] !== held[i] || !rowMatches(row, filter, null) || !afterCursor(row, sort, cursor)) {
        index.put(row);
        stale = true;
      } else rows.push(row);
    });
    if (stale) continue;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      rows: page,
      next: rows.length > limit && last ? { value: last[sort.key], id: last.id } : null,
      plan: `memory:${wanted.map((w) => w.term).join('+')}`,
    };
  }
  return null;
}

export async function queryCasePage(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit = 50,
  cursor: PageCursor | null = null,
  tuning: SearchTuning = SEARCH_TUNING,
): Promise<ListPage> {
  // while the cases held before v4 still wait for their terms (terms-index.ts backfillTerms),
  // search checks the terms in the case rows along the sort index instead: slower, complete
  const memory = filter.search && filter.search.trim() ? memorySearchOf(db) : null;
  if (memory) {
    const fromMemory = await pageByMemory(db, memory, filter, sort, limit, cursor);
    if (fromMemory) return fromMemory;
  }
  if (filter.search && filter.search.trim() && (await termsIndexComplete(db))) {
    const viaTerms = await pageBySearch(db, filter, sort, limit, cursor, tuning);
    if (viaTerms) return viaTerms;
  }
  const wanted = filter.search ? queryTerms(filter.search) : [];
  const plan = choosePlan(filter, sort);
  const [lo, hi] = sortBounds(filter, sort, cursor);
  let coll: Collection<StoredCase, string>;
  if (plan.field) {
    const v = filter[plan.field] as string;
    coll = db.cases.where(plan.index).between([v, lo], [v, hi], true, true);
  } else {
    coll = db.cases.where(sort.key).between(lo, hi, true, true);
  }
  if (sort.dir === 'desc') coll = coll.reverse();
  const rows = await coll
    .filter((r) => afterCursor(r, sort, cursor) && rowMatches(r, filter, plan.field) && (wanted.length === 0 || termsMatch(r.terms, wanted)))
    .limit(limit + 1)
    .toArray();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > limit && last ? { value: last[sort.key], id: last.id } : null,
    plan: plan.index,
  };
}

