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

interface Source {
  state: MemorySearchState;
  /** settles when the fill under way (or the first, once started) is done or has stopped */
  filling: Promise<void>;
  /** start the first fill now instead of after its delay */
  startNow: () => void;
  stop: (why: string) => void;
}

const sources = new WeakMap<RelayDb, Source>();

/** why it stops when its database closes (it starts again at the next search once the database is open again) */
const CLOSED = 'the database closed';

/**
 * Start following and, after `fillAfterMs` (default at once), filling the in-memory search of an
 * open database (once; later calls return its state as it is). Resolves when it is filled, or
 * has stopped; never rejects.
 */
export function startMemorySearch(db: RelayDb, options: { fillAfterMs?: number } = {}): Promise<MemorySearchState> {
  const held = sources.get(db);
  if (held) return held.filling.then(() => held.state);
  const feed = caseWriteFeedOf(db);
  const state: MemorySearchState = { ready: null, loadMs: null, failed: null };
  states.set(db, state);
  let index = new MemorySearchIndex();
  let generation = 0;
  let began = false;
  let unlisten = () => {};
  let unlistenElsewhere = () => {};
  const onClose = () => stop(CLOSED);

  const stop = (why: string) => {
    generation++;
    state.ready = null;
    // a stop for a reason other than a close is kept (a close stops it only until the next search)
    if (state.failed === null || state.failed === CLOSED) state.failed = why;
    // the filled index is let go (the listeners below, and this closure, may outlive it)
    index = new MemorySearchIndex();
    unlisten();
    unlistenElsewhere();
    db.on('close').unsubscribe(onClose);
  };
  const failed = (error: unknown) => {
    // a closed database is no failure to report (tests close theirs; a reset closes it)
    if (db.isOpen()) console.warn('in-memory search could not be filled (search reads the case rows instead):', error);
    stop(String((error as Error)?.message ?? error));
  };

  let release: () => void = () => {};
  const delayed = new Promise<void>((resolve) => (release = resolve));
  const source: Source = { state, filling: Promise.resolve(), startNow: () => release(), stop };
  sources.set(db, source);
  if (!feed) {
    stop('no case-write feed on this database');
    return Promise.resolve(state);
  }

  /** A fill from the start (the first, or again after a clear); `source.filling` is always the latest. */
  const fillNow = (): Promise<void> => {
    began = true;
    const mine = ++generation;
    state.ready = null;
    const fresh = (index = new MemorySearchIndex());
    const t0 = performance.now();
    const run = fill(db, fresh, () => mine === generation && !state.failed)
      .then(() => {
        if (mine !== generation || state.failed) return;
        state.ready = fresh;
        state.loadMs ??= performance.now() - t0;
      })
      .catch(failed);
    source.filling = run;
    return run;
  };

  unlisten = feed.listen((writes: CaseWrites) => {
    if (writes.reset) return void fillNow();
    for (const row of writes.puts) index.put(row);
    for (const id of writes.deletes) index.remove(id);
  });
  unlistenElsewhere = feed.listenElsewhere((writes: CaseWritesElsewhere) => {
    if (writes.reset) return void fillNow();
    const target = index;
    void db.cases
      .bulkGet(writes.ids)
      .then((rows) => {
        rows.forEach((row, i) => (row ? target.put(row) : target.remove(writes.ids[i]!)));
      })
      .catch((error: unknown) => stop(`rows changed elsewhere could not be read: ${String((error as Error)?.message ?? error)}`));
  });
  db.on('close', onClose);

  const wait = options.fillAfterMs ?? 0;
  if (wait > 0) setTimeout(release, wait);
  else release();
  // the first fill, unless one began already (a clear heard during the delay)
  const first: Promise<void> = delayed.then(() => {
    if (state.failed) return;
    if (!began) return fillNow();
    // a fill began meanwhile: this one waits for the latest
    return source.filling === first ? undefined : source.filling;
  });
  source.filling = first;
  // resolved once the latest fill is done (a clear during the first starts another)
  return first.then(async () => {
    for (let i = 0; i < 10 && !state.ready && !state.failed; i++) await source.filling;
    return state;
  });
}

/**
 * The in-memory search of a database once it is filled, for a search asked now: when it is
 * still waiting for its delay it starts at once, when it is filling this waits for it (and for a
 * fill begun meanwhile), when it was never started, or stopped because the database closed and
 * it is open again, it is started. Null when it has stopped otherwise (the caller searches the
 * case rows instead).
 */
export async function memorySearchWhenReady(db: RelayDb): Promise<MemorySearchIndex | null> {
  let source = sources.get(db);
  // closed by the browser, Dexie opens it again at the next request; closed for good, not
  if (source && source.state.failed === CLOSED && (db.isOpen() || !db.hasBeenClosed())) {
    sources.delete(db);
    source = undefined;
  }
  if (!source) {
    void startMemorySearch(db);
    source = sources.get(db)!;
  }
  for (let i = 0; i < 10 && !source.state.ready && !source.state.failed; i++) {
    source.startNow();
    await source.filling;
  }
  return source.state.ready;
}

/**
 * Whether a search asked now waits for the in-memory search to be filled (it is not filled yet,
 * and has not stopped for good): the list says so meanwhile.
 */
export function memorySearchPreparing(db: RelayDb): boolean {
  const state = states.get(db);
  return !state?.ready && (!state?.failed || state.failed === CLOSED);
}

/** Stop following and drop the in-memory search of a database (search then reads the case rows). */
export function stopMemorySearch(db: RelayDb, why: string): void {
  const source = sources.get(db);
  if (source) return source.stop(why);
  // never started: it stays stopped
  const state: MemorySearchState = { ready: null, loadMs: null, failed: why };
  states.set(db, state);
  sources.set(db, { state, filling: Promise.resolve(), startNow: () => {}, stop: () => {} });
}
