/**
 * The supervision report (督办通报): how the linked system did over a period, per department,
 * per category and per station, and the policy's three measures (DOMAIN.md): sorted right,
 * received, handled well (分得清、接得住、办得好). Every figure is computed from events.
 *
 * Definitions shared by every figure:
 * - The period P is half-open: `from <= event.at < to` (`event.at`: when the event was
 *   recorded at its desk). "In P" below means that.
 * - Cut-off: the report reads only events recorded before `to`; events before `from` are
 *   context (a case's creation, its earlier assignments) but are not counted. So a report
 *   of a past period stays the same however late it is made, and an event at or after `to`
 *   never changes it. The one exception is `overdueNow`, a figure of the present.
 * - asOf = min(to, now): the moment deadlines are judged at ("has this deadline passed?").
 * - Events are replayed per case in fold order (case-replay.ts); an event the case did not
 *   allow (a conflict) is not counted. Shift handover events are not case events.
 * - District filter: a case belongs to the district of its location at creation
 *   (case.created payload.location.district); null takes every district. Cases whose
 *   creation has not arrived are left out.
 * - Department: the lead department code of an assignment (case.assigned payload.lead.
 *   department); an assignment to a target without a department code falls in the row
 *   with `department: null` (未指定部门).
 * - An assignment's acknowledgement is the case.acknowledged (of 'assignment') recorded while
 *   it was the current assignment; its feedback is the first case.feedback recorded while
 *   it was current; it ends when returned (case.returned).
 * - Rates: numerator / denominator, or null when the denominator is 0 (shown as "—").
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import type { Catalogue } from '../domain/catalogue';
import { departmentOf, findCategory, findDepartment } from '../domain/catalogue';
import type { Satisfaction } from '../domain/vocabulary';
import { epochMs, replayCases, type HeldEvent } from './case-replay';

export const SUPERVISION_REPORT_VERSION = 1 as const;

/** China Standard Time, UTC+8, no daylight saving: day/week/month buckets follow it. */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

export type Granularity = 'day' | 'week' | 'month';
export const GRANULARITY_LABELS: Record<Granularity, string> = { day: '日', week: '周', month: '月' };

export interface ReportPeriod {
  /** ISO, inclusive */
  from: string;
  /** ISO, exclusive */
  to: string;
  granularity: Granularity;
}

export interface StationSyncInput {
  stationId: string;
  name: string;
  pendingEvents?: number;
  lastSyncAt?: string | null;
}

export interface SupervisionInput {
  events: readonly HeldEvent[];
  period: ReportPeriod;
  /** null: every district */
  district: string | null;
  catalogue: Catalogue;
  /** ISO */
  now: string;
  stations?: StationSyncInput[];
  /** minutes east of UTC for bucket boundaries; default DEFAULT_UTC_OFFSET_MINUTES */
  utcOffsetMinutes?: number;
}

/** numerator / denominator; rate null when the denominator is 0 (shown as "—"). */
export interface Ratio {
  numerator: number;
  denominator: number;
  rate: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, rate: denominator > 0 ? numerator / denominator : null };
}

/** Callbacks (case.callback) in P, counted per satisfaction value. */
export type SatisfactionCounts = Record<Satisfaction, number> & { total: number };

/** A return of an assignment recorded in P. */
export interface ReturnRecord {
  caseId: string;
  caseNo: string;
  at: string;
  /** the station that returned it */
  stationId: string;
  stationName: string;
  reason: string;
}

/**
 * The figures of one department (or, in `overall`, of every department together).
 */
export interface DepartmentFigures {
  /** lead department code; null: assignments without a department code (or, in `overall`, all) */
  department: string | null;
  /** catalogue short name, else the code; 未指定部门 for null; 合计 in `overall` */
  name: string;
  /** 派单数: case.assigned in P with this lead department */
  assigned: number;
  /** 退回数: case.returned in P of an assignment to this department (returns of transfers are in totals.transferReturned) */
  returned: number;
  /** the returns counted in `returned`, in time order, with their reasons */
  returnReasons: ReturnRecord[];
  /** 第3次及以后派单: case.assigned in P to this department that was the case's 3rd or later assignment */
  reassignedBeyondFirst: number;
  /**
   * 多次转派工单: cases "reassigned more than once" (assigned 3 or more times in all, i.e.
   * passed on at least twice: the buck-passing signal), counted in P when one of their 3rd or
   * later assignments is in P; a department counts such a case when it led any of the case's
   * assignments. A case counts once per department and once in `overall`, so department rows
   * do not add up to `overall`.
   */
  bouncedCases: number;
  /**
   * 应签收: assignments whose acknowledgement deadline (ackDueBy) is in P and has been met
   * or has passed by asOf. Left out: not yet due and not acknowledged; returned unacknowledged
   * at or before the deadline (the unit answered in time; misrouting counts under 分得清).
   * ackDue = ackOnTime + ackLate + ackMissing.
   */
  ackDue: number;
  /** 按时签收: of ackDue, acknowledged at or before ackDueBy */
  ackOnTime: number;
  /** 超时签收: of ackDue, acknowledged after ackDueBy (before `to`) */
  ackLate: number;
  /** 逾期未签收: of ackDue, not acknowledged by asOf (incl. returned unacknowledged after the deadline) */
  ackMissing: number;
  /**
   * 应反馈: assignments whose feedback deadline is in P and has been met or has passed by asOf.
   * The deadline is feedbackDueBy as extended by granted extensions (case.extensionDecided
   * granted, recorded before `to`). Left out: not yet due and no feedback; returned without
   * feedback at or before the deadline. feedbackDue = feedbackOnTime + feedbackLate + feedbackMissing.
   */
  feedbackDue: number;
  /** 按时反馈: of feedbackDue, first feedback at or before the (extended) deadline */
  feedbackOnTime: number;
  /** 超时反馈: of feedbackDue, first feedback after the deadline (before `to`) */
  feedbackLate: number;
  /** 逾期未反馈: of feedbackDue, no feedback by asOf */
  feedbackMissing: number;
  /**
   * 当前超时: open cases, as folded from every event up to `now`, assigned (awaiting
   * acknowledgement) or acknowledged (awaiting feedback) to this department, whose current
   * deadline (CaseState.dueAt) is before `now`. Not bound to P: a figure of the present.
   */
  overdueNow: number;
  /** 回访: case.callback in P on cases whose current assignment led to this department */
  callbacks: SatisfactionCounts;
  /**
   * 分得清 (sorted right): 1 − (returned + reassignedBeyondFirst) / assigned, as
   * numerator = max(0, assigned − returned − reassignedBeyondFirst), denominator = assigned.
   */
  sortedRight: Ratio;
  /** 接得住 (received): ackOnTime / ackDue */
  received: Ratio;
  /** 办得好 (handled well), first part: feedbackOnTime / feedbackDue */
  feedbackOnTimeRate: Ratio;
  /**
   * 办得好, second part: satisfaction rate = (satisfied + basicallySatisfied) /
   * (callbacks − unreachable)
   */
  satisfaction: Ratio;
}

export interface ReportBucket {
  /** local start date: 'YYYY-MM-DD' (day, week: its Monday) or 'YYYY-MM' (month) */
  key: string;
  /** 'YYYY-MM-DD', 'YYYY-MM-DD～YYYY-MM-DD' (week, clipped to P), or 'YYYY-MM' */
  label: string;
  /** ISO; the bucket clipped to P */
  start: string;
  end: string;
}

export interface CategoryFigures {
  /** category code; null: cases created without a category */
  category: string | null;
  /** catalogue name, else the code; 未分类 for null */
  name: string;
  /** short name of the owning department, or null */
  departmentName: string | null;
  /** 本期数量: case.created in P with this category */
  volume: number;
  /** 上期数量: case.created in the previous period of the same length [from − (to − from), from) */
  previous: number;
  /** 增减: volume − previous */
  change: number;
  /** 增减幅度: change / previous, null when previous is 0 */
  changeRate: number | null;
  /** volume per bucket, parallel to report.buckets */
  byBucket: number[];
}

export interface BouncedCase {
  caseId: string;
  caseNo: string;
  assignmentCount: number;
  /** every assignment of the case before `to`, in order */
  chain: Array<{ department: string | null; name: string; leadName: string; at: string; returned: boolean }>;
}

export interface StationFigures {
  stationId: string;
  name: string;
  /** 待同步事件: passed through; null when not given */
  pendingEvents: number | null;
  /** 最后同步: passed through; null when never or not given */
  lastSyncAt: string | null;
}

export interface SupervisionReport {
  version: typeof SUPERVISION_REPORT_VERSION;
  generatedAt: string;
  period: ReportPeriod & { previousFrom: string; previousTo: string; asOf: string };
  district: string | null;
  utcOffsetMinutes: number;
  buckets: ReportBucket[];
  totals: {
    /** 受理量: case.created in P */
    received: number;
    /** case.created in the previous period */
    previousReceived: number;
    change: number;
    changeRate: number | null;
    receivedByBucket: number[];
    /** 转办: case.transferred in P */
    transferred: number;
    /** 转办被退回: case.returned in P of a transfer */
    transferReturned: number;
    /** 转办超时未签收: open cases at `now` whose transfer waits for acknowledgement past its deadline */
    overdueTransfers: number;
  };
  /** every department together (bouncedCases: distinct cases) */
  overall: DepartmentFigures;
  /** the three measures of the policy, from `overall` */
  measures: {
    sortedRight: Ratio;
    received: Ratio;
    handledWell: { feedbackOnTime: Ratio; satisfaction: Ratio };
  };
  /** one row per department that appears in any figure: catalogue order, then other codes, then null */
  departments: DepartmentFigures[];
  /** one row per category with volume in P or in the previous period: by volume, then previous, then code */
  categories: CategoryFigures[];
  /** the cases counted as bouncedCases in `overall`, by case number */
  bouncedCases: BouncedCase[];
  stations: StationFigures[];
}

export const UNSPECIFIED_DEPARTMENT_LABEL = '未指定部门';
export const OVERALL_LABEL = '合计';
export const UNCATEGORISED_LABEL = '未分类';

// ---------------------------------------------------------------------------------------
// Buckets
// ---------------------------------------------------------------------------------------

const DAY = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The local calendar date of an instant, 'YYYY-MM-DD'. */
export function localDate(t: number, offsetMinutes: number): string {
  const d = new Date(t + offsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function bucketStart(t: number, g: Granularity, off: number): number {
  const d = new Date(t + off * 60_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  if (g === 'day') return Date.UTC(y, m, day) - off * 60_000;
  if (g === 'week') return Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7)) - off * 60_000;
  return Date.UTC(y, m, 1) - off * 60_000;
}

function nextBucketStart(start: number, g: Granularity, off: number): number {
  if (g === 'day') return start + DAY;
  if (g === 'week') return start + 7 * DAY;
  const d = new Date(start + off * 60_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - off * 60_000;
}

/** The buckets covering [from, to): local days, Monday-to-Sunday weeks, or calendar months, clipped to the period. */
export function periodBuckets(from: number, to: number, g: Granularity, off: number): ReportBucket[] {
  const out: ReportBucket[] = [];
  for (let s = bucketStart(from, g, off); s < to; s = nextBucketStart(s, g, off)) {
    const e = nextBucketStart(s, g, off);
    const start = Math.max(s, from);
    const end = Math.min(e, to);
    const key = g === 'month' ? localDate(s, off).slice(0, 7) : localDate(s, off);
    const label =
      g === 'day' ? key : g === 'month' ? key : `${localDate(start, off)}～${localDate(end - 1, off)}`;
    out.push({ key, label, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }
  return out;
}

function bucketIndex(bounds: number[], t: number): number {
  // bounds: bucket starts; the last bucket ends at `to` (t is known to be in P)
  let lo = 0;
  let hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------

interface Assignment {
  department: string | null;
  leadName: string;
  at: string;
  ordinal: number;
  ackDueBy: string;
  feedbackDueBy: string;
  ackAt: string | null;
  feedbackAt: string | null;
  returnedAt: string | null;
  /** county mode: 110's direct notice to a linked unit, which the unit handles as an assignment */
  county?: boolean;
}

interface Row {
  figures: DepartmentFigures;
  bounced: Set<string>;
}

function emptySatisfaction(): SatisfactionCounts {
  return { satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, unreachable: 0, total: 0 };
}

function emptyFigures(department: string | null, name: string): DepartmentFigures {
  return {
    department,
    name,
    assigned: 0,
    returned: 0,
    returnReasons: [],
    reassignedBeyondFirst: 0,
    bouncedCases: 0,
    ackDue: 0,
    ackOnTime: 0,
    ackLate: 0,
    ackMissing: 0,
    feedbackDue: 0,
    feedbackOnTime: 0,
    feedbackLate: 0,
    feedbackMissing: 0,
    overdueNow: 0,
    callbacks: emptySatisfaction(),
    sortedRight: ratio(0, 0),
    received: ratio(0, 0),
    feedbackOnTimeRate: ratio(0, 0),
    satisfaction: ratio(0, 0),
  };
}

function finish(row: Row): DepartmentFigures {
  const f = row.figures;
  const c = f.callbacks;
  f.bouncedCases = row.bounced.size;
  f.returnReasons.sort((a, b) => epochMs(a.at) - epochMs(b.at) || (a.caseNo < b.caseNo ? -1 : a.caseNo > b.caseNo ? 1 : 0));
  f.sortedRight = ratio(Math.max(0, f.assigned - f.returned - f.reassignedBeyondFirst), f.assigned);
  f.received = ratio(f.ackOnTime, f.ackDue);
  f.feedbackOnTimeRate = ratio(f.feedbackOnTime, f.feedbackDue);
  f.satisfaction = ratio(c.satisfied + c.basicallySatisfied, c.total - c.unreachable);
  return f;
}

/**
 * Build the supervision report. Every figure is defined on its field (DepartmentFigures,
 * CategoryFigures, SupervisionReport) and in this module's header.
 * Throws RangeError when the period is empty or its times are not ISO instants.
 */
/**
 * How one deadline of an assignment counts in the period [from, to), judged at asOf: null when
 * the deadline is not in the period, or the item was returned (by the deadline) without it
 * being met; else met on time, met late, or missing (passed by asOf, not met).
 */
function deadlineOutcome(due: number, metAt: string | null, returnedAt: string | null, from: number, to: number, asOf: number): 'onTime' | 'late' | 'missing' | null {
  if (due < from || due >= to) return null;
  if (metAt !== null) return epochMs(metAt) <= due ? 'onTime' : 'late';
  if (returnedAt !== null && epochMs(returnedAt) <= due) return null;
  return due < asOf ? 'missing' : null;
}

export function buildSupervisionReport(input: SupervisionInput): SupervisionReport {
  const { catalogue, period } = input;
  const off = input.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const from = epochMs(period.from);
  const to = epochMs(period.to);
  const now = epochMs(input.now);
  if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(now)) {
    throw new RangeError('报表期间或当前时间格式不正确');
  }
  if (!(from < to)) throw new RangeError('报表期间不正确：开始时间须早于结束时间');
  const asOf = Math.min(to, now);
  const prevFrom = from - (to - from);
  const inP = (at: string) => {
    const t = epochMs(at);
    return t >= from && t < to;
  };
  const inPrev = (at: string) => {
    const t = epochMs(at);
    return t >= prevFrom && t < from;
  };
  const district = input.district === null ? null : input.district.trim();
  const inDistrict = (d: string) => district === null || d.trim() === district;

  const buckets = periodBuckets(from, to, period.granularity, off);
  const bounds = buckets.map((b) => epochMs(b.start));

  const rows = new Map<string | null, Row>();
  const row = (department: string | null): Row => {
    let r = rows.get(department);
    if (!r) {
      const name =
        department === null ? UNSPECIFIED_DEPARTMENT_LABEL : (findDepartment(catalogue, department)?.short ?? department);
      r = { figures: emptyFigures(department, name), bounced: new Set() };
      rows.set(department, r);
    }
    return r;
  };
  const overall: Row = { figures: emptyFigures(null, OVERALL_LABEL), bounced: new Set() };
  const both = (department: string | null, f: (d: DepartmentFigures) => void) => {
    f(row(department).figures);
    f(overall.figures);
  };

  const categories = new Map<string | null, CategoryFigures>();
  const category = (code: string | null): CategoryFigures => {
    let c = categories.get(code);
    if (!c) {
      c = {
        category: code,
        name: code === null ? UNCATEGORISED_LABEL : (findCategory(catalogue, code)?.name ?? code),
        departmentName: code === null ? null : (departmentOf(catalogue, code)?.short ?? null),
        volume: 0,
        previous: 0,
        change: 0,
        changeRate: null,
        byBucket: buckets.map(() => 0),
      };
      categories.set(code, c);
    }
    return c;
  };

  const totals: SupervisionReport['totals'] = {
    received: 0,
    previousReceived: 0,
    change: 0,
    changeRate: null,
    receivedByBucket: buckets.map(() => 0),
    transferred: 0,
    transferReturned: 0,
    overdueTransfers: 0,
  };
  const bouncedCases: BouncedCase[] = [];

  // ---- the period, from events recorded before `to` --------------------------------------
  for (const replay of replayCases(input.events, (e) => epochMs(e.at) < to)) {
    if (!replay.created || !inDistrict(replay.created.payload.location.district)) continue;
    const caseNo = replay.created.payload.caseNo;
    const assignments: Assignment[] = [];
    let current: Assignment | null = null;

    for (const { event: e, before, after, applied } of replay.steps) {
      if (!applied || !after) continue;
      switch (e.type) {
        case 'case.created': {
          if (inP(e.at)) {
            const c = category(e.payload.category);
            const i = bucketIndex(bounds, epochMs(e.at));
            c.volume++;
            c.byBucket[i]!++;
            totals.received++;
            totals.receivedByBucket[i]!++;
          } else if (inPrev(e.at)) {
            category(e.payload.category).previous++;
            totals.previousReceived++;
          }
          break;
        }
        case 'case.transferred': {
          if (inP(e.at)) totals.transferred++;
          // county mode: a notice straight to a linked unit is that department's assignment
          // (acknowledged, reported, returned like one), measured with the others
          const to = e.payload.to;
          if (to.kind === 'unit' && to.department) {
            const a: Assignment = {
              department: to.department,
              leadName: to.name,
              at: e.at,
              ordinal: assignments.length + 1,
              ackDueBy: e.payload.ackDueBy,
              feedbackDueBy: e.payload.feedbackDueBy ?? e.payload.ackDueBy,
              ackAt: null,
              feedbackAt: null,
              returnedAt: null,
              county: true,
            };
            assignments.push(a);
            current = a;
            if (inP(e.at)) {
              both(a.department, (d) => {
                d.assigned++;
                if (a.ordinal >= 3) d.reassignedBeyondFirst++;
              });
            }
          }
          break;
        }
        case 'case.assigned': {
          const a: Assignment = {
            department: e.payload.lead.department,
            leadName: e.payload.lead.name,
            at: e.at,
            ordinal: after.assignmentCount,
            ackDueBy: e.payload.ackDueBy,
            feedbackDueBy: e.payload.feedbackDueBy,
            ackAt: null,
            feedbackAt: null,
            returnedAt: null,
          };
          assignments.push(a);
          current = a;
          if (inP(e.at)) {
            both(a.department, (d) => {
              d.assigned++;
              if (a.ordinal >= 3) d.reassignedBeyondFirst++;
            });
          }
          break;
        }
        case 'case.acknowledged':
          if ((e.payload.of === 'assignment' || current?.county) && current && current.ackAt === null) current.ackAt = e.at;
          break;
        case 'case.returned': {
          if (before?.status === 'transferred' && !(current?.county && current.returnedAt === null)) {
            if (inP(e.at)) totals.transferReturned++;
            break;
          }
          const department = current ? current.department : (before?.department ?? null);
          if (current) current.returnedAt = e.at;
          current = null;
          if (inP(e.at)) {
            const record: ReturnRecord = {
              caseId: e.caseId,
              caseNo,
              at: e.at,
              stationId: e.payload.station.stationId,
              stationName: e.payload.station.name,
              reason: e.payload.reason,
            };
            both(department, (d) => {
              d.returned++;
              d.returnReasons.push(record);
            });
          }
          break;
        }
        case 'case.feedback':
          if (current && current.feedbackAt === null) current.feedbackAt = e.at;
          break;
        case 'case.extensionDecided':
          if (current && after.assignment) current.feedbackDueBy = after.assignment.feedbackDueBy;
          break;
        case 'case.callback':
          if (inP(e.at)) {
            const s = e.payload.satisfaction;
            both(before?.department ?? null, (d) => {
              d.callbacks[s]++;
              d.callbacks.total++;
            });
          }
          break;
        default:
          break;
      }
    }

    for (const a of assignments) {
      // acknowledgement by its deadline's period; feedback by its (extended) deadline's period
      const deadlines = [
        ['ack', deadlineOutcome(epochMs(a.ackDueBy), a.ackAt, a.returnedAt, from, to, asOf)],
        ['feedback', deadlineOutcome(epochMs(a.feedbackDueBy), a.feedbackAt, a.returnedAt, from, to, asOf)],
      ] as const;
      for (const [kind, outcome] of deadlines) {
        if (!outcome) continue;
        both(a.department, (d) => {
          d[`${kind}Due`]++;
          d[`${kind}${outcome === 'onTime' ? 'OnTime' : outcome === 'late' ? 'Late' : 'Missing'}`]++;
        });
      }
    }

    // passed on at least twice, with a 3rd-or-later assignment in P
    if (assignments.some((a) => a.ordinal >= 3 && inP(a.at))) {
      overall.bounced.add(replay.caseId);
      for (const a of assignments) row(a.department).bounced.add(replay.caseId);
      bouncedCases.push({
        caseId: replay.caseId,
        caseNo,
        assignmentCount: assignments.length,
        chain: assignments.map((a) => ({
          department: a.department,
          name: a.department === null ? UNSPECIFIED_DEPARTMENT_LABEL : (findDepartment(catalogue, a.department)?.short ?? a.department),
          leadName: a.leadName,
          at: a.at,
          returned: a.returnedAt !== null,
        })),
      });
    }
  }

  // ---- the present: every event, folded, deadlines judged at `now` ------------------------
  for (const replay of replayCases(input.events)) {
    const state = replay.final;
    if (!replay.created || !state || !inDistrict(replay.created.payload.location.district)) continue;
    if (state.status === 'closed' || state.dueAt === null || !(epochMs(state.dueAt) < now)) continue;
    if (state.status === 'assigned' || state.status === 'acknowledged') {
      both(state.department, (d) => d.overdueNow++);
    } else if (state.status === 'transferred') {
      totals.overdueTransfers++;
    }
  }

  totals.change = totals.received - totals.previousReceived;
  totals.changeRate = totals.previousReceived > 0 ? totals.change / totals.previousReceived : null;

  const categoryRows = [...categories.values()].map((c) => ({
    ...c,
    change: c.volume - c.previous,
    changeRate: c.previous > 0 ? (c.volume - c.previous) / c.previous : null,
  }));
  categoryRows.sort(
    (a, b) =>
      b.volume - a.volume ||
      b.previous - a.previous ||
      ((a.category ?? '\uffff') < (b.category ?? '\uffff') ? -1 : (a.category ?? '\uffff') > (b.category ?? '\uffff') ? 1 : 0),
  );

  const catalogueOrder = new Map(catalogue.departments.map((d, i) => [d.code, i]));
  const departments = [...rows.values()].map(finish);
  departments.sort((a, b) => {
    if (a.department === null || b.department === null) return a.department === null ? (b.department === null ? 0 : 1) : -1;
    const ia = catalogueOrder.get(a.department) ?? Number.MAX_SAFE_INTEGER;
    const ib = catalogueOrder.get(b.department) ?? Number.MAX_SAFE_INTEGER;
    return ia - ib || (a.department < b.department ? -1 : a.department > b.department ? 1 : 0);
  });
  const all = finish(overall);
  bouncedCases.sort((a, b) => (a.caseNo < b.caseNo ? -1 : a.caseNo > b.caseNo ? 1 : 0));

  return {
    version: SUPERVISION_REPORT_VERSION,
    generatedAt: input.now,
    period: {
      from: period.from,
      to: period.to,
      granularity: period.granularity,
      previousFrom: new Date(prevFrom).toISOString(),
      previousTo: new Date(from).toISOString(),
      asOf: new Date(asOf).toISOString(),
    },
    district,
    utcOffsetMinutes: off,
    buckets,
    totals,
    overall: all,
    measures: {
      sortedRight: all.sortedRight,
      received: all.received,
      handledWell: { feedbackOnTime: all.feedbackOnTimeRate, satisfaction: all.satisfaction },
    },
    departments,
    categories: categoryRows,
    bouncedCases,
    stations: (input.stations ?? []).map((s) => ({
      stationId: s.stationId,
      name: s.name,
      pendingEvents: s.pendingEvents ?? null,
      lastSyncAt: s.lastSyncAt ?? null,
    })),
  };
}
