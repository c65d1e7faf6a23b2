/**
 * The planner's cost of a random page read, set on every hub session (PostgreSQL and PGlite).
 *
 * PostgreSQL's default, 4.0, prices a random read four times a sequential one: a spinning
 * disk. The hub looks rows up by key — a push reads the held rows of its ~170 cases, grants
 * and hand-over targets by primary or secondary key — and with that default PostgreSQL prefers
 * to read a whole table once it holds some tens of thousands of rows: at 20,000 cases a push's
 * case lookup scanned every row (1.4 ms) instead of probing the index (0.3 ms), and the scan
 * grows with the table. Measured here with 20 stations pushing at once on PostgreSQL: the
 * push's context read 3.4–4.0 → 1.8 ms, ingest +15 %. 1.1 is the usual figure for SSDs and
 * for data held in memory; HUB_DB_RANDOM_PAGE_COST sets another, or `server` leaves the
 * server's own setting alone.
 */
export const DEFAULT_RANDOM_PAGE_COST = 1.1;

/** null: leave the server's setting */
export type RandomPageCost = number | null;

/** HUB_DB_RANDOM_PAGE_COST: unset or empty → the default; `server` → null; else a number in (0, 1000]. */
export function randomPageCostFromEnv(value: string | undefined): RandomPageCost {
  if (value === undefined || value.trim() === '') return DEFAULT_RANDOM_PAGE_COST;
  if (value.trim() === 'server') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) {
    throw new Error(`HUB_DB_RANDOM_PAGE_COST must be a number above 0 and up to 1000, or "server", got "${value}"`);
  }
  return n;
}

/** The setting as a session parameter (`-c random_page_cost=…`), or null to send none. */
export function randomPageCostOption(cost: RandomPageCost): string | null {
  if (cost === null) return null;
  if (!Number.isFinite(cost) || cost <= 0 || cost > 1000) throw new Error(`random_page_cost out of range: ${cost}`);
  return `-c random_page_cost=${cost}`;
}

/** The same as a statement, for an engine without connection parameters (PGlite). */
export function randomPageCostStatement(cost: RandomPageCost): string | null {
  if (cost === null) return null;
  if (!Number.isFinite(cost) || cost <= 0 || cost > 1000) throw new Error(`random_page_cost out of range: ${cost}`);
  return `SET random_page_cost = ${cost}`;
}
