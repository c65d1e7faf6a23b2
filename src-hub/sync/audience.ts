/**
 * Who may see which case (the `case_audience` table): one row per (station, case) with
 * `granted_seq`, the hub sequence number of the event from which on the case is visible to
 * that station. A case is visible to:
 *
 * (a) every station that recorded an event on it;
 * (b) the target of a transfer (`to`) or an assignment (`lead`, `assisting`): by stationId
 *     when the target names one; else kind 'hotline' → every hotline12345 station; kind
 *     'unit' / 'department' with department D → every unit station of department D in the
 *     district of the case's creating station (or whose district is 全市, the whole city);
 * (c) supervisors: every case whose creating station is in the supervisor's district, or all
 *     cases when the supervisor's district is 全市.
 *
 * The creating station is the one that recorded the case's `case.created` (for a handover
 * sheet, its `shift.handover`). Visibility only grows. Grants are written in the same locked
 * transaction as the event that causes them, so a grant's `granted_seq` is never below a
 * cursor a station already holds: the puller sends the case's earlier events when it meets
 * the grant (src-hub/sync/pull.ts). A station registered later gets its grants computed from
 * the whole log at registration (`grantHistory`), also under the sync lock.
 */
import type { HandoverTarget, RelayEvent } from '../../src-common/domain';
import type { StationInfo } from '../../src-common/protocol/v1';
import type { Queryable } from '../db/database';

/** The district name that means the whole city. */
export const WHOLE_CITY = '全市';

export interface CaseRow {
  case_id: string;
  first_hub_seq: number;
  origin_station_id: string | null;
  origin_district: string | null;
  origin_hub_seq: number | null;
}

export interface TargetRow {
  hub_seq: number;
  ordinal: number;
  case_id: string;
  kind: string;
  station_id: string | null;
  department: string | null;
}

export interface StationRow {
  station_id: string;
  role: string;
  district: string;
  department: string | null;
}

export interface GrantRow {
  stationId: string;
  caseId: string;
  seq: number;
}

/** What a push's accepted events add: new case rows, origins found, targets, grants. */
export interface AudiencePlan {
  newCases: CaseRow[];
  /** existing cases whose creating station has just become known */
  originSet: CaseRow[];
  newTargets: TargetRow[];
  /** an existing grant is always lower: it was written by an earlier commit (insert, do nothing on conflict) */
  grants: GrantRow[];
}

function targetsOf(event: RelayEvent): HandoverTarget[] {
  if (event.type === 'case.transferred') return [event.payload.to];
  if (event.type === 'case.assigned') return [event.payload.lead, ...event.payload.assisting];
  return [];
}

/** Events that open a case and so fix its creating station. */
export function opensCase(event: RelayEvent): boolean {
  return event.type === 'case.created' || event.type === 'shift.handover';
}

/**
 * The cases, hand-over targets and audience grants that a push's accepted events bring, from
 * the rows the push read under the sync lock (batch-context.ts): the batch's known cases,
 * their department targets without a station, and the stations that can be granted cases.
 * All events are `me`'s (the hub refuses forged ones before this), in hub_seq order. Pure.
 */
export function planCasesAndGrants(
  me: StationInfo,
  accepted: ReadonlyArray<{ event: RelayEvent; hubSeq: number }>,
  read: { cases: readonly CaseRow[]; departmentTargets: readonly TargetRow[]; stations: readonly StationRow[] },
): AudiencePlan {
  const plan: AudiencePlan = { newCases: [], originSet: [], newTargets: [], grants: [] };
  if (accepted.length === 0) return plan;
  const known = new Map<string, CaseRow>(read.cases.map((c) => [c.case_id, { ...c }]));
  // unresolved department targets of cases whose creating station is not known yet
  const pendingTargets = new Map<string, TargetRow[]>();
  for (const t of read.departmentTargets) {
    if (known.get(t.case_id)?.origin_district !== null) continue;
    const list = pendingTargets.get(t.case_id) ?? [];
    list.push(t);
    pendingTargets.set(t.case_id, list);
  }
  const stations = read.stations;

  const grants = new Map<string, GrantRow>();
  const grant = (stationId: string, caseId: string, seq: number) => {
    const key = `${stationId}\u0000${caseId}`;
    if (!grants.has(key)) grants.set(key, { stationId, caseId, seq });
  };
  const unitsOf = (department: string, district: string | null) =>
    stations.filter(
      (s) => s.role === 'unit' && s.department === department && (s.district === WHOLE_CITY || (district !== null && s.district === district)),
    );

  const newCases = new Map<string, CaseRow>();
  const originSet = new Map<string, CaseRow>();

  for (const { event, hubSeq } of accepted) {
    const caseId = event.caseId;
    let c = known.get(caseId);
    if (!c) {
      c = { case_id: caseId, first_hub_seq: hubSeq, origin_station_id: null, origin_district: null, origin_hub_seq: null };
      known.set(caseId, c);
      newCases.set(caseId, c);
    }
    grant(me.stationId, caseId, hubSeq); // (a)

    if (opensCase(event) && c.origin_district === null) {
      c.origin_station_id = me.stationId;
      c.origin_district = me.district;
      c.origin_hub_seq = hubSeq;
      if (!newCases.has(caseId)) originSet.set(caseId, c);
      for (const s of stations) {
        if (s.role === 'supervisor' && (s.district === WHOLE_CITY || s.district === me.district)) grant(s.station_id, caseId, hubSeq); // (c)
      }
      for (const t of pendingTargets.get(caseId) ?? []) {
        for (const s of unitsOf(t.department!, me.district)) grant(s.station_id, caseId, hubSeq); // (b), district now known
      }
    }

    targetsOf(event).forEach((target, ordinal) => {
      const row: TargetRow = {
        hub_seq: hubSeq,
        ordinal,
        case_id: caseId,
        kind: target.kind,
        station_id: target.stationId,
        department: target.department,
      };
      plan.newTargets.push(row);
      if (target.stationId !== null) {
        grant(target.stationId, caseId, hubSeq);
      } else if (target.kind === 'hotline') {
        for (const s of stations) if (s.role === 'hotline12345') grant(s.station_id, caseId, hubSeq);
      } else if (target.department !== null) {
        for (const s of unitsOf(target.department, c.origin_district)) grant(s.station_id, caseId, hubSeq);
        if (c.origin_district === null) {
          const list = pendingTargets.get(caseId) ?? [];
          list.push(row);
          pendingTargets.set(caseId, list);
        }
      }
    });
  }
  plan.newCases = [...newCases.values()];
  plan.originSet = [...originSet.values()];
  plan.grants = [...grants.values()];
  return plan;
}

/**
 * Every case visible to `station` with the hub_seq from which it is, computed from the whole
 * log by rules (a)–(c). Used when a station is registered, and by tests to check that the
 * grants written push by push are the same.
 */
export const AUDIENCE_FROM_LOG_SQL = `
  SELECT case_id, min(g) AS granted_seq FROM (
    SELECT case_id, hub_seq AS g FROM events WHERE station_id = $1
    UNION ALL
    SELECT t.case_id,
           CASE WHEN t.station_id IS NULL AND t.kind <> 'hotline' AND $3 <> '${WHOLE_CITY}'
                THEN greatest(t.hub_seq, c.origin_hub_seq) ELSE t.hub_seq END AS g
      FROM handover_targets t LEFT JOIN cases c ON c.case_id = t.case_id
     WHERE t.station_id = $1
        OR (t.station_id IS NULL AND t.kind = 'hotline' AND $2 = 'hotline12345')
        OR (t.station_id IS NULL AND t.kind IN ('unit', 'department') AND $2 = 'unit'
            AND t.department = $4 AND ($3 = '${WHOLE_CITY}' OR c.origin_district = $3))
    UNION ALL
    SELECT case_id, origin_hub_seq AS g FROM cases
     WHERE $2 = 'supervisor' AND origin_hub_seq IS NOT NULL
       AND ($3 = '${WHOLE_CITY}' OR origin_district = $3)
  ) visible GROUP BY case_id`;

export function audienceParams(station: StationInfo): unknown[] {
  return [station.stationId, station.role, station.district, station.department ?? ''];
}

/** Grant a (newly registered) station everything the log already lets it see. */
export async function grantHistory(tx: Queryable, station: StationInfo): Promise<void> {
  await tx.query(
    `INSERT INTO case_audience (station_id, case_id, granted_seq)
     SELECT $1, case_id, granted_seq FROM (${AUDIENCE_FROM_LOG_SQL}) a
     ON CONFLICT (station_id, case_id) DO UPDATE SET granted_seq = least(case_audience.granted_seq, excluded.granted_seq)`,
    audienceParams(station),
  );
}
