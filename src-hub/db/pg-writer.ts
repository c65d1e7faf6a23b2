/**
 * Transactions of fixed statements on a PostgreSQL connection of a thread of their own
 * (pg-writer-thread.ts), for the pushes' group writes (push.ts, write-groups.ts).
 *
 * Why a thread: the group's statements run one after another under the sync lock, and every
 * push waits for them. On the hub's thread each statement's answer waited its turn behind the
 * HTTP, JSON and judging of the other pushes (the thread is three quarters busy while twenty
 * stations push), and each was encoded and sent from there: a 500-event write took ~15 ms
 * from sending to its answer for ~7 ms of the server's work. Here the thread does nothing but
 * send, wait and answer.
 *
 * The thread's connection is configured exactly as the pool's (schema, planner cost, the
 * pinned synchronous_commit: pg-driver.ts). If the thread stops, `healthy` turns false and the
 * callers write on their own connections, as before it existed; what it had in hand fails
 * (its end unknown: a caller judges again and finds what was committed).
 */
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import type { Row } from './database';
import { errorFromShape, type ErrorShape } from './error-shape';

export interface ThreadStatement {
  sql: string;
  params: readonly unknown[];
  /** a named prepared statement on the thread's connection (pg-driver.ts: statementName) */
  prepare?: boolean;
}

/** A transaction to run by itself (run), or one statement to join the thread's next group (join). */
export type WriterRequest = { id: number; statements: ThreadStatement[] } | { id: number; opening: ThreadStatement; member: ThreadStatement };

/** How many members one group's transaction holds at most (the rest form the next). */
export const MAX_GROUP = 16;

export type WriterReply = { id: number; rows: Row[][] } | { id: number; error: ErrorShape };

export interface ThreadWriter {
  /** false once the thread has stopped: write on the pool's connections instead */
  readonly healthy: boolean;
  /**
   * Run the statements in order in ONE transaction; each one's rows once COMMIT has returned.
   * Rejects when the transaction failed, or when its end is unknown (the connection or the
   * thread went away meanwhile).
   */
  run(statements: readonly ThreadStatement[]): Promise<Row[][]>;
  /**
   * Group commit, kept on the thread: `member` joins the next transaction the thread starts,
   * with every other member that arrived meanwhile (up to MAX_GROUP, in the order they came):
   * `opening` (the same for all: the sync lock), then each member, then one COMMIT. The member's
   * rows once the group has committed. Rejects when the group failed (nothing of it written)
   * or its end is unknown. The thread starts the next group the moment one ends, without a
   * round trip to the hub's thread: while it waited for that thread's event loop (judging
   * other pushes, collecting garbage), the sync lock stood idle (~17 % of the ingest).
   */
  join(opening: ThreadStatement, member: ThreadStatement): Promise<Row[]>;
  close(): Promise<void>;
}

export function startThreadWriter(
  config: pg.ClientConfig,
  onStopped: (reason: string) => void = () => {},
  entry: URL = new URL('./pg-writer-thread.mjs', import.meta.url),
): ThreadWriter {
  const worker = new Worker(entry, { workerData: { config } });
  worker.unref();
  const pending = new Map<number, { resolve: (rows: Row[][]) => void; reject: (e: Error) => void }>();
  let stopped: Error | null = null;
  let closing = false;
  let nextId = 0;

  const stop = (reason: string) => {
    if (stopped) return;
    stopped = new Error(`the PostgreSQL writer thread stopped (${reason}): what it had in hand may or may not be committed`);
    for (const [, p] of pending) p.reject(stopped);
    pending.clear();
    if (!closing) onStopped(reason);
  };
  worker.on('message', (reply: WriterReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(errorFromShape(reply.error));
    else p.resolve(reply.rows);
  });
  worker.on('error', (e) => stop(e instanceof Error ? e.message : String(e)));
  worker.on('messageerror', (e) => {
    stop(`an answer could not be read: ${e.message}`);
    void worker.terminate();
  });
  worker.on('exit', (code) => stop(closing ? 'closed' : `exit code ${code}`));

  const ask = (request: (id: number) => WriterRequest): Promise<Row[][]> => {
    if (stopped) return Promise.reject(stopped);
    if (closing) return Promise.reject(new Error('the PostgreSQL writer thread is closing'));
    const id = nextId++;
    return new Promise<Row[][]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // while a transaction is in hand the thread keeps the process alive
      worker.ref();
      worker.postMessage(request(id));
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });
  };

  return {
    get healthy() {
      return stopped === null && !closing;
    },
    run(statements) {
      return ask((id) => ({ id, statements: [...statements] }));
    },
    async join(opening, member) {
      const [rows] = await ask((id) => ({ id, opening, member }));
      return rows ?? [];
    },
    async close() {
      if (closing) return;
      closing = true;
      // what is in hand finishes first: the thread takes requests in order, and 'close' after them
      await new Promise<void>((resolve) => {
        if (stopped) return resolve();
        worker.once('exit', () => resolve());
        worker.postMessage({ close: true });
      });
    },
  };
}
