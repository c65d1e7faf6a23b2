/**
 * Everything a push needs to know before it judges and stores a batch, in ONE statement:
 * which of the batch's ids and seqs are held, the log's highest hub_seq, the held events,
 * grants, case rows and unresolved hand-over targets of the batch's cases, the stations that
 * can be granted cases, and the pushing station's pull and seq progress.
 *
 * Pushes are serialised by the sync lock, and every statement under it makes all other pushes
 * wait. So the context is read AHEAD, before the sync lock (on PostgreSQL, alongside the lock
 * holder's work) but after the station's own lock (database.ts: beginPush), so what
 * only this station's pushes write cannot change meanwhile. The batch is judged on it, and the
 * one write under the sync lock first checks what other pushes could have changed — no event
 * committed since on the batch's cases, no station registered — (batch-write.ts, the guard);
 * only then does it write; otherwise the context is read again under the lock.
 *
 * Array parameters (`= ANY($n)`) keep the statements the same whatever the batch size.
 *
 * The batch's seqs are looked up one by one through the (station_id, seq) key, and only those
 * at or below the station's highest held seq (one step down that key): a batch of new events
 * looks up none. Written as `seq = ANY(...)`, PostgreSQL's generic plan read every event of the
 * station by station_id and filtered the seqs (18 ms a push for a station of 5,500 events),
 * so each push cost more the longer the station had worked.
 */
import type { RelayEvent } from '../../src-common/domain';
import type { StationInfo } from '../../src-common/protocol/v1';
import { intArray, textArray } from '../db/array-literal';
import type { Queryable } from '../db/database';
import type { CaseRow, StationRow, TargetRow } from './audience';
import { START, type Cursor } from './cursor';
import type { LoggedEvent } from './knowledge';

export interface BatchContext {
  maxHubSeq: number;
  /** how many stations are registered (a registration changes who is granted what) */
  stationCount: number;
  /** event id → its hub_seq and canonical content, for the batch's ids that are held */
  heldById: Map<string, { hubSeq: number; content: string }>;
  /** the pushing station's seq → the event holding it, for the batch's seqs that are held */
  heldBySeq: Map<number, string>;
  /** every held event of the batch's cases */
  logged: LoggedEvent[];
  /** caseId → the pushing station's granted_seq */
  grants: Map<string, number>;
  cases: CaseRow[];
  /** department targets without a station on the batch's cases (resolved once the origin is known) */
  departmentTargets: TargetRow[];
  stations: StationRow[];
  handedOut: Cursor;
  /** station_progress.contiguous_seq, or null when the station has no row yet */
  contiguousSeq: number | null;
  /** the station's held seqs above its contiguous prefix */
  heldAbove: number[];
  /** the station's refused seqs above its contiguous prefix */
  refusedAbove: number[];
}

const CONTEXT_SQL = `
  WITH progress AS (SELECT contiguous_seq FROM station_progress WHERE station_id = $1)
  SELECT
    (SELECT coalesce(max(hub_seq), 0) FROM events) AS max_hub_seq,
    (SELECT json_agg(json_build_array(e.event_id, e.hub_seq, e.content))
       FROM unnest($2::text[], $5::bigint[]) AS b (id, seq)
       JOIN events e ON e.event_id = b.id
      WHERE $6::boolean OR b.seq <= (SELECT max(seq) FROM events WHERE station_id = $1)) AS held_by_id,
    (SELECT json_agg(json_build_array(e.seq, e.event_id))
       FROM unnest($3::bigint[]) AS s (seq)
       JOIN events e ON e.station_id = $1 AND e.seq = s.seq
      WHERE s.seq <= (SELECT max(seq) FROM events WHERE station_id = $1)) AS held_by_seq,
    (SELECT json_agg(json_build_array(hub_seq, content::json)) FROM events WHERE case_id = ANY($4::text[])) AS logged,
    (SELECT json_agg(json_build_array(case_id, granted_seq)) FROM case_audience WHERE station_id = $1 AND case_id = ANY($4::text[])) AS grants,
    (SELECT json_agg(json_build_array(case_id, first_hub_seq, origin_station_id, origin_district, origin_hub_seq))
       FROM cases WHERE case_id = ANY($4::text[])) AS cases,
    (SELECT json_agg(json_build_array(hub_seq, ordinal, case_id, kind, station_id, department)) FROM handover_targets
      WHERE station_id IS NULL AND kind IN ('unit', 'department') AND department IS NOT NULL AND case_id = ANY($4::text[])) AS department_targets,
    (SELECT json_agg(json_build_array(station_id, role, district, department)) FROM stations
      WHERE role IN ('hotline12345', 'unit', 'supervisor')) AS stations,
    (SELECT json_build_array(pos, hub_seq) FROM station_pull WHERE station_id = $1) AS handed_out,
    (SELECT contiguous_seq FROM progress) AS contiguous_seq,
    (SELECT json_agg(seq) FROM events WHERE station_id = $1 AND seq > coalesce((SELECT contiguous_seq FROM progress), 0)) AS held_above,
    (SELECT json_agg(seq) FROM refused_events WHERE station_id = $1 AND seq > coalesce((SELECT contiguous_seq FROM progress), 0)) AS refused_above,
    (SELECT count(*) FROM stations) AS station_count`;


interface ContextRow {
  max_hub_seq: number;
  held_by_id: Array<[string, number, string]> | null;
  held_by_seq: Array<[number, string]> | null;
  logged: Array<[number, RelayEvent]> | null;
  grants: Array<[string, number]> | null;
  cases: Array<[string, number, string | null, string | null, number | null]> | null;
  department_targets: Array<[number, number, string, string, string | null, string | null]> | null;
  stations: Array<[string, string, string, string | null]> | null;
  handed_out: [number, number] | null;
  contiguous_seq: number | null;
  held_above: number[] | null;
  refused_above: number[] | null;
  station_count: number | string;
}

/** JSON from the database: PGlite and node-postgres both parse json columns; be safe if not. */
function json<T>(v: T | string | null): T | null {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

export interface BatchKeys {
  /** the batch's event ids, each once */
  ids: readonly string[];
  /** each id's seq (the first event's with that id) */
  idSeqs: readonly number[];
  seqs: readonly number[];
  caseIds: readonly string[];
}

/**
 * @param scope `all`: every id of the batch is looked up (under the sync lock). `resent`: only
 * the ids of events at or below the station's highest held seq, the ones it may be sending
 * again (read ahead: a batch of new events looks up none). An id held by another event that
 * this misses (another station's, or one of the station's own at another seq) makes the
 * batch's write fail on the events' unique key: the batch is then judged again under the lock
 * with every id looked up, and that event refused as conflicting_content.
 */
export async function readBatchContext(tx: Queryable, me: StationInfo, batch: BatchKeys, scope: 'all' | 'resent' = 'all'): Promise<BatchContext> {
  const [row] = await tx.query<ContextRow>(
    CONTEXT_SQL,
    [me.stationId, textArray(batch.ids), intArray(batch.seqs), textArray(batch.caseIds), intArray(batch.idSeqs), scope === 'all'],
    { prepare: true },
  );
  if (!row) throw new Error('batch context: no row');
  const handed = json(row.handed_out);
  return {
    maxHubSeq: Number(row.max_hub_seq),
    stationCount: Number(row.station_count),
    heldById: new Map((json(row.held_by_id) ?? []).map(([id, hubSeq, content]) => [id, { hubSeq: Number(hubSeq), content }])),
    heldBySeq: new Map((json(row.held_by_seq) ?? []).map(([seq, id]) => [Number(seq), id])),
    logged: (json(row.logged) ?? []).map(([hubSeq, event]) => ({ hubSeq: Number(hubSeq), event: json<RelayEvent>(event)! })),
    grants: new Map((json(row.grants) ?? []).map(([caseId, seq]) => [caseId, Number(seq)])),
    cases: (json(row.cases) ?? []).map(([case_id, first, station, district, originSeq]) => ({
      case_id,
      first_hub_seq: Number(first),
      origin_station_id: station,
      origin_district: district,
      origin_hub_seq: originSeq === null ? null : Number(originSeq),
    })),
    departmentTargets: (json(row.department_targets) ?? []).map(([hub_seq, ordinal, case_id, kind, station_id, department]) => ({
      hub_seq: Number(hub_seq),
      ordinal: Number(ordinal),
      case_id,
      kind,
      station_id,
      department,
    })),
    stations: (json(row.stations) ?? []).map(([station_id, role, district, department]) => ({ station_id, role, district, department })),
    handedOut: handed ? { pos: Number(handed[0]), hubSeq: Number(handed[1]) } : START,
    contiguousSeq: row.contiguous_seq === null ? null : Number(row.contiguous_seq),
    heldAbove: (json(row.held_above) ?? []).map(Number),
    refusedAbove: (json(row.refused_above) ?? []).map(Number),
  };
}
