/**
 * Storing what a push decided, in ONE statement under the sync lock: the accepted events,
 * new case rows and origins, hand-over targets, audience grants, refused events and the
 * station's progress, as data-modifying CTEs over unnest()ed array parameters. One round trip,
 * and the same short statement text whatever the batch size (PostgreSQL and PGlite parse and
 * plan it quickly; a 500-row VALUES list has 4,000 parameters to bind).
 *
 * The CTEs share one snapshot: the origin UPDATE touches only cases that existed before the
 * push (new cases are inserted with their origin), so no CTE needs another's rows.
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
}

const WRITE_SQL = `
  WITH
  ev AS (
    INSERT INTO events (hub_seq, event_id, case_id, station_id, seq, type, at, content)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
  ),
  ca AS (
    INSERT INTO cases (case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq)
    SELECT * FROM unnest($9::text[], $10::bigint[], $11::text[], $12::text[], $13::bigint[])
  ),
  co AS (
    UPDATE cases SET origin_station_id = o.station_id, origin_district = o.district, origin_hub_seq = o.hub_seq
      FROM unnest($14::text[], $15::text[], $16::text[], $17::bigint[]) AS o (case_id, station_id, district, hub_seq)
     WHERE cases.case_id = o.case_id AND cases.origin_district IS NULL
  ),
  ht AS (
    INSERT INTO handover_targets (hub_seq, ordinal, case_id, kind, station_id, department)
    SELECT * FROM unnest($18::bigint[], $19::integer[], $20::text[], $21::text[], $22::text[], $23::text[])
  ),
  au AS (
    INSERT INTO case_audience (station_id, case_id, granted_seq)
    SELECT * FROM unnest($24::text[], $25::text[], $26::bigint[])
    ON CONFLICT (station_id, case_id) DO NOTHING
  ),
  rf AS (
    INSERT INTO refused_events (station_id, event_id, code, reason, content, seq)
    SELECT $27, * FROM unnest($28::text[], $29::text[], $30::text[], $31::text[], $32::bigint[])
  ),
  pr AS (
    INSERT INTO station_progress (station_id, contiguous_seq)
    SELECT $27, $33::bigint WHERE $33::bigint IS NOT NULL
    ON CONFLICT (station_id) DO UPDATE SET contiguous_seq = excluded.contiguous_seq
  )
  SELECT 1 AS done`;

function column<T, V>(rows: readonly T[], pick: (row: T) => V): V[] {
  return rows.map(pick);
}

export async function writeBatch(tx: Queryable, w: BatchWrite): Promise<void> {
  const { accepted, plan, refused } = w;
  if (accepted.length === 0 && refused.length === 0 && w.progress === null) return;
  await tx.query(WRITE_SQL, [
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
  ]);
}
