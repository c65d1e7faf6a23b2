/**
 * The PostgreSQL writer thread (started by pg-writer.ts through pg-writer-thread.mjs): one
 * connection, one transaction at a time, in the order asked. A connection that fails is
 * dropped and a new one opened for the next transaction; the one in hand fails (its end
 * unknown when COMMIT was sent).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { errorShape } from './error-shape';
import { statementName } from './pg-driver';
import type { WriterReply, WriterRequest } from './pg-writer';

const port = parentPort;
if (!port) throw new Error('pg-writer-thread: not started as a worker thread');

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
const config = (workerData as { config: pg.ClientConfig }).config;

let client: pg.Client | null = null;

async function connected(): Promise<pg.Client> {
  if (client) return client;
  const c = new pg.Client({ ...config, types });
  // a connection the server ends between transactions: dropped, the next one opens another
  c.on('error', () => {
    if (client === c) client = null;
  });
  await c.connect();
  client = c;
  return c;
}

function drop(c: pg.Client): void {
  if (client === c) client = null;
  void c.end().catch(() => undefined);
}

async function transaction(m: WriterRequest): Promise<WriterReply> {
  let c: pg.Client | null = null;
  try {
    c = await connected();
    const rows: Record<string, unknown>[][] = [];
    const [first, ...rest] = m.statements;
    if (first && first.params.length === 0 && !first.prepare) {
      // BEGIN and a first statement without parameters (the sync lock) in one round trip
      const results = (await c.query(`BEGIN; ${first.sql}`)) as unknown as pg.QueryResult[];
      rows.push(results[results.length - 1]!.rows as Record<string, unknown>[]);
    } else {
      await c.query('BEGIN');
      if (first) rest.unshift(first);
    }
    for (const s of rest) {
      const values = [...s.params];
      const result = await c.query(s.prepare ? { name: statementName(s.sql), text: s.sql, values } : { text: s.sql, values });
      rows.push(result.rows as Record<string, unknown>[]);
    }
    await c.query('COMMIT');
    return { id: m.id, rows };
  } catch (e) {
    if (c) {
      try {
        await c.query('ROLLBACK');
      } catch {
        drop(c);
      }
    }
    return { id: m.id, error: errorShape(e) };
  }
}

let tail: Promise<void> = Promise.resolve();

port.on('message', (m: WriterRequest | { close: true }) => {
  tail = tail.then(async () => {
    if ('close' in m) {
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
      process.exit(0); // in a worker thread: ends this thread only
      return;
    }
    port.postMessage(await transaction(m));
  });
});
