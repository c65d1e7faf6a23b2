/**
 * The writes of one recording, issued together and followed at once by IndexedDB's commit().
 *
 * Left to itself, a transaction commits only after the page has seen every request succeed: each
 * success is a task in the page, and only after the last one does IndexedDB hear that nothing
 * more will come. An intake save issues a dozen writes; asking for the commit as soon as the last
 * one is issued saves that round trip, and the page handles the successes while the database
 * commits. The writes go straight to the transaction under Dexie's, which also spares Dexie's
 * per-request work. (Dexie's change tracking for liveQuery does not see them; nothing here uses
 * liveQuery.)
 *
 * What keeps the transaction all-or-nothing once commit() is asked, when abort() is no longer
 * possible: every write is a put() on a store without a unique index, so no request can fail on
 * its own (callers check beforehand that keys which must be new are: read-at-once.ts heldKeys). A write
 * IndexedDB refuses while it is being issued (a bad key, a value it cannot clone) throws here,
 * before commit() is asked, and the transaction is aborted as usual. A failing commit (disk full,
 * I/O error) aborts the whole transaction, as always.
 */
import type { Table, Transaction } from 'dexie';
import { caseWriteFeedOf } from './case-write-feed';
import { basisWritten } from './save-basis';
import type { SearchableCase } from './memory-search';

export interface TablePuts {
  table: Table;
  rows: readonly unknown[];
}

/**
 * Put every row, table after table in the given order, on the transaction's IndexedDB
 * transaction; then, with `commit`, ask IndexedDB to commit (leave it false inside a caller's
 * transaction that goes on). Resolves when the last put has succeeded; rejects if one fails.
 * Throws, having asked for no commit, if IndexedDB refuses a put as it is issued.
 */
export function putAll(tx: Transaction, puts: readonly TablePuts[], options: { commit: boolean }): Promise<void> {
  const stores = puts.filter((p) => p.rows.length > 0);
  for (const { table } of stores) {
    const unique = table.schema.indexes.filter((i) => i.unique).map((i) => i.name);
    // a put into such a store can fail on its own after commit() (a ConstraintError)
    if (unique.length > 0) throw new Error(`putAll: ${table.name} has unique indexes (${unique.join(', ')})`);
  }
  const idb = tx.idbtrans;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const onError = (e: Event) => settle.reject((e.target as IDBRequest).error ?? new Error('a write failed'));
  let last: IDBRequest | null = null;
  // issued here, not in a promise: a put IndexedDB refuses throws before commit() is asked
  for (const { table, rows } of stores) {
    const store = idb.objectStore(table.name);
    // the case rows reach the in-memory search when the transaction commits (case-write-feed.ts)
    if (table.name === 'cases') caseWriteFeedOf(table.db)?.written(idb, rows as readonly SearchableCase[], []);
    // the counters and settings reach what the next intake save predicts (save-basis.ts)
    basisWritten(table.db, idb, table.name, rows);
    for (const row of rows) {
      last = store.put(row);
      last.onerror = onError;
    }
  }
  if (!last) return Promise.resolve();
  last.onsuccess = () => settle.resolve();
  // a browser without commit() (from before 2019–2021) commits once the page leaves the
  // transaction idle, as every transaction did before
  if (options.commit && typeof idb.commit === 'function') idb.commit();
  return done;
}

/**
 * Ask IndexedDB to commit the transaction now (writes issued with putAll(..., { commit: false })
 * and checked since): it no longer waits for the page to see their answers. After this the
 * transaction can no longer be aborted by the page.
 */
export function commitNow(tx: Transaction): void {
  const idb = tx.idbtrans;
  if (typeof idb.commit === 'function') idb.commit();
}
