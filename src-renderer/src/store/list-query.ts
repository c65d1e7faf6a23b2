/**
 * The case list's queries. The list never loads or counts every case: it pages through an
 * index in the chosen order (keyset paging: each page starts after the last row of the one
 * before), picking the index that already narrows by the strongest filter, and applies the
 * remaining filters to rows as the index yields them, stopping when the page is full.
 * Search text goes through the multi-entry `terms` index of the caseTerms store (a case is
 * there once its terms are indexed, right after its save: see terms-index.ts).
 */
import type { Collection } from 'dexie';
import { queryTerms, termsMatch, type Nature, type Status, type Urgency } from '../../../src-common/domain';
import type { RelayDb, StoredCase } from './db';
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

async function pageBySearch(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit: number,
  cursor: PageCursor | null,
): Promise<ListPage | null> {
  const wanted = queryTerms(filter.search ?? '');
  if (wanted.length === 0) return null;
  // the candidate set from the rarest-looking (longest) term
  const first = [...wanted].sort((a, b) => Number(a.prefix) - Number(b.prefix) || b.term.length - a.term.length)[0]!;
  const clause = db.caseTerms.where('terms');
  const coll = first.prefix ? clause.startsWith(first.term) : clause.equals(first.term);
  const keys = await coll.limit(MAX_SEARCH_CANDIDATES + 1).primaryKeys();
  // the limit counts index entries, not cases: one case can hold several terms with the same
  // prefix, so a cut-off list of entries may miss cases even when it has few distinct ones
  if (keys.length > MAX_SEARCH_CANDIDATES) return null;
  const unique = [...new Set(keys)];
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

export async function queryCasePage(
  db: RelayDb,
  filter: ListFilter,
  sort: ListSort,
  limit = 50,
  cursor: PageCursor | null = null,
): Promise<ListPage> {
  // while the cases held before v4 still wait for their terms (terms-index.ts backfillTerms),
  // search checks the terms in the case rows along the sort index instead: slower, complete
  if (filter.search && filter.search.trim() && (await termsIndexComplete(db))) {
    const viaTerms = await pageBySearch(db, filter, sort, limit, cursor);
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

