/**
 * The PostgreSQL driver: a pg Pool. With `schema`, every connection works in that schema
 * (created if missing), which is how tests get a fresh database per file.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryOptions, Row } from './database';
import { DEFAULT_RANDOM_PAGE_COST, randomPageCostOption, type RandomPageCost } from './planner-costs';

const INT8 = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgOptions {
  connectionString: string;
  schema?: string;
  max?: number;
  /** the planner's random page cost for the hub's sessions (planner-costs.ts); null: the server's */
  randomPageCost?: RandomPageCost;
}

/** The name of a prepared statement: from its text, so every connection and process agrees. */
const statementNames = new Map<string, string>();
export function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `relay_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A query for node-postgres: with `prepare`, named, so each connection parses and plans it
 * once (PostgreSQL keeps the plan; it plans again by itself when a table it uses changes).
 */
function queryConfig(sql: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): pg.QueryConfig {
  const values = params ? [...params] : undefined;
  return options?.prepare ? { name: statementName(sql), text: sql, ...(values ? { values } : {}) } : { text: sql, ...(values ? { values } : {}) };
}

/**
 * Server settings (server-wide: a session cannot change them) under which a commit the hub
 * acknowledged may not survive a crash or power cut, in words for the hub's log.
 */
export function serverDurabilityWarnings(settings: { fsync?: string | undefined; full_page_writes?: string | undefined }): string[] {
  const warnings: string[] = [];
  if (settings.fsync === 'off') {
    warnings.push('PostgreSQL runs with fsync = off: a crash or power cut of the database server can lose pushes the hub has acknowledged (and the stations have then deleted). Set fsync = on.');
  }
  if (settings.full_page_writes === 'off') {
    warnings.push('PostgreSQL runs with full_page_writes = off: a power cut can leave torn pages the server cannot recover. Set full_page_writes = on unless the filesystem rules torn pages out.');
  }
  return warnings;
}

/** The `options` parameter of a postgres:// connection string ('' when none). */
export function connectionOptions(connectionString: string): string {
  try {
    return new URL(connectionString).searchParams.get('options')?.trim() ?? '';
  } catch {
    return '';
  }
}

/**
 * The connection string without its `options` parameter: node-postgres lets a connection
 * string's options replace the ones it is given, so the hub passes them merged instead.
 */
export function withoutOptions(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (!url.searchParams.has('options')) return connectionString;
    url.searchParams.delete('options');
    return url.toString();
  } catch {
    return connectionString;
  }
}

export async function openPostgres(options: PgOptions): Promise<Database> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`schema name not allowed: ${schema}`);
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  // what the server, database, role and connection string make of a commit's durability
  let syncCommit: string | undefined;
  let durabilityWarnings: string[] = [];
  const setup = new pg.Client({ connectionString: options.connectionString });
  await setup.connect();
  try {
    if (schema !== undefined) await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    syncCommit = (await setup.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit;
    const [fsync, fullPageWrites] = await Promise.all(
      ['fsync', 'full_page_writes'].map(async (name) => (await setup.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name]),
    );
    durabilityWarnings = serverDurabilityWarnings({ fsync, full_page_writes: fullPageWrites });
  } finally {
    await setup.end();
  }
  const sessionOptions = [
    // the connection string's own options, kept (given with the connection string, they would
    // replace ours); ours come after them, and the last of two settings of one parameter holds
    connectionOptions(options.connectionString),
    ...(schema !== undefined ? [`-c search_path=${schema}`] : []),
    randomPageCostOption(options.randomPageCost === undefined ? DEFAULT_RANDOM_PAGE_COST : options.randomPageCost),
    // A push is acknowledged once its transaction commits, and the station then deletes the
    // events from its outbox: with synchronous_commit off, a server crash or power cut can take
    // back commits already answered (the last ~0.6 s), and those events would be lost for
    // good. So the hub's sessions commit synchronously whatever the server's default.
    // ('local' and the remote_* levels also flush locally first: they are kept.)
    syncCommit === 'off' ? '-c synchronous_commit=on' : null,
  ].filter((o): o is string => o !== null && o !== '');
  const pool = new pg.Pool({
    connectionString: withoutOptions(options.connectionString),
    max: options.max ?? 10,
    types,
    ...(sessionOptions.length > 0 ? { options: sessionOptions.join(' ') } : {}),
  });
  // an idle connection dropped by the server must not crash the hub
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');

  return {
    kind: 'postgres',
    durabilityWarnings,
    query: async <R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
      (await pool.query(queryConfig(sql, params, options))).rows as R[],
    exec: async (sql: string) => {
      await pool.query(sql);
    },
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const client = await pool.connect();
      let broken = false;
      // a checked-out client has no pool listener: a connection the server ends while the
      // transaction waits (a push waiting for its write group) would otherwise be an unhandled
      // 'error' event and end the hub; the next statement fails instead, and the client is dropped
      const lost = () => {
        broken = true;
      };
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
            (await client.query(queryConfig(sql, params, options))).rows as R[],
          exec: async (sql: string) => {
            await client.query(sql);
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw e;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
