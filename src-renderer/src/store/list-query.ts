/**
 * The case list's queries. The list never loads or counts every case: it pages through an
 * index in the chosen order (keyset paging: each page starts after the last row of the one
 * before), picking the index that already narrows by the strongest filter, and applies the
 * remaining filters to rows as the index yields them, stopping when the page is full.
 * Search text, and the filters no case index serves (urgency, nature, owner, and category
 * unless sorted by the time received: see db.ts, v7), are answered by the in-memory index
 * (memory-search.ts: it proposes the page's case ids, which are read and checked here); a page
 * asked before it is filled waits for it (a few seconds at 100,000 cases, right after the desk
 * opens). Only if it has stopped does the list walk the case rows along an index, checking
 * each (complete, slower).
 */
import type { Collection } from 'dexie';
import { queryTerms, termsMatch, type Nature, type Status, type Urgency } from '../../../src-common/domain';
import type { RelayDb, StoredCase } from './db';
import type { MemorySearchIndex } from './memory-search';
import { memorySearchOf, memorySearchPreparing, memorySearchWhenReady } from './memory-search-source';
import { getMany } from './read-at-once';

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


type EqField = 'status' | 'urgency' | 'nature' | 'category' | 'ownerId';
/** The compound case indexes (db.ts): an equality filter, then a sort key. */
const COMPOUND: Partial<Record<EqField, SortKey[]>> = {
  status: ['updatedAt', 'receivedAt', 'dueKey'],
  category: ['receivedAt'],
};
// most selective first
const PREFERENCE: EqField[] = ['category', 'status'];

/**
 * Whether a page is asked of the in-memory index first: a search with terms, or a filter that
 * no case index serves with this sort (urgency, nature, owner; category unless by the time
 * received). Walking an index and checking rows would read every row for a rare value.
 */
export function answeredFromMemory(filter: ListFilter, sort: ListSort): boolean {
  if (filter.search && queryTerms(filter.search).length > 0) return true;
  if (filter.urgency || filter.nature || filter.ownerId) return true;
  return Boolean(filter.category) && !COMPOUND.category!.includes(sort.key);
}

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
    if (filter[field] && COMPOUND[field]?.includes(sort.key)) return { field, index: `[${field}+${sort.key}]` };
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

/** How many times a page proposed by the in-memory search is asked again after a stale entry. */
const MEMORY_RETRIES = 3;

/**
 * A page from the in-memory index: the proposed rows are read in one transaction and each is
 * checked against the filter, the terms and the sort value the index held. A row that
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
      plan: wanted.length > 0 ? `memory:${wanted.map((w) => w.term).join('+')}` : 'memory:filter',
    };
  }
  return null;
}

/**
 * How many case rows a filter's page may walk along an index while the in-memory index is
 * still being filled (the first seconds after the desk opens), before it waits for the index
 * instead: a common value (urgent, an owner's cases) fills a page well within it, a rare one
 * would read the whole store.
 */
export const WALK_BEFORE_INDEX = 1_500;

export interface QueryOptions {
  /** told when the page waits for the in-memory index to be filled (a few seconds at most) */
  onWait?: () => void;
}

export async function queryCasePage(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit = 50,
  cursor: PageCursor | null = null,
  options: QueryOptions = {},
): Promise<ListPage> {
  const wanted = filter.search ? queryTerms(filter.search) : [];
  if (answeredFromMemory(filter, sort)) {
    let memory = memorySearchOf(db);
    if (!memory) {
      // not filled yet: a filter's page is looked for along an index first, a bounded walk
      if (wanted.length === 0) {
        const walked = await walkPage(db, filter, sort, limit, cursor, wanted, WALK_BEFORE_INDEX);
        if (walked) return walked;
      }
      if (memorySearchPreparing(db)) options.onWait?.();
      memory = await memorySearchWhenReady(db);
    }
    const fromMemory = memory ? await pageByMemory(db, memory, filter, sort, limit, cursor) : null;
    if (fromMemory) return fromMemory;
  }
  return (await walkPage(db, filter, sort, limit, cursor, wanted, Infinity))!;
}

/**
 * A page read along the index choosePlan names, each row checked; null when more than
 * `maxRows` rows were looked at without filling it (the page may not be complete).
 */
async function walkPage(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit: number,
  cursor: PageCursor | null,
  wanted: ReturnType<typeof queryTerms>,
  maxRows: number,
): Promise<ListPage | null> {
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
  let looked = 0;
  // (Dexie runs a collection's filters in the order given: the bound is checked first, for every row)
  if (maxRows !== Infinity) coll = coll.until(() => looked >= maxRows);
  const rows = await coll
    .filter((r) => {
      looked++;
      return afterCursor(r, sort, cursor) && rowMatches(r, filter, plan.field) && (wanted.length === 0 || termsMatch(r.terms, wanted));
    })
    .limit(limit + 1)
    .toArray();
  // stopped by the bound, not by a full page nor the end of the index
  if (looked >= maxRows && rows.length <= limit) return null;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > limit && last ? { value: last[sort.key], id: last.id } : null,
    plan: plan.index,
  };
}
