/**
 * The embedded database thread (started by pglite-driver.ts through pglite-thread.mjs): the
 * PGlite engine runs here, off the hub's thread, so that its work (PostgreSQL in WASM, the
 * bulk of a push's time) runs alongside the hub's HTTP, validation and judging instead of
 * between them. It takes one request at a time, in the order sent (the driver's SerialQueue
 * already orders them; a transaction is BEGIN, its statements, then COMMIT or ROLLBACK).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { realSyncFd, type SyncFd } from './durable-node-fs';
import { errorShape } from './error-shape';
import { startPglite } from './pglite-engine';
import { PreparedStatements } from './pglite-prepared';
import type { ThreadReply, ThreadRequest, ThreadStart } from './pglite-thread-protocol';

const port = parentPort;
if (!port) throw new Error('pglite-thread: not started as a worker thread');
const start = workerData as ThreadStart;

const send = (reply: ThreadReply, transfer?: ArrayBuffer[]) => port.postMessage(reply, transfer ?? []);

// observed syncs are told to the driver as they happen (tests check what a commit synced)
const syncFd: SyncFd = start.observeSyncs
  ? (fd, path) => {
      realSyncFd(fd, path);
      send({ kind: 'synced', path });
    }
  : realSyncFd;

let pg: PGlite | null = null;
let prepared: PreparedStatements | null = null;
let tail: Promise<void> = Promise.resolve();

async function handle(m: ThreadRequest): Promise<void> {
  try {
    if (m.op === 'open') {
      pg = await startPglite(start.dataDir, { ...(start.randomPageCost !== undefined ? { randomPageCost: start.randomPageCost } : {}), syncFd });
      prepared = new PreparedStatements(pg);
      send({ kind: 'done', id: m.id });
      return;
    }
    if (!pg) throw new Error('PGlite is closed');
    if (m.op === 'query') {
      const rows = m.prepare && prepared ? await prepared.query<Record<string, unknown>>(m.sql, m.params) : (await pg.query(m.sql, m.params)).rows;
      send({ kind: 'rows', id: m.id, rows: rows as Record<string, unknown>[] });
    } else if (m.op === 'exec') {
      await pg.exec(m.sql);
      send({ kind: 'done', id: m.id });
    } else if (m.op === 'backup') {
      const bytes = new Uint8Array(await (await pg.dumpDataDir('gzip')).arrayBuffer());
      send({ kind: 'bytes', id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
    } else {
      const closing = pg;
      pg = null;
      prepared = null;
      await closing.close();
      send({ kind: 'done', id: m.id });
    }
  } catch (e) {
    send({ kind: 'error', id: m.id, error: errorShape(e) });
  }
}

port.on('message', (m: ThreadRequest) => {
  tail = tail.then(() => handle(m));
});
