/**
 * The embedded driver: PGlite (PostgreSQL compiled to WASM) on a data folder. One process,
 * one connection: every query and transaction is queued (SerialQueue), and the data folder
 * is locked against a second process (DataDirLock).
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock';
import type { Database, Queryable, Row } from './database';
import { SerialQueue } from './serial-queue';

const INT8 = 20;

export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const lock = DataDirLock.acquire(dataDir);
  let pg: PGlite;
  try {
    pg = new PGlite(dataDir, { parsers: { [INT8]: (value: string) => Number(value) } });
    await pg.waitReady;
  } catch (e) {
    lock.release();
    throw e;
  }
  const queue = new SerialQueue();
  let closed = false;

  const run = async <R>(q: Queryable | PGlite, sql: string, params?: readonly unknown[]): Promise<R[]> => {
    const result = await (q as PGlite).query<R>(sql, params ? [...params] : undefined);
    return result.rows;
  };

  return {
    kind: 'pglite',
    query: <R = Row>(sql: string, params?: readonly unknown[]) => queue.run(() => run<R>(pg, sql, params)),
    exec: async (sql: string) => {
      await queue.run(() => pg.exec(sql));
    },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      queue.run(() =>
        pg.transaction(async (tx) => {
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
    close: async () => {
      if (closed) return;
      closed = true;
      await queue.run(() => pg.close());
      lock.release();
    },
  };
}
