/**
 * Storing what a push decided, in ONE statement under the sync lock: the accepted events,
 * new case rows and origins, hand-over targets, audience grants, refused events and the
 * station's progress, as data-modifying CTEs over unnest()ed array parameters. One round trip,
 * and the same short statement text whatever the batch size (PostgreSQL and PGlite parse and
 * plan it quickly; a 500-row VALUES list has 4,000 parameters to bind).
 *
 * The CTEs share one snapshot: the origin UPDATE touches only cases that existed before the
 * push (new cases are inserted with their origin), so no CTE needs another's rows. With a
 * guard (BatchWrite.guard) the same statement first checks that the context the batch was
 * judged on is still current, so a push read ahead of the lock runs ONE statement under it.
 */
import type { RelayEvent } from '../../src-common/domain';
import { boolArray, intArray, textArray } from '../db/array-literal';
import { storableText, SYNC_LOCK_GENERIC_PLANS_SQL, type Queryable } from '../db/database';
import type { ThreadWriter } from '../db/pg-writer';
import type { AudiencePlan } from './audience';

export interface BatchWrite {
  stationId: string;
  accepted: ReadonlyArray<{ event: RelayEvent; hubSeq: number; content: string }>;
  plan: AudiencePlan;
  refused: ReadonlyArray<{ id: string; code: string; reason: string; content: string; seq: number | null }>;
  /** the station's new contiguous seq, when it changed (or the station has no row yet) */
  progress: number | null;
  /**
   * For a batch judged on a context read ahead of the sync lock (batch-context.ts): write only
   * if nothing it depends on changed since — no event committed on the batch's cases after
   * `aheadMax`, the same number of stations — and move every new hub number up by what the log
   * grew meanwhile (the batch's numbers were counted from `aheadMax`). An event whose id another
   * event holds (taken meanwhile, or not looked up by the read ahead: batch-context.ts) fails
   * the write on the events' unique key; the batch is then judged again under the lock, where
   * that event is `conflicting_content`. Without a guard the numbers are taken as given.
   */
  guard?: { aheadMax: number; caseIds: readonly string[]; stationCount: number };
}

/** Whether the batch was written, and by how much its hub numbers moved (see BatchWrite.guard). */
export interface Written {
  ok: boolean;
  shift: number;
}

/**
 * The separator of a text column sent as ONE joined text (joinTexts) and split in SQL by
 * string_to_array: the record separator U+001E, which no column so sent can hold (validated
 * ids, enum types, ISO times, and canonical JSON, whose JSON.stringify escapes every control
 * character). PostgreSQL reads an array literal of 500 event texts, every quote of their JSON
 * escaped, several times slower than it splits one text (measured here: 2–11 ms against 1 ms for
 * a batch of 500), and that time is spent under the sync lock.
 */
const TEXT_SEPARATOR = '\u001e';

/** A non-empty text column as one text, for ${texts(n)} in WRITE_SQL. */
export function joinTexts(values: readonly string[]): string {
  const joined = values.join(TEXT_SEPARATOR);
  // an empty text would vanish in the split, a separator would split one value in two: the
  // joined text holds exactly one separator between each two values, or one value holds one
  // (counted on the joined text: indexOf skips a long text far faster than a test a value)
  let separators = 0;
  for (let at = joined.indexOf(TEXT_SEPARATOR); at !== -1; at = joined.indexOf(TEXT_SEPARATOR, at + 1)) separators++;
  if (separators !== Math.max(0, values.length - 1) || values.some((v) => v.length === 0)) {
    const bad = values.find((v) => v.length === 0 || v.includes(TEXT_SEPARATOR)) ?? '';
    throw new Error(`joinTexts: a value is empty or holds U+001E (${JSON.stringify(bad.slice(0, 40))})`);
  }
  return joined;
}

/** SQL reading parameter $n, a joinTexts text, back as text[] */
function texts(n: number): string {
  return `string_to_array($${n}::text, E'\\x1e')`;
}

const WRITE_SQL = `
  WITH
  g AS (
    SELECT CASE WHEN $34::bigint IS NULL THEN true
                ELSE NOT EXISTS (SELECT 1 FROM events WHERE case_id = ANY($35::text[]) AND hub_seq > $34::bigint)
                     AND (SELECT count(*) FROM stations) = $36::bigint END AS ok,
           CASE WHEN $34::bigint IS NULL THEN 0
                ELSE (SELECT coalesce(max(hub_seq), 0) FROM events) - $34::bigint END AS shift
  ),
  ev AS (
    INSERT INTO events (hub_seq, event_id, case_id, station_id, seq, type, at, content)
    SELECT x.hub_seq + g.shift, x.event_id, x.case_id, x.station_id, x.seq, x.type, x.at, x.content
      FROM g, unnest($1::bigint[], ${texts(2)}, ${texts(3)}, ${texts(4)}, $5::bigint[], ${texts(6)}, ${texts(7)}, ${texts(8)})
        AS x (hub_seq, event_id, case_id, station_id, seq, type, at, content)
     WHERE g.ok
  ),
  ca AS (
    INSERT INTO cases (case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq)
    SELECT x.case_id, x.first_hub_seq + g.shift, x.origin_station_id, x.origin_district, x.origin_hub_seq + g.shift
      FROM g, unnest(${texts(9)}, $10::bigint[], $11::text[], $12::text[], $13::bigint[])
        AS x (case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq)
     WHERE g.ok
  ),
  co AS (
    UPDATE cases SET origin_station_id = o.station_id, origin_district = o.district, origin_hub_seq = o.hub_seq + g.shift
      FROM g, unnest($14::text[], $15::text[], $16::text[], $17::bigint[]) AS o (case_id, station_id, district, hub_seq)
     WHERE g.ok AND cases.case_id = o.case_id AND cases.origin_district IS NULL
  ),
  ht AS (
    INSERT INTO handover_targets (hub_seq, ordinal, case_id, kind, station_id, department)
    SELECT x.hub_seq + g.shift, x.ordinal, x.case_id, x.kind, x.station_id, x.department
      FROM g, unnest($18::bigint[], $19::integer[], ${texts(20)}, ${texts(21)}, $22::text[], $23::text[])
        AS x (hub_seq, ordinal, case_id, kind, station_id, department)
     WHERE g.ok
  ),
  -- a plain insert of the grants not held yet: every writer of case_audience holds the sync lock
  -- (this write, station registration) and a batch's grants are distinct (planCasesAndGrants),
  -- so the check is safe, and cheaper than ON CONFLICT's speculative insertion; a grant on a
  -- case this batch creates (fresh) cannot be held yet (a grant needs an event on its case,
  -- and the context showed none), so it is not looked up (a third of a batch of intakes' write)
  gr AS (
    SELECT * FROM unnest(${texts(24)}, ${texts(25)}, $26::bigint[], $37::boolean[]) AS x (station_id, case_id, granted_seq, fresh)
  ),
  au AS (
    INSERT INTO case_audience (station_id, case_id, granted_seq)
    SELECT x.station_id, x.case_id, x.granted_seq + g.shift FROM g, gr x WHERE g.ok AND x.fresh
  ),
  aa AS (
    INSERT INTO case_audience (station_id, case_id, granted_seq)
    SELECT x.station_id, x.case_id, x.granted_seq + g.shift FROM g, gr x
     WHERE g.ok AND NOT x.fresh
       AND NOT EXISTS (SELECT 1 FROM case_audience a WHERE a.station_id = x.station_id AND a.case_id = x.case_id)
  ),
  rf AS (
    INSERT INTO refused_events (station_id, event_id, code, reason, content, seq)
    SELECT $27, x.* FROM g, unnest($28::text[], $29::text[], $30::text[], $31::text[], $32::bigint[])
        AS x (event_id, code, reason, content, seq)
     WHERE g.ok
  ),
  pr AS (
    INSERT INTO station_progress (station_id, contiguous_seq)
    SELECT $27, $33::bigint FROM g WHERE g.ok AND $33::bigint IS NOT NULL
    ON CONFLICT (station_id) DO UPDATE SET contiguous_seq = excluded.contiguous_seq
  )
  SELECT ok, shift FROM g`;

function column<T, V>(rows: readonly T[], pick: (row: T) => V): V[] {
  return rows.map(pick);
}

/** The parameters of one write, encoded ahead of the sync lock (prepareWrite): see runWrite. */
export interface PreparedWrite {
  /** nothing to write at all */
  empty: boolean;
  params: unknown[];
}

/**
 * Encode a decided batch's parameters. Done before taking the sync lock, so that the work of
 * turning 500 events into parameter text does not hold it.
 */
export function prepareWrite(w: BatchWrite): PreparedWrite {
  const { accepted, plan, refused } = w;
  const empty = accepted.length === 0 && refused.length === 0 && w.progress === null && !w.guard;
  if (empty) return { empty, params: [] };
  const created = new Set(plan.newCases.map((c) => c.case_id));
  return {
    empty,
    params: [
      intArray(column(accepted, (a) => a.hubSeq)),
      joinTexts(column(accepted, (a) => a.event.id)),
      joinTexts(column(accepted, (a) => a.event.caseId)),
      joinTexts(column(accepted, (a) => a.event.stationId)),
      intArray(column(accepted, (a) => a.event.seq)),
      joinTexts(column(accepted, (a) => a.event.type)),
      joinTexts(column(accepted, (a) => a.event.at)),
      joinTexts(column(accepted, (a) => a.content)),
      joinTexts(column(plan.newCases, (c) => c.case_id)),
      intArray(column(plan.newCases, (c) => c.first_hub_seq)),
      textArray(column(plan.newCases, (c) => c.origin_station_id)),
      textArray(column(plan.newCases, (c) => c.origin_district)),
      intArray(column(plan.newCases, (c) => c.origin_hub_seq)),
      textArray(column(plan.originSet, (c) => c.case_id)),
      textArray(column(plan.originSet, (c) => c.origin_station_id)),
      textArray(column(plan.originSet, (c) => c.origin_district)),
      intArray(column(plan.originSet, (c) => c.origin_hub_seq)),
      intArray(column(plan.newTargets, (t) => t.hub_seq)),
      intArray(column(plan.newTargets, (t) => t.ordinal)),
      joinTexts(column(plan.newTargets, (t) => t.case_id)),
      joinTexts(column(plan.newTargets, (t) => t.kind)),
      textArray(column(plan.newTargets, (t) => t.station_id)),
      textArray(column(plan.newTargets, (t) => t.department)),
      joinTexts(column(plan.grants, (g) => g.stationId)),
      joinTexts(column(plan.grants, (g) => g.caseId)),
      intArray(column(plan.grants, (g) => g.seq)),
      w.stationId,
      textArray(column(refused, (r) => storableText(r.id))),
      textArray(column(refused, (r) => r.code)),
      textArray(column(refused, (r) => storableText(r.reason))),
      textArray(column(refused, (r) => storableText(r.content))),
      intArray(column(refused, (r) => r.seq)),
      w.progress,
      w.guard?.aheadMax ?? null,
      textArray(w.guard?.caseIds ?? []),
      w.guard?.stationCount ?? null,
      boolArray(column(plan.grants, (g) => created.has(g.caseId))),
    ],
  };
}

/** Run a prepared write: ONE statement (call under the sync lock). */
export async function runWrite(tx: Queryable, prepared: PreparedWrite): Promise<Written> {
  if (prepared.empty) return { ok: true, shift: 0 };
  const [row] = await tx.query<{ ok: boolean; shift: number | string }>(WRITE_SQL, prepared.params, { prepare: true });
  return { ok: row?.ok === true, shift: Number(row?.shift ?? 0) };
}

/**
 * Write a prepared batch in the writer thread's next group (pg-writer.ts: join): under the sync
 * lock, with the other pushes' writes that came meanwhile, one COMMIT for all. Its result once
 * committed; null when the group was not written or its end is unknown (the caller judges again
 * on its own and finds what was committed).
 */
export async function writeInThreadGroup(writer: ThreadWriter, prepared: PreparedWrite): Promise<Written | null> {
  if (prepared.empty) return { ok: true, shift: 0 };
  try {
    const [row] = (await writer.join({ sql: SYNC_LOCK_GENERIC_PLANS_SQL, params: [] }, { sql: WRITE_SQL, params: prepared.params, prepare: true })) as Array<{
      ok?: boolean;
      shift?: number | string;
    }>;
    return { ok: row?.ok === true, shift: Number(row?.shift ?? 0) };
  } catch {
    return null;
  }
}

export async function writeBatch(tx: Queryable, w: BatchWrite): Promise<Written> {
  return runWrite(tx, prepareWrite(w));
}
