/**
 * Time limits (时限) for hand-overs, feedback, extensions, returns and callbacks.
 *
 * The limits are data: resources/time-limits.json (validated by TimeLimitRulesSchema), keyed
 * by urgency, with per-nature overrides (e.g. a consultation's feedback). A limit is either
 * wall-clock (`minutes`, `hours`: night and holidays count the same) or in `workingDays` on
 * the working-day calendar (calendar.ts): the day of the hand-over is not counted and the
 * period ends at 23:59:59.999 China time of its last working day.
 *
 * Part 1's wall-clock transfer limits (TRANSFER_ACK_LIMIT_MS, transferAckDueBy) stay as they
 * were; the shipped rules agree with them (tested).
 */
import { z } from 'zod';
import timeLimitsJson from '../../resources/time-limits.json';
import { formatChinaDateTime, type WorkCalendar } from './calendar';
import type { CaseState } from './case-state';
import type { RelayEvent } from './events';
import { NATURES, type Nature, type Urgency } from './vocabulary';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long the receiving side has to acknowledge a transfer (签收). */
export const TRANSFER_ACK_LIMIT_MS: Record<Urgency, number> = {
  urgent: 5 * MINUTE,
  normal: 30 * MINUTE,
};

export function transferAckDueBy(at: string, urgency: Urgency): string {
  return new Date(Date.parse(at) + TRANSFER_ACK_LIMIT_MS[urgency]).toISOString();
}

// ---------------------------------------------------------------------------------------
// Deadline state
// ---------------------------------------------------------------------------------------

export type DeadlineState = 'none' | 'onTime' | 'dueSoon' | 'overdue';
export const DEADLINE_LABELS: Record<DeadlineState, string> = {
  none: '—',
  onTime: '正常',
  dueSoon: '即将到期',
  overdue: '已超时',
};

/** "Due soon" when the deadline is this close, if nothing else is known: 2 hours. */
export const DUE_SOON_MAX_MS = 2 * HOUR;
/** "Due soon" in the last fifth of the window. */
export const DUE_SOON_FRACTION = 0.2;

/** The window a deadline closes: from when the clock started (the hand-over). */
export interface DueSoonWindow {
  startedAt: string | number;
  /** default DUE_SOON_FRACTION (0.2) */
  fraction?: number;
  /** default DUE_SOON_MAX_MS (2 h) */
  maxMs?: number;
}

/** How close to the deadline "due soon" begins: the last 20 % of the window or 2 h, whichever is smaller. */
export function dueSoonMs(dueAt: string | number, window: DueSoonWindow): number {
  const due = typeof dueAt === 'number' ? dueAt : Date.parse(dueAt);
  const start = typeof window.startedAt === 'number' ? window.startedAt : Date.parse(window.startedAt);
  const length = Math.max(0, due - start);
  return Math.min(length * (window.fraction ?? DUE_SOON_FRACTION), window.maxMs ?? DUE_SOON_MAX_MS);
}

/**
 * On time, due soon, or overdue (strictly after the deadline). The third argument says when
 * "due soon" begins: a fixed number of ms before the deadline (2 h if omitted, as in part 1),
 * or the window the deadline closes, for the last 20 % of it or 2 h, whichever is smaller
 * (a 5-minute transfer is due soon in its last minute; 5 working days in the last 2 hours).
 */
export function deadlineState(dueAt: string | null, now: number, soon: number | DueSoonWindow = DUE_SOON_MAX_MS): DeadlineState {
  if (!dueAt) return 'none';
  const due = Date.parse(dueAt);
  if (now > due) return 'overdue';
  const soonMs = typeof soon === 'number' ? soon : dueSoonMs(due, soon);
  if (due - now <= soonMs) return 'dueSoon';
  return 'onTime';
}

export type CaseDeadlineKind = 'transferAck' | 'assignmentAck' | 'feedback' | 'callback' | 'other';
export const CASE_DEADLINE_LABELS: Record<CaseDeadlineKind, string> = {
  transferAck: '转办签收',
  assignmentAck: '派单签收',
  feedback: '办理反馈',
  callback: '回访',
  other: '办理',
};

export interface CaseDeadline {
  kind: CaseDeadlineKind;
  dueAt: string;
  /** when the clock started (the hand-over), or null when not known */
  startedAt: string | null;
}

/** The deadline that matters now (the case's dueAt), what it is for, and when its window began. */
export function caseDeadline(state: CaseState): CaseDeadline | null {
  if (!state.dueAt) return null;
  const dueAt = state.dueAt;
  if (state.status === 'transferred' && state.transfer) return { kind: 'transferAck', dueAt, startedAt: state.transfer.at };
  if (state.status === 'assigned' && state.assignment) return { kind: 'assignmentAck', dueAt, startedAt: state.assignment.at };
  if (state.status === 'acknowledged' && state.assignment) return { kind: 'feedback', dueAt, startedAt: state.assignment.at };
  if (state.status === 'feedback' && state.feedback) return { kind: 'callback', dueAt, startedAt: state.feedback.at };
  return { kind: 'other', dueAt, startedAt: null };
}

/** deadlineState of the case's current deadline, "due soon" relative to its window. */
export function caseDeadlineState(state: CaseState, now: number): DeadlineState {
  const d = caseDeadline(state);
  if (!d) return 'none';
  return deadlineState(d.dueAt, now, d.startedAt ? { startedAt: d.startedAt } : DUE_SOON_MAX_MS);
}

// ---------------------------------------------------------------------------------------
// Rules as data
// ---------------------------------------------------------------------------------------

const positive = (label: string) => z.number({ error: `${label}必须是数字` }).int(`${label}必须是整数`).positive(`${label}必须大于 0`);

/** One limit: wall-clock minutes or hours, or working days. Exactly one key. */
export const LimitSchema = z.union(
  [
    z.strictObject({ minutes: positive('分钟数') }),
    z.strictObject({ hours: positive('小时数') }),
    z.strictObject({ workingDays: positive('工作日数') }),
  ],
  { error: '时限必须写成 {"minutes": n}、{"hours": n} 或 {"workingDays": n} 之一' },
);
export type Limit = z.infer<typeof LimitSchema>;

const LimitTableSchema = z.strictObject({
  urgent: LimitSchema,
  normal: LimitSchema,
  /** overrides by nature (咨询、求助、投诉、建议、举报), per urgency */
  byNature: z.partialRecord(z.enum(NATURES), z.strictObject({ urgent: LimitSchema.optional(), normal: LimitSchema.optional() })).optional(),
});
export type LimitTable = z.infer<typeof LimitTableSchema>;

export const TIME_LIMIT_RULES_SCHEMA_VERSION = 1 as const;

export const TimeLimitRulesSchema = z.strictObject({
  schema: z.literal(TIME_LIMIT_RULES_SCHEMA_VERSION),
  version: z.string().trim().min(1),
  /** where the limits come from */
  sources: z.array(z.string().trim().min(1)).min(1, '请注明时限的依据'),
  /** the choices made, in plain words */
  notes: z.array(z.string().trim().min(1)).default([]),
  /** 110 → 12345 (or county unit): acknowledge the transfer */
  transferAck: LimitTableSchema,
  /** 12345 → department: acknowledge the assignment */
  assignmentAck: LimitTableSchema,
  /** department reports what it did, counted from the assignment */
  feedback: LimitTableSchema,
  /** the latest an extension may push the feedback deadline, counted from the assignment */
  extensionMax: LimitTableSchema,
  /** extensions allowed per assignment */
  maxExtensions: z.number().int().min(0),
  /** a misrouted assignment is returned within this, counted from the assignment */
  returnWindow: LimitTableSchema,
  /** 12345 calls the caller back, counted from the feedback */
  callback: LimitTableSchema,
  dueSoon: z.strictObject({
    fraction: z.number().gt(0).lt(1),
    maxMinutes: z.number().int().positive(),
  }),
});
export type TimeLimitRules = z.infer<typeof TimeLimitRulesSchema>;

/** Validate rules data; throws an Error naming every wrong field. */
export function parseTimeLimitRules(json: unknown): TimeLimitRules {
  const result = TimeLimitRulesSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(根)'}：${i.message}`);
  throw new Error(`时限规则不正确：${lines.join('；')}`);
}

let defaultRules: TimeLimitRules | undefined;

/** The shipped rules (resources/time-limits.json), parsed once. */
export function defaultTimeLimitRules(): TimeLimitRules {
  defaultRules ??= parseTimeLimitRules(timeLimitsJson);
  return defaultRules;
}

/** The limit a table sets for this urgency and nature (a nature override wins). */
export function limitFor(table: LimitTable, urgency: Urgency, nature?: Nature | null): Limit {
  return (nature ? table.byNature?.[nature]?.[urgency] : undefined) ?? table[urgency];
}

/** The moment a limit ends when it starts at `at`. */
export function applyLimit(calendar: WorkCalendar, at: string | number, limit: Limit): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if ('minutes' in limit) return new Date(ms + limit.minutes * MINUTE).toISOString();
  if ('hours' in limit) return new Date(ms + limit.hours * HOUR).toISOString();
  return calendar.addWorkingDays(ms, limit.workingDays);
}

/** '5 分钟' / '24 小时' / '5 个工作日' */
export function describeLimit(limit: Limit): string {
  if ('minutes' in limit) return `${limit.minutes} 分钟`;
  if ('hours' in limit) return `${limit.hours} 小时`;
  return `${limit.workingDays} 个工作日`;
}

export interface DeadlineRequest {
  kind: 'transfer' | 'assignment';
  /** when the hand-over is recorded */
  at: string;
  urgency: Urgency;
  nature?: Nature | null;
}

export interface Deadlines {
  ackDueBy: string;
  /** assignments only */
  feedbackDueBy?: string;
  /** assignments only: the latest a misrouted item should be returned */
  returnBy?: string;
}

/**
 * The deadlines a hand-over carries. A transfer: acknowledgement only. An assignment:
 * acknowledgement, feedback and the return window, all counted from the assignment.
 */
export function computeDeadlines(rules: TimeLimitRules, calendar: WorkCalendar, req: DeadlineRequest): Deadlines {
  const { at, urgency, nature } = req;
  if (req.kind === 'transfer') {
    return { ackDueBy: applyLimit(calendar, at, limitFor(rules.transferAck, urgency, nature)) };
  }
  const ackDueBy = applyLimit(calendar, at, limitFor(rules.assignmentAck, urgency, nature));
  const feedbackDueBy = applyLimit(calendar, at, limitFor(rules.feedback, urgency, nature));
  const returnBy = applyLimit(calendar, at, limitFor(rules.returnWindow, urgency, nature));
  // acknowledging can never be due after the feedback itself
  return { ackDueBy: ackDueBy <= feedbackDueBy ? ackDueBy : feedbackDueBy, feedbackDueBy, returnBy };
}

export interface ExtensionLimit {
  /** the latest the feedback deadline may be extended to, or null when no extension is left */
  maxUntil: string | null;
  /** extensions still allowed */
  remaining: number;
  /** why none is allowed, in Chinese, or null */
  reason: string | null;
  /** e.g. '10 个工作日' */
  limitText: string;
}

/**
 * How far the feedback deadline of an assignment may be extended: at most
 * `maxExtensions` times (1), to at most `extensionMax` after the assignment
 * (normal: 10 working days; urgent: 5 working days).
 */
export function extensionLimit(
  rules: TimeLimitRules,
  calendar: WorkCalendar,
  req: { assignedAt: string; urgency: Urgency; nature?: Nature | null; extensionsGranted?: number },
): ExtensionLimit {
  const limit = limitFor(rules.extensionMax, req.urgency, req.nature);
  const remaining = Math.max(0, rules.maxExtensions - (req.extensionsGranted ?? 0));
  const limitText = describeLimit(limit);
  if (remaining === 0) {
    return { maxUntil: null, remaining, limitText, reason: rules.maxExtensions === 0 ? '不允许延期' : `已延期 ${rules.maxExtensions} 次，不能再延期` };
  }
  return { maxUntil: applyLimit(calendar, req.assignedAt, limit), remaining, limitText, reason: null };
}

/**
 * Calendar days a hub lets an extension run past the cap as its own calendar counts it. The
 * desk that asks counts the cap on its calendar, which may hold a schedule the hub has not
 * loaded (a year an administrator added at the desk, a revised one): the hub cannot tell which
 * of two schedules is right, only that no schedule moves ten working days by two weeks. So it
 * refuses what no calendar allows (an extension by a month, a second one), never what the
 * desk's calendar may allow.
 */
export const EXTENSION_CAP_SLACK_DAYS = 14;

export interface ExtensionCheck {
  /** calendar days allowed past the cap (0, the default: the calendar is the one the desk asks by) */
  capSlackDays?: number;
}

/**
 * Why an extension to `until` may not be requested or granted on this case, or null.
 * The case keeps only its latest extension, so an earlier granted one is counted when the
 * latest is granted; the cap from the assignment holds whatever the count.
 */
export function extensionRefusal(rules: TimeLimitRules, calendar: WorkCalendar, state: CaseState, until: string, check: ExtensionCheck = {}): string | null {
  const a = state.assignment;
  if (!a) return '工单尚未派单，不能延期';
  const untilMs = Date.parse(until);
  if (!Number.isFinite(untilMs)) return '延期时间格式不正确';
  const limit = extensionLimit(rules, calendar, {
    assignedAt: a.at,
    urgency: state.urgency,
    nature: state.nature,
    extensionsGranted: state.extension?.granted === true ? 1 : 0,
  });
  if (!limit.maxUntil) return limit.reason;
  if (untilMs <= Date.parse(a.feedbackDueBy)) {
    return `延期后的时限必须晚于当前反馈时限（${formatChinaDateTime(a.feedbackDueBy)}）`;
  }
  const slackDays = check.capSlackDays ?? 0;
  if (untilMs > Date.parse(limit.maxUntil) + slackDays * 86_400_000) {
    if (slackDays === 0) return `延期后的时限不能晚于 ${formatChinaDateTime(limit.maxUntil)}（自派单起不超过 ${limit.limitText}）`;
    return `延期后的时限 ${formatChinaDateTime(until)} 远超上限：自派单起不超过 ${limit.limitText}（按工作日历应不晚于 ${formatChinaDateTime(limit.maxUntil)}）`;
  }
  return null;
}

/**
 * The extension rules (extensionRefusal) for an event recorded on a case: a request, or a
 * decision that grants one with a date. Null for any other event, and where the rules hold.
 */
export function extensionEventRefusal(
  rules: TimeLimitRules,
  calendar: WorkCalendar,
  state: CaseState | undefined,
  event: Pick<RelayEvent, 'type' | 'payload'>,
  check: ExtensionCheck = {},
): string | null {
  if (!state) return null;
  const e = event as RelayEvent;
  if (e.type === 'case.extensionRequested') return extensionRefusal(rules, calendar, state, e.payload.until, check);
  if (e.type === 'case.extensionDecided' && e.payload.granted && e.payload.until !== null) {
    return extensionRefusal(rules, calendar, state, e.payload.until, check);
  }
  return null;
}

/** When 12345 should have called the caller back (回访), counted from the feedback. */
export function callbackDueBy(
  rules: TimeLimitRules,
  calendar: WorkCalendar,
  req: { feedbackAt: string; urgency: Urgency; nature?: Nature | null },
): string {
  return applyLimit(calendar, req.feedbackAt, limitFor(rules.callback, req.urgency, req.nature));
}

/** The return window of the case's current assignment, or null when not assigned. */
export function caseReturnBy(rules: TimeLimitRules, calendar: WorkCalendar, state: CaseState): string | null {
  if (!state.assignment) return null;
  return applyLimit(calendar, state.assignment.at, limitFor(rules.returnWindow, state.urgency, state.nature));
}

/** The due-soon window the rules set, for deadlineState's third argument. */
export function dueSoonWindow(rules: TimeLimitRules, startedAt: string | number): DueSoonWindow {
  return { startedAt, fraction: rules.dueSoon.fraction, maxMs: rules.dueSoon.maxMinutes * MINUTE };
}
