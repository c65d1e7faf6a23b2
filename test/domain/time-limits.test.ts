import { describe, expect, it } from 'vitest';
import shippedRules from '../../resources/time-limits.json';
import {
  callbackDueBy,
  caseDeadline,
  caseDeadlineState,
  caseReturnBy,
  computeDeadlines,
  DEADLINE_LABELS,
  deadlineState,
  defaultCalendar,
  defaultTimeLimitRules,
  describeLimit,
  dueSoonMs,
  dueSoonWindow,
  endOfChinaDay,
  EXTENSION_CAP_SLACK_DAYS,
  extensionEventRefusal,
  extensionLimit,
  extensionRefusal,
  foldCase,
  limitFor,
  parseTimeLimitRules,
  TRANSFER_ACK_LIMIT_MS,
  transferAckDueBy,
  type CaseState,
} from '../../src-common/domain';
import { CaseScript, createdPayload, H12345, HOUR, MIN, P110, TO_HOTLINE, TO_WATER, WATER } from './fixtures';

const rules = defaultTimeLimitRules();
const cal = defaultCalendar();
const china = (s: string): string => new Date(`${s.replace(' ', 'T')}:00+08:00`).toISOString();
const endOf = (date: string): string => new Date(endOfChinaDay(date)).toISOString();
const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

describe('shipped rules', () => {
  it('parse, name their sources, and agree with part 1', () => {
    expect(parseTimeLimitRules(shippedRules)).toEqual(rules);
    expect(defaultTimeLimitRules()).toBe(rules);
    const sources = rules.sources.join('\n');
    expect(sources).toContain('国办发〔2020〕53号');
    expect(sources).toContain('临政办字〔2017〕149号');
    expect(rules.notes.length).toBeGreaterThan(0);
    expect(rules.transferAck.urgent).toEqual({ minutes: TRANSFER_ACK_LIMIT_MS.urgent / MIN });
    expect(rules.transferAck.normal).toEqual({ minutes: TRANSFER_ACK_LIMIT_MS.normal / MIN });
    expect(rules.maxExtensions).toBe(1);
    expect(describeLimit(rules.feedback.normal)).toBe('5 个工作日');
    expect(describeLimit(rules.feedback.urgent)).toBe('24 小时');
    expect(describeLimit(rules.transferAck.urgent)).toBe('5 分钟');
  });

  it('refuse malformed limits with the field named', () => {
    const broken = structuredClone(shippedRules) as Record<string, unknown>;
    broken.feedback = { urgent: { minutes: 0 }, normal: { days: 5 } };
    expect(() => parseTimeLimitRules(broken)).toThrow('时限规则不正确：feedback.urgent');
    expect(() => parseTimeLimitRules({ ...shippedRules, sources: [] })).toThrow('请注明时限的依据');
  });

  it('a nature override wins over the urgency default', () => {
    expect(limitFor(rules.feedback, 'normal', 'consultation')).toEqual({ workingDays: 1 });
    expect(limitFor(rules.feedback, 'urgent', 'consultation')).toEqual({ hours: 24 });
    expect(limitFor(rules.feedback, 'normal', 'complaint')).toEqual({ workingDays: 5 });
    expect(limitFor(rules.feedback, 'normal')).toEqual({ workingDays: 5 });
  });
});

describe('computeDeadlines', () => {
  it('transfer: 5 / 30 minutes wall-clock, at night and on holidays too (same as transferAckDueBy)', () => {
    const at = china('2026-02-17 03:00'); // 春节, the middle of the night
    expect(computeDeadlines(rules, cal, { kind: 'transfer', at, urgency: 'urgent' })).toEqual({ ackDueBy: plus(at, 5 * MIN) });
    expect(computeDeadlines(rules, cal, { kind: 'transfer', at, urgency: 'normal' })).toEqual({ ackDueBy: plus(at, 30 * MIN) });
    expect(computeDeadlines(rules, cal, { kind: 'transfer', at, urgency: 'normal' }).ackDueBy).toBe(transferAckDueBy(at, 'normal'));
  });

  it('urgent assignment: 30 minutes to acknowledge or return, 24 hours to feedback, wall-clock', () => {
    const at = china('2026-02-17 03:00');
    expect(computeDeadlines(rules, cal, { kind: 'assignment', at, urgency: 'urgent', nature: 'help' })).toEqual({
      ackDueBy: plus(at, 30 * MIN),
      feedbackDueBy: plus(at, 24 * HOUR),
      returnBy: plus(at, 30 * MIN),
    });
  });

  it('normal assignment on Friday 2026-02-13 17:00: 5 working days skip 春节 and count Saturday 2/14', () => {
    const d = computeDeadlines(rules, cal, { kind: 'assignment', at: china('2026-02-13 17:00'), urgency: 'normal', nature: 'help' });
    expect(d).toEqual({
      ackDueBy: endOf('2026-02-14'),
      feedbackDueBy: endOf('2026-02-27'),
      returnBy: endOf('2026-02-24'),
    });
    expect(d.feedbackDueBy).toBe('2026-02-27T15:59:59.999Z');
  });

  it('normal assignment on 2026-09-30 skips 国庆 and counts Saturday 10/10', () => {
    const d = computeDeadlines(rules, cal, { kind: 'assignment', at: china('2026-09-30 10:00'), urgency: 'normal', nature: 'complaint' });
    expect(d).toEqual({ ackDueBy: endOf('2026-10-08'), feedbackDueBy: endOf('2026-10-13'), returnBy: endOf('2026-10-09') });
  });

  it('a consultation is due back in 1 working day; acknowledging is never due after feedback', () => {
    const d = computeDeadlines(rules, cal, { kind: 'assignment', at: china('2026-02-13 17:00'), urgency: 'normal', nature: 'consultation' });
    expect(d.feedbackDueBy).toBe(endOf('2026-02-14'));
    expect(d.ackDueBy <= d.feedbackDueBy!).toBe(true);
  });
});

describe('extensions and callbacks', () => {
  it('normal: once, to at most 10 working days after the assignment', () => {
    const at = china('2026-02-13 17:00');
    // 2/14, 2/24–27, 2/28 (make-up Saturday), 3/2–3/5
    expect(extensionLimit(rules, cal, { assignedAt: at, urgency: 'normal', nature: 'help' })).toEqual({
      maxUntil: endOf('2026-03-05'),
      remaining: 1,
      reason: null,
      limitText: '10 个工作日',
    });
    const used = extensionLimit(rules, cal, { assignedAt: at, urgency: 'normal', extensionsGranted: 1 });
    expect(used.maxUntil).toBeNull();
    expect(used.reason).toBe('已延期 1 次，不能再延期');
  });

  it('urgent: to at most 5 working days after the assignment', () => {
    expect(extensionLimit(rules, cal, { assignedAt: china('2026-02-13 17:00'), urgency: 'urgent' }).maxUntil).toBe(endOf('2026-02-27'));
  });

  it('extensionRefusal checks a requested date against the case', () => {
    const s = new CaseScript(Date.parse(china('2026-02-13 17:00')));
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345', { receivedAt: s.t(0) }), 0);
    const d = computeDeadlines(rules, cal, { kind: 'assignment', at: s.t(1), urgency: 'normal', nature: 'help' });
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: d.ackDueBy, feedbackDueBy: d.feedbackDueBy! }, 1);
    s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 2);
    const state = foldCase(s.events)!;
    expect(extensionRefusal(rules, cal, state, endOf('2026-03-05'))).toBeNull();
    expect(extensionRefusal(rules, cal, state, endOf('2026-03-06'))).toBe('延期后的时限不能晚于 2026-03-05 23:59（自派单起不超过 10 个工作日）');
    expect(extensionRefusal(rules, cal, state, endOf('2026-02-26'))).toBe('延期后的时限必须晚于当前反馈时限（2026-02-27 23:59）');
    expect(extensionRefusal(rules, cal, state, 'soon')).toBe('延期时间格式不正确');
    s.add(WATER, 'case.extensionRequested', { reason: '需更换主管道', until: endOf('2026-03-04') }, 3);
    s.add(H12345, 'case.extensionDecided', { granted: true, until: endOf('2026-03-04'), reason: '' }, 4);
    expect(extensionRefusal(rules, cal, foldCase(s.events)!, endOf('2026-03-05'))).toBe('已延期 1 次，不能再延期');
    const unassigned = foldCase(s.events.slice(0, 1))!;
    expect(extensionRefusal(rules, cal, unassigned, endOf('2026-03-05'))).toBe('工单尚未派单，不能延期');
  });

  it('extensionEventRefusal holds requests and grants to the rules, with the slack a hub allows past the cap', () => {
    const s = new CaseScript(Date.parse(china('2026-02-13 17:00')));
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345', { receivedAt: s.t(0) }), 0);
    const d = computeDeadlines(rules, cal, { kind: 'assignment', at: s.t(1), urgency: 'normal', nature: 'help' });
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: d.ackDueBy, feedbackDueBy: d.feedbackDueBy! }, 1);
    s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 2);
    const acknowledged = foldCase(s.events)!;
    const request = (until: string) => ({ type: 'case.extensionRequested' as const, payload: { reason: '需更换主管道', until } });
    const grant = (until: string | null, granted = true) => ({ type: 'case.extensionDecided' as const, payload: { granted, until, reason: '' } });
    // the cap (10 working days from the assignment: 2026-03-05), exactly as the desk shows it
    expect(extensionEventRefusal(rules, cal, acknowledged, request(endOf('2026-03-05')))).toBeNull();
    expect(extensionEventRefusal(rules, cal, acknowledged, request(endOf('2026-03-06')))).toContain('不能晚于 2026-03-05 23:59');
    // with the hub's slack: a day past the cap may be a desk's calendar; a month past is no calendar's
    const slack = { capSlackDays: EXTENSION_CAP_SLACK_DAYS };
    expect(extensionEventRefusal(rules, cal, acknowledged, request(endOf('2026-03-06')), slack)).toBeNull();
    expect(extensionEventRefusal(rules, cal, acknowledged, request(endOf('2026-03-19')), slack)).toBeNull();
    expect(extensionEventRefusal(rules, cal, acknowledged, request(endOf('2026-03-20')), slack)).toBe(
      '延期后的时限 2026-03-20 23:59 远超上限：自派单起不超过 10 个工作日（按工作日历应不晚于 2026-03-05 23:59）',
    );
    // earlier than the deadline it would move: refused whatever the slack
    expect(extensionEventRefusal(rules, cal, acknowledged, request(endOf('2026-02-26')), slack)).toContain('必须晚于当前反馈时限');
    // a decision: granting is held to the same rules, refusing always allowed
    s.add(WATER, 'case.extensionRequested', request(endOf('2026-03-04')).payload, 3);
    const pending = foldCase(s.events)!;
    expect(extensionEventRefusal(rules, cal, pending, grant(endOf('2026-03-04')))).toBeNull();
    expect(extensionEventRefusal(rules, cal, pending, grant(endOf('2026-04-30')), slack)).toContain('远超上限');
    expect(extensionEventRefusal(rules, cal, pending, grant(null, false))).toBeNull();
    expect(extensionEventRefusal(rules, cal, pending, grant(null))).toBeNull(); // granted without a date: nothing moves
    // once granted, no second extension, however soon
    s.add(H12345, 'case.extensionDecided', grant(endOf('2026-03-04')).payload, 4);
    const extended = foldCase(s.events)!;
    expect(extensionEventRefusal(rules, cal, extended, request(endOf('2026-03-05')), slack)).toBe('已延期 1 次，不能再延期');
    // other events, and no case: not its business
    expect(extensionEventRefusal(rules, cal, extended, { type: 'case.noteAdded', payload: { text: '备注' } })).toBeNull();
    expect(extensionEventRefusal(rules, cal, undefined, request(endOf('2026-03-05')))).toBeNull();
  });

  it('callback: 2 working days after feedback (urgent: 1), skipping 劳动节', () => {
    const at = china('2026-04-30 10:00');
    expect(callbackDueBy(rules, cal, { feedbackAt: at, urgency: 'normal' })).toBe(endOf('2026-05-07'));
    expect(callbackDueBy(rules, cal, { feedbackAt: at, urgency: 'urgent' })).toBe(endOf('2026-05-06'));
  });
});

describe('deadlineState', () => {
  const due = china('2026-03-02 16:30');
  const dueMs = Date.parse(due);

  it('works with two arguments as in part 1: due soon in the last 2 hours', () => {
    expect(deadlineState(null, dueMs)).toBe('none');
    expect(deadlineState(due, dueMs - 3 * HOUR)).toBe('onTime');
    expect(deadlineState(due, dueMs - 2 * HOUR)).toBe('dueSoon');
    expect(deadlineState(due, dueMs)).toBe('dueSoon');
    expect(deadlineState(due, dueMs + 1)).toBe('overdue');
    expect(deadlineState(due, dueMs - 10 * MIN, 5 * MIN)).toBe('onTime');
    expect(DEADLINE_LABELS.dueSoon).toBe('即将到期');
  });

  it('relative to the window: the last 20 %, at most 2 hours', () => {
    // a 5-minute transfer: due soon in its last minute
    const start5 = plus(due, -5 * MIN);
    expect(dueSoonMs(due, { startedAt: start5 })).toBe(MIN);
    expect(deadlineState(due, dueMs - 90_000, { startedAt: start5 })).toBe('onTime');
    expect(deadlineState(due, dueMs - 50_000, { startedAt: start5 })).toBe('dueSoon');
    // 30 minutes: the last 6
    expect(dueSoonMs(due, { startedAt: plus(due, -30 * MIN) })).toBe(6 * MIN);
    // 24 hours: the last 2 hours (20 % would be 4.8 h)
    expect(dueSoonMs(due, { startedAt: plus(due, -24 * HOUR) })).toBe(2 * HOUR);
    expect(deadlineState(due, dueMs - 3 * HOUR, { startedAt: plus(due, -24 * HOUR) })).toBe('onTime');
    expect(deadlineState(due, dueMs + 1, { startedAt: start5 })).toBe('overdue');
    expect(dueSoonWindow(rules, start5)).toEqual({ startedAt: start5, fraction: 0.2, maxMs: 2 * HOUR });
  });

  it('caseDeadline knows what the case is waiting for and since when', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(7) }, 2);
    let state: CaseState = foldCase(s.events)!;
    expect(caseDeadline(state)).toEqual({ kind: 'transferAck', dueAt: s.t(7), startedAt: s.t(2) });
    expect(caseDeadlineState(state, Date.parse(s.t(5)))).toBe('onTime');
    expect(caseDeadlineState(state, Date.parse(s.t(6.5)))).toBe('dueSoon');
    expect(caseDeadlineState(state, Date.parse(s.t(8)))).toBe('overdue');
    s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 3);
    state = foldCase(s.events)!;
    expect(caseDeadline(state)).toBeNull();
    expect(caseDeadlineState(state, Date.parse(s.t(8)))).toBe('none');
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(40), feedbackDueBy: s.t(600) }, 10);
    state = foldCase(s.events)!;
    expect(caseDeadline(state)).toEqual({ kind: 'assignmentAck', dueAt: s.t(40), startedAt: s.t(10) });
    expect(caseReturnBy(rules, cal, state)).toBe(cal.addWorkingDays(s.t(10), 2));
    s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 20);
    state = foldCase(s.events)!;
    expect(caseDeadline(state)).toEqual({ kind: 'feedback', dueAt: s.t(600), startedAt: s.t(10) });
  });
});
