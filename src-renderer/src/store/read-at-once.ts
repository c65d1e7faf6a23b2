/**
 * The reads of one recording, issued straight on the IndexedDB transaction under Dexie's, all at
 * once: they are answered in one round trip. Going past Dexie spares its per-request work
 * (promise zones, middleware), which in an intake save cost about as much as the requests.
 * Inside a Dexie transaction scope only (pass the scope's transaction); a failing read rejects,
 * and Dexie aborts the transaction.
 */
import type { Table, Transaction } from 'dexie';

/** The result of one request. */
export function answer<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('a read failed'));
  });
}

/** The rows of these keys, in the same order (undefined where none), like Dexie's bulkGet. */
export function getMany<T>(tx: Transaction, table: Table<T, string>, keys: readonly string[]): Promise<Array<T | undefined>> {
  const store = tx.idbtrans.objectStore(table.name);
  return Promise.all(keys.map((key) => answer(store.get(key) as IDBRequest<T | undefined>)));
}

/** Every row of a (small) table, in key order. */
export function getAll<T>(tx: Transaction, table: Table<T, string>): Promise<T[]> {
  return answer(tx.idbtrans.objectStore(table.name).getAll() as IDBRequest<T[]>);
}

/**
 * Which of `keys` the table holds already, in one request over the span they cover (the keys
 * of one recording are close together: ULIDs of the same moment). `keyRange` is the
 * IDBKeyRange of the IndexedDB the database runs on (RelayDb.keyRange).
 */
export async function heldKeys(tx: Transaction, table: Table<unknown, string>, keys: readonly string[], keyRange: typeof IDBKeyRange): Promise<string[]> {
  if (keys.length === 0) return [];
  const sorted = [...keys].sort();
  const range = keyRange.bound(sorted[0], sorted.at(-1));
  const inRange = (await answer(tx.idbtrans.objectStore(table.name).getAllKeys(range))) as string[];
  const wanted = new Set(keys);
  return inRange.filter((k) => wanted.has(k));
}
