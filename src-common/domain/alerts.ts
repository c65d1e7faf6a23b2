/**
 * Alert rules (提醒): which cases alert at which station, and how often they repeat.
 * `alertsFor` is a snapshot: the desk calls it for its cases every few seconds and sounds
 * what `alertsToSound` says. An alert ends when its condition ends (the case is acknowledged,
 * reported on, closed …), never by the clock of day: night and holidays silence nothing.
 *
 * Kinds:
 * - `urgentArrival`: an urgent case awaits THIS station's acknowledgement (签收; the target
 *   matched as in handover-target.ts: its stationId, else hotline / department). Loud
 *   (`urgent: true`) and repeating every 2 minutes when its category is an urgent utility or
 *   medical one (category.alert: water, gas, power, heating, medical); other urgent cases
 *   notify once (`urgent: false`). A normal case does not alert on arrival.
 * - `deadlineSoon`: the case's current deadline is due soon (last 20 % of its window or 2 h,
 *   whichever is smaller) and this station owns the case or must acknowledge it. Once.
 * - `overdue`: that deadline has passed. Repeats every 10 minutes for the owner and the
 *   target; the assigner of an acknowledged assignment and supervisors get it once.
 * - `unacknowledgedTransfer`: a transfer this station sent (110) is past its ackDueBy and still
 *   not acknowledged: follow it up (by telephone, three-way call). Repeats every 5 minutes;
 *   replaces `overdue` for the sender.
 *
 * Ids are stable for one condition and change when a new one begins:
 * `${caseId}:urgent-arrival:${hand-over time}`, `${caseId}:deadline-soon:${dueAt}`,
 * `${caseId}:overdue:${dueAt}`, `${caseId}:unacknowledged-transfer:${ackDueBy}`.
 */
import { findCategory, type Catalogue } from './catalogue';
import type { CaseState } from './case-state';
import { formatChinaDateTime } from './calendar';
import type { HandoverTarget } from './events';
import { targetMatchesStation } from './handover-target';
import type { Station } from './station';
import { CASE_DEADLINE_LABELS, caseDeadline, deadlineState, DUE_SOON_MAX_MS } from './time-limits';

const MINUTE = 60_000;

export type AlertKind = 'urgentArrival' | 'deadlineSoon' | 'overdue' | 'unacknowledgedTransfer';

export interface Alert {
  /** stable while the condition lasts, e.g. `${caseId}:urgent-arrival:2026-03-02T08:00:00.000Z` */
  id: string;
  kind: AlertKind;
  caseId: string;
  caseNo: string;
  /** short, Chinese, for the notification title */
  title: string;
  /** Chinese, for the notification body */
  body: string;
  /** loud: sound and a system notification that stays until dealt with */
  urgent: boolean;
  /** sound again this often while the alert lasts, or null for once */
  repeatEveryMs: number | null;
  /** the deadline the alert is about, when there is one */
  dueAt: string | null;
}

export interface AlertRules {
  urgentArrivalRepeatMs: number;
  overdueRepeatMs: number;
  unacknowledgedTransferRepeatMs: number;
}

export const DEFAULT_ALERT_RULES: AlertRules = {
  urgentArrivalRepeatMs: 2 * MINUTE,
  overdueRepeatMs: 10 * MINUTE,
  unacknowledgedTransferRepeatMs: 5 * MINUTE,
};

/** The station as the alert rules see it. `department` is the catalogue code of a unit desk. */
export type AlertStation = Pick<Station, 'stationId' | 'role' | 'district'> & { department?: string | null };

const ALERT_LABELS: Record<string, string> = {
  water: '供水',
  gas: '供气',
  power: '供电',
  heating: '供暖',
  medical: '医疗急救',
};

function handoverAt(state: CaseState): string | null {
  if (state.status === 'transferred') return state.transfer?.at ?? null;
  if (state.status === 'assigned') return state.assignment?.at ?? null;
  return null;
}

function where(state: CaseState): string {
  return `${state.location.district} ${state.location.address}`;
}

/** The alerts one case raises at one station now. */
export function alertsFor(
  state: CaseState,
  station: AlertStation,
  now: number,
  catalogue: Catalogue,
  rules: AlertRules = DEFAULT_ALERT_RULES,
): Alert[] {
  if (state.status === 'closed' || state.status === 'police') return [];
  const out: Alert[] = [];
  const category = state.category ? findCategory(catalogue, state.category) : undefined;
  const categoryName = category?.name ?? '未分类';
  const awaiting: HandoverTarget | null = state.status === 'transferred' || state.status === 'assigned' ? state.awaiting : null;
  const isTarget = targetMatchesStation(awaiting, station);
  const isOwner = state.owner.stationId === station.stationId;
  const deadline = caseDeadline(state);
  const what = deadline ? CASE_DEADLINE_LABELS[deadline.kind] : '';

  // urgent arrival
  const at = handoverAt(state);
  if (isTarget && at && state.urgency === 'urgent') {
    const loud = category?.alert != null;
    const label = loud ? ALERT_LABELS[category!.alert!] : '';
    out.push({
      id: `${state.id}:urgent-arrival:${at}`,
      kind: 'urgentArrival',
      caseId: state.id,
      caseNo: state.caseNo,
      title: `紧急${label}工单待签收`,
      body: `${categoryName}｜${where(state)}｜${state.description.slice(0, 60)}${state.dueAt ? `｜请于 ${formatChinaDateTime(state.dueAt)} 前签收` : ''}`,
      urgent: loud,
      repeatEveryMs: loud ? rules.urgentArrivalRepeatMs : null,
      dueAt: state.dueAt,
    });
  }

  if (!deadline) return out;
  const dState = deadlineState(deadline.dueAt, now, deadline.startedAt ? { startedAt: deadline.startedAt } : DUE_SOON_MAX_MS);
  const sentTransfer =
    state.status === 'transferred' && isOwner && state.transfer !== null && state.transfer.acknowledgedAt === null && !isTarget;
  const assigner = state.status === 'acknowledged' && state.assignment?.by.stationId === station.stationId;
  const supervisor = station.role === 'supervisor';
  const urgentCase = state.urgency === 'urgent';

  if (dState === 'dueSoon' && (isOwner || isTarget)) {
    out.push({
      id: `${state.id}:deadline-soon:${deadline.dueAt}`,
      kind: 'deadlineSoon',
      caseId: state.id,
      caseNo: state.caseNo,
      title: `${what}即将到期`,
      body: `${state.caseNo}｜${categoryName}｜${where(state)}｜${what}时限 ${formatChinaDateTime(deadline.dueAt)}`,
      urgent: urgentCase,
      repeatEveryMs: null,
      dueAt: deadline.dueAt,
    });
  }

  if (dState === 'overdue') {
    if (sentTransfer) {
      out.push({
        id: `${state.id}:unacknowledged-transfer:${deadline.dueAt}`,
        kind: 'unacknowledgedTransfer',
        caseId: state.id,
        caseNo: state.caseNo,
        title: '转办超时未签收',
        body: `${state.caseNo}｜已转“${state.transfer!.to.name}”，签收时限 ${formatChinaDateTime(deadline.dueAt)} 已过，请电话跟进（可三方通话）`,
        urgent: urgentCase,
        repeatEveryMs: rules.unacknowledgedTransferRepeatMs,
        dueAt: deadline.dueAt,
      });
    } else if (isOwner || isTarget || assigner || supervisor) {
      out.push({
        id: `${state.id}:overdue:${deadline.dueAt}`,
        kind: 'overdue',
        caseId: state.id,
        caseNo: state.caseNo,
        title: `${what}已超时`,
        body: `${state.caseNo}｜${categoryName}｜${where(state)}｜${what}时限 ${formatChinaDateTime(deadline.dueAt)} 已过`,
        urgent: urgentCase,
        repeatEveryMs: isOwner || isTarget ? rules.overdueRepeatMs : null,
        dueAt: deadline.dueAt,
      });
    }
  }
  return out;
}

/** alertsFor over many cases: urgent first, then by deadline. */
export function alertsForCases(
  states: Iterable<CaseState>,
  station: AlertStation,
  now: number,
  catalogue: Catalogue,
  rules: AlertRules = DEFAULT_ALERT_RULES,
): Alert[] {
  const out: Alert[] = [];
  for (const s of states) out.push(...alertsFor(s, station, now, catalogue, rules));
  return out.sort(
    (a, b) => Number(b.urgent) - Number(a.urgent) || (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || a.id.localeCompare(b.id),
  );
}

/**
 * Which alerts to sound now: those never sounded, and repeating ones whose interval has
 * passed since they last sounded. `lastSounded` maps alert id to when it last sounded (ms);
 * the caller records `now` for each alert it sounds, and may forget ids no longer alerting.
 */
export function alertsToSound(alerts: readonly Alert[], lastSounded: ReadonlyMap<string, number>, now: number): Alert[] {
  return alerts.filter((a) => {
    const last = lastSounded.get(a.id);
    if (last === undefined) return true;
    return a.repeatEveryMs !== null && now - last >= a.repeatEveryMs;
  });
}
