/**
 * The PostgreSQL driver: a pg Pool. With `schema`, every connection works in that schema
 * (created if missing), which is how tests get a fresh database per file.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { Database, Queryable, QueryOptions, Row } from './database';
import { DEFAULT_RANDOM_PAGE_COST, randomPageCostOption, type RandomPageCost } from './planner-costs';
import { startThreadWriter, type ThreadWriter } from './pg-writer';

const INT8 = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgOptions {
  connectionString: string;
  schema?: string;
  max?: number;
  /** the planner's random page cost for the hub's sessions (planner-costs.ts); null: the server's */
  randomPageCost?: RandomPageCost;
  /** told when the writer thread stops (its writes then go to the pool); by default written to stderr */
  onWriterStopped?: (reason: string) => void;
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

/**
 * A node-postgres configuration from a connection string (parsed as node-postgres parses it)
 * with the hub's session options added after the string's own and PGOPTIONS (which
 * node-postgres reads only when no options are given): given beside each other, a string's
 * options would replace the hub's. The last of two settings of one parameter holds.
 */
export function connectionConfig(connectionString: string, hubOptions: readonly string[], env: NodeJS.ProcessEnv = process.env): pg.ClientConfig {
  const { options: urlOptions, ...connection } = parseIntoClientConfig(connectionString);
  const all = [env.PGOPTIONS, urlOptions, ...hubOptions].map((o) => o?.trim() ?? '').filter((o) => o !== '');
  return { ...connection, ...(all.length > 0 ? { options: all.join(' ') } : {}) };
}

export async function openPostgres(options: PgOptions): Promise<Database> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`schema name not allowed: ${schema}`);
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const hubOptions = [
    ...(schema !== undefined ? [`-c search_path=${schema}`] : []),
    randomPageCostOption(options.randomPageCost === undefined ? DEFAULT_RANDOM_PAGE_COST : options.randomPageCost),
  ].filter((o): o is string => o !== null);
  const config = (extra: string[] = []) => connectionConfig(options.connectionString, [...hubOptions, ...extra]);

  // what the server, database, role and these options make of a commit's durability
  let syncCommit: string | undefined;
  let durabilityWarnings: string[] = [];
  const setup = new pg.Client(config());
  await setup.connect();
  try {
    if (schema !== undefined) await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    syncCommit = (await setup.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit;
    try {
      const [fsync, fullPageWrites] = await Promise.all(
        ['fsync', 'full_page_writes'].map(async (name) => (await setup.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name]),
      );
      durabilityWarnings = serverDurabilityWarnings({ fsync, full_page_writes: fullPageWrites });
    } catch {
      // a server that does not show them (a PostgreSQL-compatible one): the warnings are advice only
    }
  } finally {
    await setup.end();
  }
  // A push is acknowledged once its transaction commits, and the station then deletes the
  // events from its outbox: with synchronous_commit off, a server crash or power cut can take
  // back commits already answered, and those events would be lost for good. So the hub's
  // sessions pin the level they found, and where that was off, 'local' (flushed on this
  // server before the commit returns, without waiting for standbys the server does not ask
  // for): a server default switched to off later does not reach them.
  const pinned = syncCommit && syncCommit !== 'off' ? syncCommit : 'local';
  const sessionConfig = config([`-c synchronous_commit=${pinned}`]);
  const pool = new pg.Pool({ ...sessionConfig, max: options.max ?? 10, types });
  // an idle connection dropped by the server must not crash the hub
  pool.on('error', () => undefined);
  // the sessions really have the hub's settings (a pooler that drops startup options would not)
  const [session] = (await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows;
  if (session?.synchronous_commit === 'off') {
    durabilityWarnings.push(
      'The hub’s PostgreSQL sessions commit asynchronously (synchronous_commit = off): the startup options the hub sets did not reach them (a connection pooler that drops them?). Acknowledged pushes can be lost in a crash of the database server.',
    );
  }

  // the same session settings as the pool's, the pinned synchronous_commit among them
  const onWriterStopped =
    options.onWriterStopped ??
    ((reason: string) => console.error(`relay hub: the PostgreSQL writer thread stopped (${reason}); pushes are now written on the pool's connections`));
  const threadWriter: ThreadWriter = startThreadWriter(sessionConfig, onWriterStopped);

  return {
    kind: 'postgres',
    durabilityWarnings,
    threadWriter,
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
      // BEGIN is sent with the transaction's first statement when that has no parameters (one
      // round trip, PostgreSQL's simple protocol: a push's first is its station lock), else
      // just before it; a transaction that ran nothing sends neither BEGIN nor COMMIT
      let begun = false;
      const begin = async () => {
        if (begun) return;
        begun = true;
        await client.query('BEGIN');
      };
      try {
        const tx: Queryable = {
          query: async <R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => {
            if (!begun && (params === undefined || params.length === 0) && !options?.prepare) {
              begun = true;
              const results = (await client.query(`BEGIN; ${sql}`)) as unknown as pg.QueryResult[];
              return results[results.length - 1]!.rows as R[];
            }
            await begin();
            return (await client.query(queryConfig(sql, params, options))).rows as R[];
          },
          exec: async (sql: string) => {
            await begin();
            await client.query(sql);
          },
        };
        const result = await fn(tx);
        if (begun) await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          if (begun) await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw e;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    close: async () => {
      await threadWriter.close();
      await pool.end();
    },
  };
}
