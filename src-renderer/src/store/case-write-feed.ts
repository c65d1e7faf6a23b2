/**
 * Every committed change to the case rows, as one feed: what the in-memory search
 * (memory-search-source.ts) follows to stay current.
 *
 * Case rows are written two ways, and both report here: through Dexie (refold, backup import:
 * a DBCore middleware on the cases table) and straight on the IndexedDB transaction (the
 * recordings and pulls: write-and-commit.ts putAll). A change is announced only when its
 * transaction has committed (its 'complete' event), so an aborted write is never seen; the
 * rows of one transaction arrive together, the last write of a case winning.
 *
 * The announcement comes before anything awaiting the transaction goes on: the feed listens to
 * 'complete' from the moment a read-write transaction on the cases is created (the middleware's
 * transaction()), before Dexie sets its own oncomplete, which resolves the transaction's
 * promise. (In Chromium the page runs its microtasks between two listeners of one event: a
 * listener added later would let the code after `await save()` search an index that has not
 * heard of the save yet.)
 *
 * Other windows of the same database (two tabs of the browser edition) hear the ids of the
 * cases changed over a BroadcastChannel and read those rows again themselves.
 */
import type Dexie from 'dexie';
import type { DBCoreMutateRequest, DBCoreTable } from 'dexie';
import type { SearchableCase } from './memory-search';

/** The changes of one committed transaction: rows put (as the index keeps them), ids deleted. */
export interface CaseWrites {
  puts: SearchableCase[];
  deletes: string[];
  /** the whole table was cleared or ranges deleted: read everything again */
  reset: boolean;
}

/** A change heard from another window: only which cases to read again. */
export interface CaseWritesElsewhere {
  ids: string[];
  reset: boolean;
}

export type CaseWriteListener = (writes: CaseWrites) => void;
export type ElsewhereListener = (writes: CaseWritesElsewhere) => void;

interface Pending {
  rows: Map<string, SearchableCase | null>;
  reset: boolean;
}

/** The fields the search keeps, taken when the write is made (a caller may reuse its objects). */
export function searchableOf(row: SearchableCase): SearchableCase {
  return {
    id: row.id,
    status: row.status,
    urgency: row.urgency,
    nature: row.nature,
    category: row.category ?? null,
    ownerId: row.ownerId,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    dueKey: row.dueKey,
    terms: Array.isArray(row.terms) ? [...row.terms] : [],
  };
}

export class CaseWriteFeed {
  private readonly listeners = new Set<CaseWriteListener>();
  private readonly elsewhereListeners = new Set<ElsewhereListener>();
  private readonly pending = new WeakMap<IDBTransaction, Pending>();
  private channel: BroadcastChannel | null = null;

  constructor(private readonly channelName: string | null) {}

  /** Hear committed changes made here; returns the unsubscribe. */
  listen(listener: CaseWriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hear changes committed by other windows; returns the unsubscribe. */
  listenElsewhere(listener: ElsewhereListener): () => void {
    this.elsewhereListeners.add(listener);
    this.openChannel();
    return () => {
      this.elsewhereListeners.delete(listener);
      if (this.elsewhereListeners.size === 0) this.closeChannel();
    };
  }

  private openChannel(): void {
    if (this.channel || !this.channelName || typeof BroadcastChannel !== 'function') return;
    this.channel = new BroadcastChannel(this.channelName);
    this.channel.onmessage = (message: MessageEvent<unknown>) => {
      const data = message.data as Partial<CaseWritesElsewhere> | null;
      if (!data || !Array.isArray(data.ids)) return;
      const writes = { ids: data.ids.filter((id): id is string => typeof id === 'string'), reset: data.reset === true };
      for (const listener of this.elsewhereListeners) listener(writes);
    };
  }

  private closeChannel(): void {
    this.channel?.close();
    this.channel = null;
  }

  /** Stop hearing other windows (the database is closing). */
  close(): void {
    this.elsewhereListeners.clear();
    this.closeChannel();
  }

  private batchOf(tx: IDBTransaction): Pending {
    let batch = this.pending.get(tx);
    if (batch) return batch;
    const fresh: Pending = { rows: new Map(), reset: false };
    batch = fresh;
    this.pending.set(tx, fresh);
    tx.addEventListener('complete', () => this.committed(fresh));
    return batch;
  }

  /** Listen to a read-write transaction's commit from its creation (see above). */
  prepare(tx: IDBTransaction): void {
    this.batchOf(tx);
  }

  /** Rows put and ids deleted in a transaction: announced when it commits. */
  written(tx: IDBTransaction, puts: readonly SearchableCase[], deletes: readonly string[]): void {
    if (puts.length === 0 && deletes.length === 0) return;
    const batch = this.batchOf(tx);
    for (const row of puts) batch.rows.set(row.id, searchableOf(row));
    for (const id of deletes) batch.rows.set(id, null);
  }

  /** Rows deleted by range in a transaction (a clear): everything is read again after it commits. */
  cleared(tx: IDBTransaction): void {
    this.batchOf(tx).reset = true;
  }

  private committed(batch: Pending): void {
    if (batch.rows.size === 0 && !batch.reset) return;
    const writes: CaseWrites = { puts: [], deletes: [], reset: batch.reset };
    for (const [id, row] of batch.rows) {
      if (row) writes.puts.push(row);
      else writes.deletes.push(id);
    }
    for (const listener of this.listeners) {
      try {
        listener(writes);
      } catch (error) {
        console.warn('a case-write listener failed:', error);
      }
    }
    if (this.channelName && typeof BroadcastChannel === 'function') {
      try {
        const out = this.channel ?? new BroadcastChannel(this.channelName);
        out.postMessage({ ids: [...batch.rows.keys()], reset: batch.reset } satisfies CaseWritesElsewhere);
        if (out !== this.channel) out.close();
      } catch (error) {
        console.warn('other windows could not be told of a case write:', error);
      }
    }
  }
}

const feeds = new WeakMap<Dexie, CaseWriteFeed>();

/** The feed of a database (installed by its constructor), if it has one. */
export function caseWriteFeedOf(db: Dexie): CaseWriteFeed | undefined {
  return feeds.get(db);
}

/**
 * Give a database its feed and the middleware that reports Dexie's writes to the cases table.
 * Call in the constructor, before the database opens.
 */
export function installCaseWriteFeed(db: Dexie, table: string, channelName: string | null): CaseWriteFeed {
  const feed = new CaseWriteFeed(channelName);
  feeds.set(db, feed);
  db.use({
    stack: 'dbcore',
    name: 'caseWriteFeed',
    create(down) {
      return {
        ...down,
        transaction(stores, mode, options) {
          const tx = down.transaction(stores, mode, options);
          // the IndexedDB core's transaction is the IDBTransaction itself
          if (mode === 'readwrite' && stores.includes(table)) feed.prepare(tx as unknown as IDBTransaction);
          return tx;
        },
        table(name: string): DBCoreTable {
          const inner = down.table(name);
          if (name !== table) return inner;
          return {
            ...inner,
            mutate(req: DBCoreMutateRequest) {
              // recorded once IndexedDB has taken the writes, without those it refused (a bulk
              // write whose failures the caller catches goes on; the refused rows were not
              // written). Note: a putAll issued in the same transaction while this write is still
              // pending would be recorded before it, though IndexedDB applies it after; no caller
              // mixes the two on the cases within one transaction.
              return inner.mutate(req).then((result) => {
                const tx = req.trans as unknown as IDBTransaction;
                const refused = result.numFailures > 0 ? new Set(Object.keys(result.failures).map(Number)) : null;
                const kept = <T,>(items: readonly T[]) => (refused ? items.filter((_, i) => !refused.has(i)) : items);
                if (req.type === 'put' || req.type === 'add') feed.written(tx, kept(req.values as SearchableCase[]), []);
                else if (req.type === 'delete') feed.written(tx, [], kept(req.keys as string[]));
                else feed.cleared(tx);
                return result;
              });
            },
          };
        },
      };
    },
  });
  return feed;
}
