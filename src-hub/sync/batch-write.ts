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
import { storableText, type Queryable } from '../db/database';
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
   * `aheadMax`, the same number of stations — and move every new hub number up by what the
   * log grew meanwhile (the batch's numbers were counted from `aheadMax`). Without a guard the
   * numbers are taken as given.
   */
  guard?: { aheadMax: number; caseIds: readonly string[]; stationCount: number };
}

/** Whether the batch was written, and by how much its hub numbers moved (see BatchWrite.guard). */
export interface Written {
  ok: boolean;
  shift: number;
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
      FROM g, unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
        AS x (hub_seq, event_id, case_id, station_id, seq, type, at, content)
     WHERE g.ok
  ),
  ca AS (
    INSERT INTO cases (case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq)
    SELECT x.case_id, x.first_hub_seq + g.shift, x.origin_station_id, x.origin_district, x.origin_hub_seq + g.shift
      FROM g, unnest($9::text[], $10::bigint[], $11::text[], $12::text[], $13::bigint[])
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
      FROM g, unnest($18::bigint[], $19::integer[], $20::text[], $21::text[], $22::text[], $23::text[])
        AS x (hub_seq, ordinal, case_id, kind, station_id, department)
     WHERE g.ok
  ),
  au AS (
    INSERT INTO case_audience (station_id, case_id, granted_seq)
    SELECT x.station_id, x.case_id, x.granted_seq + g.shift
      FROM g, unnest($24::text[], $25::text[], $26::bigint[]) AS x (station_id, case_id, granted_seq)
     WHERE g.ok
    ON CONFLICT (station_id, case_id) DO NOTHING
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

export async function writeBatch(tx: Queryable, w: BatchWrite): Promise<Written> {
  const { accepted, plan, refused } = w;
  if (accepted.length === 0 && refused.length === 0 && w.progress === null && !w.guard) return { ok: true, shift: 0 };
  const [row] = await tx.query<{ ok: boolean; shift: number | string }>(WRITE_SQL, [
    column(accepted, (a) => a.hubSeq),
    column(accepted, (a) => a.event.id),
    column(accepted, (a) => a.event.caseId),
    column(accepted, (a) => a.event.stationId),
    column(accepted, (a) => a.event.seq),
    column(accepted, (a) => a.event.type),
    column(accepted, (a) => a.event.at),
    column(accepted, (a) => a.content),
    column(plan.newCases, (c) => c.case_id),
    column(plan.newCases, (c) => c.first_hub_seq),
    column(plan.newCases, (c) => c.origin_station_id),
    column(plan.newCases, (c) => c.origin_district),
    column(plan.newCases, (c) => c.origin_hub_seq),
    column(plan.originSet, (c) => c.case_id),
    column(plan.originSet, (c) => c.origin_station_id),
    column(plan.originSet, (c) => c.origin_district),
    column(plan.originSet, (c) => c.origin_hub_seq),
    column(plan.newTargets, (t) => t.hub_seq),
    column(plan.newTargets, (t) => t.ordinal),
    column(plan.newTargets, (t) => t.case_id),
    column(plan.newTargets, (t) => t.kind),
    column(plan.newTargets, (t) => t.station_id),
    column(plan.newTargets, (t) => t.department),
    column(plan.grants, (g) => g.stationId),
    column(plan.grants, (g) => g.caseId),
    column(plan.grants, (g) => g.seq),
    w.stationId,
    column(refused, (r) => storableText(r.id)),
    column(refused, (r) => r.code),
    column(refused, (r) => storableText(r.reason)),
    column(refused, (r) => storableText(r.content)),
    column(refused, (r) => r.seq),
    w.progress,
    w.guard?.aheadMax ?? null,
    [...(w.guard?.caseIds ?? [])],
    w.guard?.stationCount ?? null,
  ]);
  return { ok: row?.ok === true, shift: Number(row?.shift ?? 0) };
}
