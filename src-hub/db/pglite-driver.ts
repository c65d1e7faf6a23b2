/**
 * The embedded driver: PGlite (PostgreSQL compiled to WASM) on a data folder. One process,
 * one connection: every query and transaction is queued (SerialQueue), and the data folder
 * is locked against a second process (DataDirLock). Durable like PostgreSQL: fsync on, on
 * a filesystem that really syncs (durable-node-fs.ts).
 *
 * By default the engine runs in a thread of its own (pglite-thread.ts): PostgreSQL in WASM is
 * most of a push's work, and on the hub's thread it ran between the hub's HTTP, JSON and
 * judging, never alongside them. On its own thread the two overlap (with 20 stations pushing
 * at once, ingest rose by about half: README, "Benchmarks"). `thread: 'own'` runs it on the
 * caller's thread instead (needed to observe syncs through `syncFd`).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock';
import { realSyncFd, type SyncFd } from './durable-node-fs';
import type { Database, Queryable, QueryOptions, Row } from './database';
import { errorFromShape } from './error-shape';
import { startPglite } from './pglite-engine';
import type { ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread-protocol';
import type { RandomPageCost } from './planner-costs';
import { SerialQueue } from './serial-queue';

export interface PgliteOptions {
  randomPageCost?: RandomPageCost;
  /** where the engine runs: its own thread (default), or the caller's ('own': required by syncFd) */
  thread?: 'worker' | 'own';
  /** how a file is synced to disk, observed on the caller's thread (thread 'own' only); fsync by default */
  syncFd?: SyncFd;
  /** told the path of every file synced (either thread; the real fsync runs regardless) */
  onSync?: (path: string) => void;
  /** the database thread's entry (tests start a failing one) */
  threadEntry?: URL;
  /**
   * A stopped database thread is started again after `delayMs` (default 1 s), doubling while
   * it keeps stopping soon after starting, up to `maxDelayMs` (default 30 s); false: never
   * (every call fails until the hub is restarted).
   */
  restart?: false | { delayMs?: number; maxDelayMs?: number };
}

/** Owner-only access to a data folder (no-op where the system has no such modes). */
export function restrictToOwner(dir: string): void {
  if (process.platform === 'win32') return; // NTFS ACLs, not modes: the profile folder's own
  chmodSync(dir, 0o700);
}

export async function openPglite(dataDir: string, options: PgliteOptions = {}): Promise<Database> {
  const thread = options.thread ?? (options.syncFd ? 'own' : 'worker');
  if (thread === 'worker' && options.syncFd) throw new Error('openPglite: syncFd runs on the caller’s thread: use thread "own", or onSync');
  // the hub's data (callers' names, phones, addresses; token hashes) for the hub's account
  // only: PGlite writes its files world-readable, so the folder is what keeps others out
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrictToOwner(dataDir);
  const lock = DataDirLock.acquire(dataDir);
  try {
    return thread === 'own' ? await onThisThread(dataDir, options, lock) : await onItsThread(dataDir, options, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** The engine on the caller's thread. */
async function onThisThread(dataDir: string, options: PgliteOptions, lock: DataDirLock): Promise<Database> {
  const observe = options.onSync;
  const base = options.syncFd;
  const syncFd: SyncFd | undefined = observe
    ? (fd, path) => {
        (base ?? realSyncFd)(fd, path);
        observe(path);
      }
    : base;
  const db: PGlite = await startPglite(dataDir, {
    ...(options.randomPageCost !== undefined ? { randomPageCost: options.randomPageCost } : {}),
    ...(syncFd ? { syncFd } : {}),
  });
  const queue = new SerialQueue();
  let closed = false;
  return {
    kind: 'pglite',
    query: <R = Row>(sql: string, params?: readonly unknown[]) => queue.run(async () => (await db.query<R>(sql, params ? [...params] : undefined)).rows),
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

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** One start of the engine's thread. */
interface EngineThread {
  worker: Worker;
  pending: Map<number, { resolve: (r: ThreadReply) => void; reject: (e: Error) => void }>;
  /** why it stopped, once it has: every call to it fails with this ("PGlite is closed": 503) */
  stopped: Error | null;
  startedAt: number;
}

/** A thread that ran this long before it stopped starts again after the shortest wait. */
const STEADY_MS = 60_000;

/** How long closing waits for a thread that has just started again to shut its engine down. */
const CLEAN_CLOSE_MS = 5_000;

/**
 * The engine in its own thread: every call is a message, answered in order. If the thread
 * stops (a fatal fault in the engine, or an answer that cannot be read), every call fails as
 * "database unavailable" (the hub answers 503) while a new thread opens the data folder again
 * (PostgreSQL's crash recovery replays the write-ahead log: what was committed is there), after
 * a wait that doubles while starts keep failing. A transaction never moves to the new thread:
 * the one that was open fails and is not committed.
 */
async function onItsThread(dataDir: string, options: PgliteOptions, lock: DataDirLock): Promise<Database> {
  const start: ThreadStart = {
    dataDir,
    ...(options.randomPageCost !== undefined ? { randomPageCost: options.randomPageCost } : {}),
    observeSyncs: options.onSync !== undefined,
  };
  const restart = options.restart === false ? null : { delayMs: options.restart?.delayMs ?? 1000, maxDelayMs: options.restart?.maxDelayMs ?? 30_000 };
  let nextId = 0;
  let closing = false;
  let recentStarts = 0;
  let restartTimer: ReturnType<typeof setTimeout> | null = null;
  let restarting: Promise<void> | null = null;
  /** a new thread opening the database (startAgain) */
  let opening: EngineThread | null = null;

  const spawn = (): EngineThread => {
    const t: EngineThread = {
      worker: new Worker(options.threadEntry ?? new URL('./pglite-thread.mjs', import.meta.url), { workerData: start }),
      pending: new Map(),
      stopped: null,
      startedAt: Date.now(),
    };
    t.worker.on('message', (reply: ThreadReply) => {
      if (reply.kind === 'synced') {
        options.onSync?.(reply.path);
        return;
      }
      const p = t.pending.get(reply.id);
      if (!p) return;
      t.pending.delete(reply.id);
      if (reply.kind === 'error') p.reject(errorFromShape(reply.error));
      else p.resolve(reply);
    });
    t.worker.on('error', (e) => stopThread(t, e instanceof Error ? e.message : String(e)));
    // an answer that cannot be read would leave its caller waiting for good
    t.worker.on('messageerror', (e) => {
      stopThread(t, `an answer could not be read: ${e.message}`);
      void t.worker.terminate();
    });
    t.worker.on('exit', (code) => stopThread(t, closing ? 'closed' : `exit code ${code}`));
    return t;
  };

  let current = spawn();

  function stopThread(t: EngineThread, reason: string): void {
    if (t.stopped) return;
    // "PGlite is closed": the hub answers 503 database_unavailable (error-handler.ts), and its
    // health check says so, until a new thread has opened the database
    t.stopped = new Error(`PGlite is closed: the embedded database thread stopped (${reason})`);
    for (const [, p] of t.pending) p.reject(t.stopped);
    t.pending.clear();
    if (t !== current || closing) return;
    if (Date.now() - t.startedAt >= STEADY_MS) recentStarts = 0;
    if (!restart) {
      console.error(`relay hub: ${t.stopped.message}; every request now answers 503 until the hub is restarted`);
      return;
    }
    console.error(`relay hub: ${t.stopped.message}; every request answers 503 until it has started again (in ${waitMs() / 1000} s)`);
    scheduleRestart();
  }

  const waitMs = () => (restart ? Math.min(restart.maxDelayMs, restart.delayMs * 2 ** Math.min(recentStarts, 16)) : 0);

  const scheduleRestart = () => {
    if (closing || restartTimer || restarting) return;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      restarting = startAgain()
        .catch(() => true)
        .then((again) => {
          restarting = null;
          if (again) scheduleRestart();
        });
    }, waitMs());
    restartTimer.unref();
  };

  /** Open the database on a new thread; true: it did not start, try again later. */
  const startAgain = async (): Promise<boolean> => {
    // the old engine is gone before the data folder is opened again
    await current.worker.terminate().catch(() => undefined);
    if (closing) return false;
    const t = spawn();
    // however long PostgreSQL's recovery takes; close() ends it if the hub stops meanwhile
    opening = t;
    try {
      await askOn(t, { op: 'open' });
    } catch (e) {
      recentStarts++;
      await t.worker.terminate().catch(() => undefined);
      if (closing) return false;
      console.error(`relay hub: the embedded database did not start again (${e instanceof Error ? e.message : String(e)}); next try in ${waitMs() / 1000} s`);
      return true;
    } finally {
      opening = null;
    }
    if (closing) {
      // closed as it started: shut the engine down cleanly if it answers soon (no recovery next time)
      await Promise.race([askOn(t, { op: 'close' }).catch(() => undefined), new Promise((r) => setTimeout(r, CLEAN_CLOSE_MS).unref())]);
      await t.worker.terminate();
      return false;
    }
    recentStarts++;
    current = t;
    console.error('relay hub: the embedded database thread started again; the hub answers requests again');
    return false;
  };

  const askOn = (t: EngineThread, m: WithoutId<ThreadRequest>): Promise<ThreadReply> => {
    if (t.stopped) return Promise.reject(t.stopped);
    const id = nextId++;
    return new Promise<ThreadReply>((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      try {
        t.worker.postMessage({ ...m, id } as ThreadRequest);
      } catch (e) {
        t.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  };
  const ask = (m: WithoutId<ThreadRequest>) => askOn(current, m);
  const rowsOf = <R>(r: ThreadReply): R[] => (r.kind === 'rows' ? (r.rows as R[]) : []);

  try {
    await ask({ op: 'open' });
  } catch (e) {
    closing = true;
    if (restartTimer) clearTimeout(restartTimer);
    await current.worker.terminate();
    throw e;
  }

  const queue = new SerialQueue();
  let closed = false;
  // on the thread running now, or (a transaction's statements) on the one its BEGIN went to
  const query = async <R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions, on: EngineThread = current) =>
    rowsOf<R>(await askOn(on, { op: 'query', sql, ...(params ? { params: [...params] } : {}), ...(options?.prepare ? { prepare: true } : {}) }));
  const exec = async (sql: string, on: EngineThread = current) => {
    await askOn(on, { op: 'exec', sql });
  };

  // A call outside a transaction holds the queue only until it is sent: the thread answers in
  // the order sent, so the next call goes out at once and the engine never waits for this
  // thread to turn an answer round (it would, while this thread parses or judges a batch).
  // A transaction holds the queue from BEGIN to its end: nothing is sent into it meanwhile.
  const sent = <V>(send: () => Promise<V>): Promise<V> => {
    let answer!: Promise<V>;
    return queue
      .run(async () => {
        answer = send();
        answer.catch(() => undefined); // handled by the caller, below
      })
      .then(() => answer);
  };

  return {
    kind: 'pglite',
    query: <R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => sent(() => query<R>(sql, params, options)),
    exec: (sql: string) => sent(() => exec(sql)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      queue.run(async () => {
        const thread = current;
        await exec('BEGIN', thread);
        // a statement that failed aborts the transaction: PostgreSQL then answers COMMIT by
        // rolling back without an error, so a failure fn caught must still fail the transaction
        let failed: unknown = null;
        let ended = false;
        const track = async <V>(work: () => Promise<V>): Promise<V> => {
          // a statement sent after the end would run outside the queue, maybe in another transaction
          if (ended) throw new Error('Transaction is closed: a statement was sent after its transaction ended');
          try {
            return await work();
          } catch (e) {
            failed ??= e;
            throw e;
          }
        };
        const tx: Queryable = {
          query: <R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => track(() => query<R>(sql, params, options, thread)),
          exec: (sql: string) => track(() => exec(sql, thread)),
        };
        // a ROLLBACK that fails could leave the engine inside the transaction, and the next
        // statements answered as done yet never committed: that thread stops (and, unless it
        // had stopped already, a new one starts) rather than run on
        const rollBack = async () => {
          ended = true;
          await exec('ROLLBACK', thread).catch((e: unknown) => {
            stopThread(thread, `ROLLBACK failed: ${e instanceof Error ? e.message : String(e)}`);
            void thread.worker.terminate();
          });
        };
        let result: T;
        try {
          result = await fn(tx);
        } catch (e) {
          await rollBack();
          throw e;
        }
        if (failed !== null) {
          await rollBack();
          throw failed;
        }
        ended = true;
        await exec('COMMIT', thread);
        return result;
      }),
    backup: async () => {
      const r = await sent(() => ask({ op: 'backup' }));
      if (r.kind !== 'bytes') throw new Error('backup: the database thread sent no data');
      return r.bytes;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await queue.run(() => ask({ op: 'close' })).catch((e: unknown) => {
          if (!current.stopped) throw e;
        });
      } finally {
        closing = true;
        if (restartTimer) clearTimeout(restartTimer);
        // a thread still opening the folder (a long recovery) is ended, not waited for
        if (opening) await opening.worker.terminate().catch(() => undefined);
        await restarting;
        await current.worker.terminate();
        lock.release();
      }
    },
  };
}
