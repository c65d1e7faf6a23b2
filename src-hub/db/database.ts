/**
 * The hub's one view of its database: plain SQL with positional parameters ($1, $2 ...),
 * run directly or inside a transaction. Two drivers implement it (embedded PGlite, and a
 * PostgreSQL pool), so nothing else in the hub depends on which engine runs underneath.
 *
 * Values: text and numbers go in as parameters; int8 columns come back as JS numbers (hub
 * sequence numbers stay far below 2^53), timestamptz as Date.
 */
import type { ThreadWriter } from './pg-writer';

export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Keep the statement prepared on the connection and reuse it (PostgreSQL: a named prepared
   * statement per connection, parsed and planned once instead of at every call). For the
   * hub's fixed statements that run at every push; never for text built at run time.
   */
  prepare?: boolean;
}

export interface Queryable {
  query<R = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Run fn in one transaction: commit when it resolves, roll back when it throws. Inside fn
   * use only `tx` (on PGlite a query on the database itself would wait for the transaction).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * The whole database as one gzip'd tar, consistent (taken between transactions): the
   * embedded engine only (pglite-backup.ts restores it). PostgreSQL has pg_dump.
   */
  backup?: () => Promise<Uint8Array>;
  /**
   * What the server's settings take from the durability of an acknowledged push (PostgreSQL:
   * fsync or full_page_writes off, which the hub cannot change for its sessions), in plain
   * words for the hub's log; empty when nothing does.
   */
  readonly durabilityWarnings?: readonly string[];
  /**
   * PostgreSQL: transactions of fixed statements on a connection of a thread of their own
   * (pg-writer.ts), for the pushes' group writes; absent on PGlite, and not `healthy` once its
   * thread has stopped (the writes then run on the caller's own connection).
   */
  readonly threadWriter?: ThreadWriter;
  close(): Promise<void>;
}

/**
 * The key of the advisory lock every writing transaction of the sync log takes first
 * (pushes and station registration), so hub sequence numbers are assigned in commit order.
 * ('RELAY' in ASCII.)
 */
export const SYNC_LOCK_KEY = 0x52454c4159;

export async function takeSyncLock(tx: Queryable): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${SYNC_LOCK_KEY})`);
}

/** The sync lock, with generic plans for the rest of the transaction (see beginPush): group writes. */
export const SYNC_LOCK_GENERIC_PLANS_SQL = `SELECT pg_advisory_xact_lock(${SYNC_LOCK_KEY}), set_config('plan_cache_mode', 'force_generic_plan', true)`;

/** The first key of the per-station advisory locks (two-key form: its own key space). */
const STATION_LOCK_CLASS = 0x5245;

/**
 * The first statement of a push's transaction on PostgreSQL, in one round trip:
 * - the station's lock, serialising one station's pushes (a retry racing its first attempt):
 *   taken before anything of the push is read, so rows only that station's pushes write stay
 *   as read until it commits. Always before the sync lock, never after it;
 * - generic plans for the rest of the transaction (`plan_cache_mode`, local to it). The push's
 *   statements are prepared once per connection (batch-context.ts, batch-write.ts), but with
 *   PostgreSQL's default choice the plan cache kept planning them again at every call for
 *   their array parameters, and the context read's plans for 500 ids ran slower than its
 *   generic one: measured against a 60,000-event log, a context read took 3.5 ms a call by
 *   default, 10.5 ms always custom, 1.6 ms generic (every lookup in them is by index
 *   whatever the arrays hold). Pulls keep the default: their plans depend on the cursor.
 */
export async function beginPush(tx: Queryable, stationId: string): Promise<void> {
  // no parameters, so that on PostgreSQL it travels with the transaction's BEGIN (pg-driver.ts)
  await tx.query(
    `SELECT pg_advisory_xact_lock(${STATION_LOCK_CLASS}, hashtext(${sqlLiteral(stationId)})), set_config('plan_cache_mode', 'force_generic_plan', true)`,
  );
}

/**
 * A text as an SQL string literal, safe whatever the server's standard_conforming_strings:
 * quotes doubled, and a text holding a backslash written as E'...' with it doubled.
 */
export function sqlLiteral(text: string): string {
  const quoted = text.replaceAll("'", "''");
  return text.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** "$1, $2, ..." for n parameters starting at `from`. */
export function placeholders(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');
}

/** Multi-row VALUES: "($1, $2), ($3, $4)" for rows of `width` parameters. */
export function valuesRows(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${placeholders(width, r * width + 1)})`);
  return out.join(', ');
}

/** PostgreSQL text cannot hold U+0000; free text from clients is stored without it. */
export function storableText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}
