/**
 * The search-term index (the caseTerms store) is derived data: a case's terms follow from its
 * case.created event alone (caseSearchTerms reads only the case number, caller, location and
 * description, which no later event changes). So an intake save does not write them in its
 * strict transaction (40–80 multi-entry index entries, most of its cost); they are written
 * right after it commits, in a transaction of their own on stores the save does not use
 * (caseTerms, termsState), so neither waits for the other. The list shows the new case at once
 * (its case row is in the save); search finds it once this has run.
 *
 * What is indexed is kept by a watermark on the local event order: TERMS_INDEXED_TO_KEY in
 * termsState says every case.created event with an lseq up to it has its caseTerms row. A
 * catch-up reads only the events above it, so after a crash or power cut between a save and its
 * follow-up, the next open (openDb) writes what is missing.
 */
import Dexie from 'dexie';
import { caseSearchTerms } from '../../../src-common/domain';
import { TERMS_BACKFILL_KEY, TERMS_INDEXED_TO_KEY, type CaseTermsRow, type RelayDb, type StoredCase } from './db';

/** The stored watermark (0 when none). */
export function termsWatermark(row: { value: unknown } | undefined): number {
  return typeof row?.value === 'number' ? row.value : 0;
}

/** The caseTerms row of a case row. */
export function caseTermsOf(row: StoredCase): CaseTermsRow {
  return { caseId: row.id, terms: row.terms };
}

/**
 * Write the caseTerms rows of every case created by an event above the watermark, and move the
 * watermark to the last event held. Its own transaction; returns the number of rows written.
 */
export async function indexPendingTerms(db: RelayDb): Promise<number> {
  // the usual case at open: nothing above the watermark; known from two reads, without a
  // read-write transaction on the events (which would hold up the desk's first saves)
  const [indexedTo, lseq] = await Dexie.ignoreTransaction(() =>
    Promise.all([db.termsState.get(TERMS_INDEXED_TO_KEY), db.settings.get('local:lseq')]),
  );
  if (termsWatermark(indexedTo) >= termsWatermark(lseq)) return 0;
  return db.transaction('rw', [db.events, db.cases, db.caseTerms, db.termsState], async () => {
    const from = termsWatermark(await db.termsState.get(TERMS_INDEXED_TO_KEY));
    const events = await db.events.where('lseq').above(from).toArray();
    if (events.length === 0) return 0;
    const created = [...new Set(events.filter((e) => e.type === 'case.created').map((e) => e.caseId))];
    const rows = (await db.cases.bulkGet(created)).filter((r): r is StoredCase => Boolean(r));
    if (rows.length > 0) await db.caseTerms.bulkPut(rows.map(caseTermsOf));
    const to = events.reduce((m, e) => Math.max(m, e.lseq), from);
    await db.termsState.put({ key: TERMS_INDEXED_TO_KEY, value: to });
    return rows.length;
  });
}

/** What a save leaves to index: the terms of the cases it created, and its events' lseq range. */
export interface TermsJob {
  firstLseq: number;
  lastLseq: number;
  rows: CaseTermsRow[];
}

/**
 * The usual follow-up: for each job in lseq order, when everything before it is indexed, write
 * its cases' terms and move the watermark past it, touching no store a save or an apply uses.
 * Returns false when the watermark is behind a job (a recording in between that did not move
 * it, or a lost follow-up): then a catch-up must read the events.
 */
async function indexJobs(db: RelayDb, jobs: readonly TermsJob[]): Promise<boolean> {
  return db.transaction('rw', [db.caseTerms, db.termsState], async () => {
    let at = termsWatermark(await db.termsState.get(TERMS_INDEXED_TO_KEY));
    const start = at;
    const rows: CaseTermsRow[] = [];
    let complete = true;
    for (const job of [...jobs].sort((a, b) => a.firstLseq - b.firstLseq)) {
      if (at >= job.lastLseq) continue;
      if (at !== job.firstLseq - 1) {
        complete = false;
        break;
      }
      rows.push(...job.rows);
      at = job.lastLseq;
    }
    if (at !== start) await Promise.all([db.caseTerms.bulkPut(rows), db.termsState.put({ key: TERMS_INDEXED_TO_KEY, value: at })]);
    return complete;
  });
}

interface IndexingState {
  queue: Promise<void>;
  /** jobs not yet taken by a follow-up */
  pending: TermsJob[];
  /** a catch-up from the events is due too */
  catchUp: boolean;
  scheduled: boolean;
  /** counts scheduling calls, so a delayed follow-up can wait for a pause */
  calls: number;
}

/** the longest a delayed follow-up waits for a pause in the jobs arriving */
const MAX_WAIT_MS = 5000;

async function pause(state: IndexingState, delayMs: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    const calls = state.calls;
    await new Promise<void>((r) => setTimeout(r, delayMs));
    if (state.calls === calls || Date.now() - start >= MAX_WAIT_MS) return;
  }
}

const states = new WeakMap<RelayDb, IndexingState>();

/**
 * Index search terms after the current transaction commits, one follow-up at a time per
 * database: the given jobs' terms, or (without a job, or when the watermark is behind) a
 * catch-up from the events. Jobs that arrive while a follow-up waits are written with it.
 * With a delay (pulls), the follow-up waits until no job arrived for that long (at most
 * MAX_WAIT_MS), so that the pages of one pull are indexed together once it pauses, not in
 * between them. Safe to call inside a transaction: the follow-up runs outside it.
 * A failure (e.g. the database was closed) is left for the next catch-up: nothing recorded
 * depends on it.
 */
export function scheduleTermsIndexing(db: RelayDb, job?: TermsJob, delayMs = 0): void {
  let state = states.get(db);
  if (!state) {
    state = { queue: Promise.resolve(), pending: [], catchUp: false, scheduled: false, calls: 0 };
    states.set(db, state);
  }
  state.calls++;
  if (job) state.pending.push(job);
  else state.catchUp = true;
  if (state.scheduled) return;
  state.scheduled = true;
  const s = state;
  s.queue = s.queue
    .then(() => (delayMs > 0 ? pause(s, delayMs) : undefined))
    .then(() =>
      Dexie.ignoreTransaction(async () => {
        const jobs = s.pending.splice(0);
        const catchUp = s.catchUp;
        s.catchUp = false;
        s.scheduled = false;
        const complete = jobs.length > 0 ? await indexJobs(db, jobs) : true;
        if (catchUp || !complete) await indexPendingTerms(db);
      }),
    )
    .catch((error: unknown) => {
      if (db.isOpen()) console.warn('search terms not indexed yet (caught up at the next save or open):', error);
    });
}

/** Resolves when every scheduled follow-up of this database has run. */
export async function termsIndexingIdle(db: RelayDb): Promise<void> {
  for (;;) {
    const state = states.get(db);
    if (!state) return;
    const queue = state.queue;
    await queue;
    if (state.queue === queue) return;
  }
}

// ---- the cases held before v4 ----------------------------------------------------------

const BACKFILL_PAGE = 500;
const complete = new WeakMap<RelayDb, true>();

/**
 * Whether every case has its caseTerms row, so search may go through the terms index. False
 * while the backfill of the cases held before v4 runs: search then checks the terms kept in
 * the case rows instead (list-query.ts), slower but complete.
 */
export async function termsIndexComplete(db: RelayDb): Promise<boolean> {
  if (complete.has(db)) return true;
  const pending = await db.termsState.get(TERMS_BACKFILL_KEY);
  if (!pending) complete.set(db, true);
  return !pending;
}

/**
 * Copy the search terms of the cases held before v4 into caseTerms, a page of cases at a time,
 * each page in two short transactions (reading cases, then writing caseTerms and the place
 * reached), so a save waits at most for one page's read. Started by openDb in the background;
 * goes on where it stopped after a restart.
 */
export async function backfillTerms(db: RelayDb): Promise<void> {
  for (;;) {
    const after = (await db.termsState.get(TERMS_BACKFILL_KEY))?.value;
    if (typeof after !== 'string') {
      complete.set(db, true);
      return;
    }
    const rows = await db.transaction('r', db.cases, () => db.cases.where(':id').above(after).limit(BACKFILL_PAGE).toArray());
    await db.transaction('rw', [db.caseTerms, db.termsState], async () => {
      // another window may be backfilling too: go on only from the place read above
      if ((await db.termsState.get(TERMS_BACKFILL_KEY))?.value !== after) return;
      await db.caseTerms.bulkPut(rows.map((r) => ({ caseId: r.id, terms: Array.isArray(r.terms) ? r.terms : caseSearchTerms(r) })));
      if (rows.length < BACKFILL_PAGE) await db.termsState.delete(TERMS_BACKFILL_KEY);
      else await db.termsState.put({ key: TERMS_BACKFILL_KEY, value: rows.at(-1)!.id });
    });
    // let the desk's own work in between pages
    await new Promise<void>((r) => setTimeout(r, 0));
  }
}
