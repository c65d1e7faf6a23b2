/**
 * The PostgreSQL writer thread (started by pg-writer.ts through pg-writer-thread.mjs): one
 * connection, one transaction at a time, in the order asked. A connection that fails is
 * dropped and a new one opened for the next transaction; the one in hand fails (its end
 * unknown when COMMIT was sent).
 *
 * Members that join (ThreadWriter.join) wait here for the next group; the group is written
 * as soon as the thread is free, so one group follows another without waiting for the hub's
 * thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { errorShape } from './error-shape';
import { statementName } from './pg-driver';
import { MAX_GROUP, type ThreadStatement, type WriterReply, type WriterRequest } from './pg-writer';
import type { Row } from './database';

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

/** Run statements in order in one transaction: each one's rows, once COMMIT has returned. */
async function transaction(statements: readonly ThreadStatement[]): Promise<Row[][]> {
  let c: pg.Client | null = null;
  try {
    c = await connected();
    const rows: Record<string, unknown>[][] = [];
    const [first, ...rest] = statements;
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
    return rows;
  } catch (e) {
    if (c) {
      try {
        await c.query('ROLLBACK');
      } catch {
        drop(c);
      }
    }
    throw e;
  }
}

type Joined = Extract<WriterRequest, { member: ThreadStatement }>;

/** Members waiting for the next group, in the order they came. */
const joined: Joined[] = [];
let groupScheduled = false;

/**
 * Write the next group: the members waiting now (up to MAX_GROUP, all with the first one's
 * opening statement) in one transaction, each answered once it has committed, or all failed.
 */
async function writeGroup(): Promise<void> {
  const first = joined[0];
  if (!first) return;
  let n = 1;
  while (n < joined.length && n < MAX_GROUP && joined[n]!.opening.sql === first.opening.sql) n++;
  const group = joined.splice(0, n);
  try {
    const rows = await transaction([first.opening, ...group.map((m) => m.member)]);
    group.forEach((m, i) => port!.postMessage({ id: m.id, rows: [rows[i + 1] ?? []] } satisfies WriterReply));
  } catch (e) {
    const error = errorShape(e);
    for (const m of group) port!.postMessage({ id: m.id, error } satisfies WriterReply);
  }
}

/** Work in the order asked: transactions of run(), groups of join(), and last 'close'. */
let tail: Promise<void> = Promise.resolve();

function afterTail(task: () => Promise<void>): void {
  tail = tail.then(task, task);
}

function scheduleGroup(): void {
  if (groupScheduled) return;
  groupScheduled = true;
  afterTail(async () => {
    groupScheduled = false;
    await writeGroup();
    // the members that came while it wrote: the next group, at once
    if (joined.length > 0) scheduleGroup();
  });
}

port.on('message', (m: WriterRequest | { close: true }) => {
  if ('member' in m) {
    joined.push(m);
    scheduleGroup();
    return;
  }
  afterTail(async () => {
    if ('close' in m) {
      // what was asked before 'close' is written first
      while (joined.length > 0) await writeGroup();
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
      process.exit(0); // in a worker thread: ends this thread only
      return;
    }
    try {
      port.postMessage({ id: m.id, rows: await transaction(m.statements) } satisfies WriterReply);
    } catch (e) {
      port.postMessage({ id: m.id, error: errorShape(e) } satisfies WriterReply);
    }
  });
});
