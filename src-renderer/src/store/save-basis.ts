/**
 * What an intake save predicts it will read (record.ts): the station's numbers, the counters and
 * the pull cursor, as this window last saw them committed. Kept current by every write this
 * window commits to the counters and settings (a push settling the outbox counter, a pull page
 * moving counters, the local sequence and the cursor), so that a save after them is predicted
 * right too. Writes made elsewhere (another tab) are not seen: the save's own reads catch them.
 *
 * Never trusted for what is written: the save commits only if its reads show the prediction.
 */
import type Dexie from 'dexie';
import type { DBCoreMutateRequest, DBCoreTable } from 'dexie';
import type { CounterRow, SettingRow } from './db';
import { CURSOR_KEY, cursorOf } from './pull-cursor';

export interface SeenBasis {
  /** the numbered settings a save reads (sequence numbers, the day's case numbers) */
  settings: Map<string, number>;
  cursor: string;
  counters: Map<string, number>;
}

const seen = new WeakMap<Dexie, SeenBasis>();

export function seenBasis(db: Dexie): SeenBasis | undefined {
  return seen.get(db);
}

export function rememberBasis(db: Dexie, basis: SeenBasis): void {
  seen.set(db, basis);
}

export function forgetBasis(db: Dexie): void {
  seen.delete(db);
}

/** Merge rows of the counters or settings table into what the window has seen. */
function merge(basis: SeenBasis, table: string, rows: readonly unknown[]): boolean {
  for (const row of rows) {
    if (table === 'counters') {
      const { key, n } = row as CounterRow;
      if (typeof n !== 'number') return false;
      basis.counters.set(key, n);
    } else {
      const { key, value } = row as SettingRow;
      if (key === CURSOR_KEY) basis.cursor = cursorOf(row as SettingRow);
      else if (basis.settings.has(key)) {
        if (typeof value !== 'number') return false;
        basis.settings.set(key, value);
      }
    }
  }
  return true;
}

/**
 * Rows a read-write transaction of this window put into the counters or settings table: what the
 * window has seen takes them when the transaction commits (in commit order, as IndexedDB
 * announces them). Other tables are ignored.
 */
export function basisWritten(db: Dexie, tx: IDBTransaction, table: string, rows: readonly unknown[]): void {
  if ((table !== 'counters' && table !== 'settings') || rows.length === 0) return;
  // the rows as they are now: a caller may reuse its objects
  const taken = rows.map((row) => ({ ...(row as object) }));
  tx.addEventListener('complete', () => {
    const basis = seen.get(db);
    if (basis && !merge(basis, table, taken)) seen.delete(db);
  });
}

/**
 * The middleware that reports Dexie's writes to the counters and settings (a push settling the
 * outbox counter, a refold, a backup import); the store's direct writes report through putAll
 * (write-and-commit.ts). A delete or a cleared table makes the window forget what it saw.
 * Call in the database's constructor, before it opens.
 */
export function installSaveBasisWatch(db: Dexie): void {
  db.use({
    stack: 'dbcore',
    name: 'saveBasisWatch',
    create(down) {
      return {
        ...down,
        table(name: string): DBCoreTable {
          const inner = down.table(name);
          if (name !== 'counters' && name !== 'settings') return inner;
          return {
            ...inner,
            mutate(req: DBCoreMutateRequest) {
              return inner.mutate(req).then((result) => {
                const tx = req.trans as unknown as IDBTransaction;
                if (req.type === 'put' || req.type === 'add') {
                  const refused = result.numFailures > 0 ? new Set(Object.keys(result.failures).map(Number)) : null;
                  basisWritten(db, tx, name, refused ? req.values.filter((_, i) => !refused.has(i)) : req.values);
                } else {
                  tx.addEventListener('complete', () => seen.delete(db));
                }
                return result;
              });
            },
          };
        },
      };
    },
  });
}
