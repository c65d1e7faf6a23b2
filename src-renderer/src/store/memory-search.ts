/**
 * The case list's search, held in memory: every case's search terms (an inverted index from
 * term to cases) and the fields the list filters and sorts by, so that a search page, or a page
 * of a filter no case index serves (list-query.ts), is found without reading candidates from
 * IndexedDB. Reading a broad term's candidates from the
 * multi-entry terms index alone takes ~17–19 ms at 100,000 cases in Chromium (2,300 keys), and
 * ordering them means reading their rows or walking a sort index beside them; here the same
 * page is a few set operations and one sort of the candidates, and only its rows are read.
 *
 * Pure data structure: no Dexie, no IndexedDB. It is filled and kept current by
 * memory-search-feed.ts, and it only proposes: the list reads the proposed rows and checks
 * each against the filter before showing it (list-query.ts), so a stale entry costs a
 * re-query, never a wrong row.
 *
 * Memory, at 100,000 cases of ~60 terms: postings as Int32Array runs (a term held by one case
 * keeps its case number alone), the list's fields as shared (interned) strings.
 */
import { queryTerms, type Nature, type Status, type Urgency } from '../../../src-common/domain';
import type { ListFilter, ListSort, PageCursor, SortKey } from './list-query';

/** What the index keeps of a case row. */
export interface SearchableCase {
  id: string;
  status: Status;
  urgency: Urgency;
  nature: Nature;
  category: string | null;
  ownerId: string;
  receivedAt: string;
  updatedAt: string;
  dueKey: string;
  terms: readonly string[];
}

/** A term's cases, ascending by case number: one number, or a growable run. */
interface Run {
  a: Int32Array;
  n: number;
}
type Posting = number | Run;

function hashTerms(terms: readonly string[]): number {
  let h = 2166136261;
  for (const t of terms) {
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 0x1f, 16777619);
  }
  return h | 0;
}

/** Index of the first element ≥ doc in a sorted run (its length when none). */
function lowerBound(a: Int32Array, n: number, doc: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemorySearchIndex {
  private readonly ids: string[] = [];
  private readonly docOf = new Map<string, number>();
  private alive = new Uint8Array(1024);
  private readonly status: string[] = [];
  private readonly urgency: string[] = [];
  private readonly nature: string[] = [];
  private readonly category: Array<string | null> = [];
  private readonly ownerId: string[] = [];
  private readonly receivedAt: string[] = [];
  private readonly updatedAt: string[] = [];
  private readonly dueKey: string[] = [];
  private termsHash = new Int32Array(1024);
  private readonly postings = new Map<string, Posting>();
  /** every term, by its first character: prefix searches scan one bucket */
  private readonly byFirst = new Map<string, string[]>();
  private readonly interned = new Map<string, string>();
  private liveCount = 0;

  /** Cases held. */
  get size(): number {
    return this.liveCount;
  }

  /** Distinct terms held. */
  get termCount(): number {
    return this.postings.size;
  }

  private intern(s: string): string {
    const held = this.interned.get(s);
    if (held !== undefined) return held;
    this.interned.set(s, s);
    return s;
  }

  private grow(doc: number): void {
    if (doc < this.alive.length) return;
    let size = this.alive.length;
    while (size <= doc) size *= 2;
    const alive = new Uint8Array(size);
    alive.set(this.alive);
    this.alive = alive;
    const hashes = new Int32Array(size);
    hashes.set(this.termsHash);
    this.termsHash = hashes;
  }

  /** Add one case number to a term's posting, keeping it ascending and without repeats. */
  private post(term: string, doc: number): void {
    const held = this.postings.get(term);
    if (held === undefined) {
      this.postings.set(term, doc);
      const first = term[0]!;
      const bucket = this.byFirst.get(first);
      if (bucket) bucket.push(term);
      else this.byFirst.set(first, [term]);
      return;
    }
    if (typeof held === 'number') {
      if (held === doc) return;
      const a = new Int32Array(4);
      a[0] = Math.min(held, doc);
      a[1] = Math.max(held, doc);
      this.postings.set(term, { a, n: 2 });
      return;
    }
    const at = held.n > 0 && held.a[held.n - 1]! < doc ? held.n : lowerBound(held.a, held.n, doc);
    if (at < held.n && held.a[at] === doc) return;
    if (held.n === held.a.length) {
      // (an emptied run has length 0: see unpost)
      const a = new Int32Array(Math.max(4, held.a.length * 2));
      a.set(held.a);
      held.a = a;
    }
    if (at < held.n) held.a.copyWithin(at + 1, at, held.n);
    held.a[at] = doc;
    held.n++;
  }

  /** Hold a case row as it is now (new or changed). */
  put(row: SearchableCase): void {
    let doc = this.docOf.get(row.id);
    const isNew = doc === undefined;
    if (doc === undefined) {
      doc = this.ids.length;
      this.ids.push(row.id);
      this.docOf.set(row.id, doc);
      this.grow(doc);
    }
    if (!this.alive[doc]) this.liveCount++;
    this.alive[doc] = 1;
    this.status[doc] = this.intern(row.status);
    this.urgency[doc] = this.intern(row.urgency);
    this.nature[doc] = this.intern(row.nature);
    this.category[doc] = row.category === null || row.category === undefined ? null : this.intern(row.category);
    this.ownerId[doc] = this.intern(row.ownerId);
    this.receivedAt[doc] = row.receivedAt;
    this.updatedAt[doc] = row.updatedAt;
    this.dueKey[doc] = row.dueKey;
    const terms = Array.isArray(row.terms) ? row.terms : [];
    const hash = hashTerms(terms);
    // a case's terms follow from its creation and do not change; when they do (a row restored
    // from elsewhere), the new ones are added and the old ones left: the list checks each row
    if (isNew || this.termsHash[doc] !== hash) {
      for (const t of terms) if (t) this.post(t, doc);
      this.termsHash[doc] = hash;
    }
  }

  /** Take one case number out of a term's posting. */
  private unpost(term: string, doc: number): void {
    const held = this.postings.get(term);
    if (held === undefined) return;
    if (typeof held === 'number') {
      // the term stays listed (its bucket), with no cases: an empty run
      if (held === doc) this.postings.set(term, { a: new Int32Array(0), n: 0 });
      return;
    }
    const at = lowerBound(held.a, held.n, doc);
    if (at >= held.n || held.a[at] !== doc) return;
    held.a.copyWithin(at, at + 1, held.n);
    held.n--;
  }

  /**
   * A case proposed for a search whose row, read, does not hold the terms the index found it
   * by (its terms changed: see put): take it out of those terms' postings, and hold its row.
   */
  correct(row: SearchableCase, search: string): void {
    const doc = this.docOf.get(row.id);
    if (doc !== undefined) {
      const has = new Set(Array.isArray(row.terms) ? row.terms : []);
      for (const w of queryTerms(search)) {
        const terms = w.prefix ? (this.byFirst.get(w.term[0]!) ?? []).filter((t) => t.startsWith(w.term)) : [w.term];
        for (const t of terms) if (!has.has(t)) this.unpost(t, doc);
      }
    }
    this.put(row);
  }

  /** Forget a case (its row is gone). */
  remove(id: string): void {
    const doc = this.docOf.get(id);
    if (doc === undefined || !this.alive[doc]) return;
    this.alive[doc] = 0;
    this.liveCount--;
  }

  /**
   * The cases holding exactly this term (e.g. a whole phone number) received at `since` or later,
   * the latest first, at most `limit`.
   */
  withTerm(term: string, limit: number, since = ''): string[] {
    const p = this.postings.get(term);
    if (p === undefined) return [];
    const docs: number[] = [];
    this.eachDoc(p, (doc) => {
      if (this.alive[doc] && this.receivedAt[doc]! >= since) docs.push(doc);
    });
    const at = this.receivedAt;
    docs.sort((a, b) => (at[a]! > at[b]! ? -1 : at[a]! < at[b]! ? 1 : b - a));
    return docs.slice(0, limit).map((doc) => this.ids[doc]!);
  }

  /** Whether the index holds this case. */
  has(id: string): boolean {
    const doc = this.docOf.get(id);
    return doc !== undefined && this.alive[doc] === 1;
  }

  /** The sort value the index holds for a case (undefined when it holds none). */
  sortValue(id: string, key: SortKey): string | undefined {
    const doc = this.docOf.get(id);
    if (doc === undefined || !this.alive[doc]) return undefined;
    return this[key][doc];
  }

  /** Call `fn` for each case of a posting. */
  private eachDoc(p: Posting, fn: (doc: number) => void): void {
    if (typeof p === 'number') fn(p);
    else for (let i = 0; i < p.n; i++) fn(p.a[i]!);
  }

  private postingSize(p: Posting | undefined): number {
    return p === undefined ? 0 : typeof p === 'number' ? 1 : p.n;
  }

  /**
   * The cases holding every query term (an exact term, or any term starting with a prefix), or
   * null when the query has no terms.
   */
  private candidates(search: string): number[] | null {
    const wanted = queryTerms(search);
    if (wanted.length === 0) return null;
    // each wanted term's postings (a prefix: every term it starts), smallest first
    const lists = wanted.map((w) => {
      if (!w.prefix) {
        const p = this.postings.get(w.term);
        return { postings: p === undefined ? [] : [p], size: this.postingSize(p) };
      }
      const postings: Posting[] = [];
      let size = 0;
      for (const t of this.byFirst.get(w.term[0]!) ?? []) {
        if (!t.startsWith(w.term)) continue;
        const p = this.postings.get(t)!;
        postings.push(p);
        size += this.postingSize(p);
      }
      return { postings, size };
    });
    lists.sort((a, b) => a.size - b.size);
    if (lists[0]!.size === 0) return [];
    // the smallest list's cases, then kept only where every other list holds them too
    let mark = new Uint8Array(this.ids.length);
    let found: number[] = [];
    for (const p of lists[0]!.postings) {
      this.eachDoc(p, (doc) => {
        if (!mark[doc] && this.alive[doc]) {
          mark[doc] = 1;
          found.push(doc);
        }
      });
    }
    for (const list of lists.slice(1)) {
      if (found.length === 0) break;
      const next = new Uint8Array(this.ids.length);
      for (const p of list.postings) {
        this.eachDoc(p, (doc) => {
          if (mark[doc]) next[doc] = 1;
        });
      }
      mark = next;
      found = found.filter((doc) => next[doc] === 1);
    }
    return found;
  }

  private matches(doc: number, f: ListFilter): boolean {
    if (f.status && this.status[doc] !== f.status) return false;
    if (f.statuses && f.statuses.length > 0 && !f.statuses.includes(this.status[doc] as Status)) return false;
    if (f.urgency && this.urgency[doc] !== f.urgency) return false;
    if (f.nature && this.nature[doc] !== f.nature) return false;
    if (f.category && this.category[doc] !== f.category) return false;
    if (f.ownerId && this.ownerId[doc] !== f.ownerId) return false;
    const received = this.receivedAt[doc]!;
    if (f.from && received < f.from) return false;
    if (f.to && received > f.to) return false;
    return true;
  }

  /**
   * The ids of the first `count` cases of a list page in list order (the sort value, then the
   * id, as IndexedDB orders an index), after `cursor`: the cases holding the search's terms, or
   * every case when it has none, that pass the filter.
   */
  query(filter: ListFilter, sort: ListSort, count: number, cursor: PageCursor | null = null): string[] {
    const found = this.candidates(filter.search ?? '');
    const values = this[sort.key];
    const desc = sort.dir === 'desc';
    const ids = this.ids;
    // a < b in page order
    const before = (a: number, b: number): boolean => {
      const va = values[a]!;
      const vb = values[b]!;
      if (va !== vb) return desc ? va > vb : va < vb;
      return desc ? ids[a]! > ids[b]! : ids[a]! < ids[b]!;
    };
    const afterCursor = (doc: number): boolean => {
      if (!cursor) return true;
      const v = values[doc]!;
      if (v !== cursor.value) return desc ? v < cursor.value : v > cursor.value;
      return desc ? ids[doc]! < cursor.id : ids[doc]! > cursor.id;
    };
    // the first `count` in order, kept in a bounded max-heap of the page's tail
    const heap: number[] = [];
    const up = (i: number) => {
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!before(heap[parent]!, heap[i]!)) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    };
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let last = i;
        if (l < heap.length && before(heap[last]!, heap[l]!)) last = l;
        if (r < heap.length && before(heap[last]!, heap[r]!)) last = r;
        if (last === i) return;
        [heap[last], heap[i]] = [heap[i]!, heap[last]!];
        i = last;
      }
    };
    const consider = (doc: number) => {
      if (heap.length < count) {
        if (!this.matches(doc, filter) || !afterCursor(doc)) return;
        heap.push(doc);
        up(heap.length - 1);
      } else if (count > 0) {
        // the page is full: most cases are turned away by their sort value alone, before the filter
        const v = values[doc]!;
        const top = values[heap[0]!]!;
        if (v !== top && (desc ? v < top : v > top)) return;
        if (!before(doc, heap[0]!) || !this.matches(doc, filter) || !afterCursor(doc)) return;
        heap[0] = doc;
        down(0);
      }
    };
    // Cases are numbered as they come (the fill reads them by id, which follows the time of
    // intake), so the list's order mostly follows the numbers: looking at them from the end the
    // page starts at, the heap is full of the page's cases early and nearly every case after
    // is turned away by one comparison (from the other end, each would replace the heap's top).
    // The order looked in changes nothing but the time.
    if (found !== null) {
      if (desc) for (let i = found.length - 1; i >= 0; i--) consider(found[i]!);
      else for (const doc of found) consider(doc);
    } else if (desc) {
      for (let doc = ids.length - 1; doc >= 0; doc--) if (this.alive[doc]) consider(doc);
    } else {
      for (let doc = 0; doc < ids.length; doc++) if (this.alive[doc]) consider(doc);
    }
    return heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).map((doc) => ids[doc]!);
  }
}
