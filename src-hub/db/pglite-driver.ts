/**
 * The embedded driver: PGlite (PostgreSQL compiled to WASM) on a data folder. One process,
 * one connection: every query and transaction is queued (SerialQueue), and the data folder
 * is locked against a second process (DataDirLock). Durable like PostgreSQL: fsync on, on
 * a filesystem that really syncs (durable-node-fs.ts).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock';
import { DurableNodeFS, durableStartParams, realSyncFd, syncDataDirOnce, type SyncFd } from './durable-node-fs';
import type { Database, Queryable, Row } from './database';
import { DEFAULT_RANDOM_PAGE_COST, randomPageCostStatement, type RandomPageCost } from './planner-costs';
import { SerialQueue } from './serial-queue';

const INT8 = 20;

export interface PgliteOptions {
  randomPageCost?: RandomPageCost;
  /** how a file is synced to disk (tests observe it); fsync by default */
  syncFd?: SyncFd;
}

/** Owner-only access to a data folder (no-op where the system has no such modes). */
export function restrictToOwner(dir: string): void {
  if (process.platform === 'win32') return; // NTFS ACLs, not modes: the profile folder's own
  chmodSync(dir, 0o700);
}

export async function openPglite(dataDir: string, options: PgliteOptions = {}): Promise<Database> {
  // PGlite is one session: set once, the cost holds for every statement (planner-costs.ts)
  const costs = randomPageCostStatement(options.randomPageCost === undefined ? DEFAULT_RANDOM_PAGE_COST : options.randomPageCost);
  // the hub's data (callers' names, phones, addresses; token hashes) for the hub's account
  // only: PGlite writes its files world-readable, so the folder is what keeps others out
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrictToOwner(dataDir);
  const lock = DataDirLock.acquire(dataDir);
  let pg: PGlite | undefined;
  try {
    const syncFd = options.syncFd ?? realSyncFd;
    pg = new PGlite({
      dataDir,
      fs: new DurableNodeFS(dataDir, syncFd),
      startParams: durableStartParams(),
      parsers: { [INT8]: (value: string) => Number(value) },
    });
    await pg.waitReady;
    // a folder just created, or written before with fsync off: on disk whole before any answer
    syncDataDirOnce(dataDir, syncFd);
    if (costs) await pg.exec(costs);
  } catch (e) {
    await pg?.close().catch(() => undefined);
    lock.release();
    throw e;
  }
  const db = pg;
  const queue = new SerialQueue();
  let closed = false;

  const run = async <R>(q: Queryable | PGlite, sql: string, params?: readonly unknown[]): Promise<R[]> => {
    const result = await (q as PGlite).query<R>(sql, params ? [...params] : undefined);
    return result.rows;
  };

  return {
    kind: 'pglite',
    query: <R = Row>(sql: string, params?: readonly unknown[]) => queue.run(() => run<R>(db, sql, params)),
    exec: async (sql: string) => {
      await queue.run(() => db.exec(sql));
    },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      queue.run(() =>
        db.transaction(async (tx) => {
          const q: Queryable = {
            query: async <R = Row>(sql: string, params?: readonly unknown[]) =>
              (await tx.query<R>(sql, params ? [...params] : undefined)).rows,
            exec: async (sql: string) => {
              await tx.exec(sql);
            },
          };
          return fn(q);
        }),
      ),
    backup: () => queue.run(async () => new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer())),
    close: async () => {
      if (closed) return;
      closed = true;
      await queue.run(() => db.close());
      lock.release();
    },
  };
}
