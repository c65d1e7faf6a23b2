/**
 * Fills the in-memory search (memory-search.ts) from the case rows and keeps it current.
 *
 * At open the case rows are read in the background, a page at a time, each page its own short
 * read-only transaction (saves are never held up; at 100,000 cases it takes a few seconds).
 * Until it is done the list searches through IndexedDB as before (slower, same answers).
 * Meanwhile and after, every committed change to the case rows (case-write-feed.ts) is applied
 * as it commits; a change announced by another window makes its rows be read again here.
 * Writes and page reads cannot cross: a read-write transaction on the cases starts only after
 * the read-only ones begun before it have finished, and each page is applied as it is read.
 */
import type { RelayDb, StoredCase } from './db';
import { caseWriteFeedOf, type CaseWrites, type CaseWritesElsewhere } from './case-write-feed';
import { MemorySearchIndex } from './memory-search';

/**
 * Rows read a transaction while filling: small enough that a query of the desk's waiting behind
 * one (IndexedDB answers a connection's requests in turn) waits a few ms, not tens.
 */
const PAGE = 500;
/**
 * How long after the database opens the fill starts: the desk's first screen reads its counters,
 * queues and first page first (at 100,000 cases the fill takes a few seconds of reads, which
 * would otherwise stand in front of them).
 */
export const FILL_AFTER_MS = 1500;

export interface MemorySearchState {
  /** the index, once every case row has been read into it */
  ready: MemorySearchIndex | null;
  /** how long the first fill took (ms), once done */
  loadMs: number | null;
  /** why it stopped, when it did (the list then searches through IndexedDB) */
  failed: string | null;
}

const states = new WeakMap<RelayDb, MemorySearchState>();

/** The in-memory search of a database, when it is filled and current; null otherwise. */
export function memorySearchOf(db: RelayDb): MemorySearchIndex | null {
  return states.get(db)?.ready ?? null;
}

/** Where the in-memory search of a database stands (for the benchmark and the tests). */
export function memorySearchState(db: RelayDb): MemorySearchState | undefined {
  return states.get(db);
}

function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function fill(db: RelayDb, index: MemorySearchIndex, isCurrent: () => boolean): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const from = after;
    const rows: StoredCase[] = await db.transaction('r', db.cases, () =>
      (from === null ? db.cases.toCollection() : db.cases.where(':id').above(from)).limit(PAGE).toArray(),
    );
    if (!isCurrent()) return;
    for (const row of rows) index.put(row);
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.id;
    await yieldToPage();
  }
}

/**
 * Start following and, after `fillAfterMs` (default at once), filling the in-memory search of an
 * open database (once; later calls return its state as it is). Resolves when it is filled, or
 * has stopped; never rejects.
 */
export function startMemorySearch(db: RelayDb, options: { fillAfterMs?: number } = {}): Promise<MemorySearchState> {
  const held = states.get(db);
  if (held) return Promise.resolve(held);
  const feed = caseWriteFeedOf(db);
  const state: MemorySearchState = { ready: null, loadMs: null, failed: null };
  states.set(db, state);
  if (!feed) {
    state.failed = 'no case-write feed on this database';
    return Promise.resolve(state);
  }
  let index = new MemorySearchIndex();
  let generation = 0;
  let t0 = 0;

  const stop = (why: string) => {
    state.ready = null;
    state.failed = why;
    unlisten();
    unlistenElsewhere();
  };

  const refill = async (): Promise<void> => {
    const mine = ++generation;
    state.ready = null;
    index = new MemorySearchIndex();
    const fresh = index;
    await fill(db, fresh, () => mine === generation && !state.failed);
    if (mine === generation && !state.failed) state.ready = fresh;
  };

  const unlisten = feed.listen((writes: CaseWrites) => {
    if (writes.reset) {
      void refill().catch((error: unknown) => stop(String((error as Error)?.message ?? error)));
      return;
    }
    for (const row of writes.puts) index.put(row);
    for (const id of writes.deletes) index.remove(id);
  });

  const unlistenElsewhere = feed.listenElsewhere((writes: CaseWritesElsewhere) => {
    if (writes.reset) {
      void refill().catch((error: unknown) => stop(String((error as Error)?.message ?? error)));
      return;
    }
    const target = index;
    void db.cases
      .bulkGet(writes.ids)
      .then((rows) => {
        rows.forEach((row, i) => (row ? target.put(row) : target.remove(writes.ids[i]!)));
      })
      .catch((error: unknown) => stop(`rows changed elsewhere could not be read: ${String((error as Error)?.message ?? error)}`));
  });

  db.on('close', () => stop('the database closed'));

  const wait = options.fillAfterMs ?? 0;
  const first = () => {
    t0 = performance.now();
    return refill();
  };
  const started = wait > 0 ? new Promise<void>((resolve) => setTimeout(resolve, wait)).then(first) : first();
  return started.then(
    () => {
      if (state.ready) state.loadMs = performance.now() - t0;
      return state;
    },
    (error: unknown) => {
      // a closed database is no failure to report (tests close theirs; a reset closes it)
      if (db.isOpen()) console.warn('in-memory search could not be filled (search goes on through IndexedDB):', error);
      stop(String((error as Error)?.message ?? error));
      return state;
    },
  );
}
