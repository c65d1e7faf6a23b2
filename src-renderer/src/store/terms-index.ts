/**
 * The search-term index (the caseTerms store) is derived data: a case's terms follow from its
 * case.created event alone (caseSearchTerms reads only the case number, caller, location and
 * description, which no later event changes). So an intake save does not write them in its
 * strict transaction (40–80 multi-entry index entries, most of its cost); they are written
 * right after it commits, in a transaction of their own. The list shows the new case at once
 * (its case row is in the save); search finds it once this has run.
 *
 * What is indexed is kept by a watermark on the local event order: the setting
 * TERMS_INDEXED_TO_KEY says every case.created event with an lseq up to it has its caseTerms row.
 * Catching up reads only the events above it, so after a crash or power cut between a save and
 * its follow-up, the next open (openDb) writes what is missing.
 */
import Dexie from 'dexie';
import { TERMS_INDEXED_TO_KEY, type CaseTermsRow, type RelayDb, type StoredCase } from './db';

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
  return db.transaction('rw', [db.events, db.cases, db.caseTerms, db.settings], async () => {
    const from = termsWatermark(await db.settings.get(TERMS_INDEXED_TO_KEY));
    const events = await db.events.where('lseq').above(from).toArray();
    if (events.length === 0) return 0;
    const created = [...new Set(events.filter((e) => e.type === 'case.created').map((e) => e.caseId))];
    const rows = (await db.cases.bulkGet(created)).filter((r): r is StoredCase => Boolean(r));
    if (rows.length > 0) await db.caseTerms.bulkPut(rows.map(caseTermsOf));
    const to = events.reduce((m, e) => Math.max(m, e.lseq), from);
    await db.settings.put({ key: TERMS_INDEXED_TO_KEY, value: to });
    return rows.length;
  });
}

const queues = new WeakMap<RelayDb, Promise<void>>();

/**
 * Catch the search terms up after the current transaction commits, one catch-up at a time per
 * database. Safe to call inside a transaction: the catch-up runs outside it, and starts after
 * it (IndexedDB orders transactions on the same stores). A failure (e.g. the database was
 * closed) is left for the next catch-up: nothing recorded depends on it.
 */
export function scheduleTermsIndexing(db: RelayDb): void {
  const previous = queues.get(db) ?? Promise.resolve();
  const next = previous.then(() =>
    Dexie.ignoreTransaction(() => indexPendingTerms(db)).then(
      () => undefined,
      (error: unknown) => {
        if (db.isOpen()) console.warn('search terms not indexed yet (will catch up at next save or open):', error);
      },
    ),
  );
  queues.set(db, next);
}

/** Resolves when every scheduled catch-up of this database has run. */
export function termsIndexingIdle(db: RelayDb): Promise<void> {
  return queues.get(db) ?? Promise.resolve();
}
