import { describe, expect, it } from 'vitest';
import {
  alertsFor,
  alertsForCases,
  alertsToSound,
  callbackDueBy,
  computeDeadlines,
  DEFAULT_ALERT_RULES,
  defaultCalendar,
  defaultTimeLimitRules,
  foldCase,
  loadDefaultCatalogue,
  StationSchema,
  type AlertStation,
  type CaseState,
  type HandoverTarget,
  type PayloadInput,
  type StationRef,
} from '../../src-common/domain';
import { CaseScript, createdPayload, H12345, MIN, P110, TO_HOTLINE } from './fixtures';

const catalogue = loadDefaultCatalogue();
const rules = defaultTimeLimitRules();
const cal = defaultCalendar();
const CJK = /[\u4e00-\u9fff]/;

/** 2026-03-03 03:00 in Linyi: the middle of the night */
const NIGHT = Date.parse('2026-03-03T03:00:00+08:00');

const WATER_DESK: StationRef = { stationId: 'unit-water-duty', name: '市供水公司抢修值班室' };
const HRSS_DESK: StationRef = { stationId: 'unit-hrss-duty', name: '市人社局值班室' };
const SUPERVISOR: StationRef = { stationId: 'sup-city', name: '市 12345 值班长' };

const waterUnit: AlertStation = { stationId: WATER_DESK.stationId, role: 'unit', district: '兰山区', department: 'housing' };
const hrssUnit: AlertStation = { stationId: HRSS_DESK.stationId, role: 'unit', district: '兰山区', department: 'hrss' };
const hotline: AlertStation = { stationId: H12345.stationId, role: 'hotline12345', district: '临沂市' };
const police: AlertStation = { stationId: P110.stationId, role: 'police110', district: '兰山区' };
const supervisor: AlertStation = { stationId: SUPERVISOR.stationId, role: 'supervisor', district: '临沂市' };

const TO_HOUSING: HandoverTarget = { kind: 'department', stationId: null, name: '住房城乡建设、城市管理部门', department: 'housing' };

type Over = Partial<PayloadInput<'case.created'>>;

/** 12345 takes the call and assigns it to the housing department, at `start`. */
function assigned(over: Over, start = NIGHT): CaseScript {
  const s = new CaseScript(start);
  s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345', { receivedAt: s.t(0), ...over }), 0);
  const urgency = over.urgency ?? 'normal';
  const d = computeDeadlines(rules, cal, { kind: 'assignment', at: s.t(1), urgency, nature: over.nature ?? 'help' });
  s.add(H12345, 'case.assigned', { lead: TO_HOUSING, ackDueBy: d.ackDueBy, feedbackDueBy: d.feedbackDueBy! }, 1);
  return s;
}

const burstMain: Over = { category: 'housing.water', urgency: 'urgent', description: '主水管爆裂，整栋楼停水' };
const fold = (s: CaseScript): CaseState => foldCase(s.events)!;
const at = (s: CaseScript, minutes: number) => Date.parse(s.t(minutes));

describe('urgent arrival', () => {
  it('an urgent water item arriving at a water-supply unit alerts loudly and repeats until acknowledged, at night too', () => {
    const s = assigned(burstMain);
    const state = fold(s);
    const alerts = alertsFor(state, waterUnit, at(s, 2), catalogue);
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    expect(a).toMatchObject({
      id: `${state.id}:urgent-arrival:${s.t(1)}`,
      kind: 'urgentArrival',
      caseId: state.id,
      caseNo: state.caseNo,
      urgent: true,
      repeatEveryMs: 2 * MIN,
      dueAt: s.t(31),
    });
    expect(a!.title).toBe('紧急供水工单待签收');
    expect(a!.body).toContain('城市供水');
    expect(a!.body).toContain('请于 2026-03-03 03:31 前签收');
    // the same id while it lasts
    expect(alertsFor(state, waterUnit, at(s, 9), catalogue).map((x) => x.id)).toContain(a!.id);
    // sounds now, not again a minute later, again after 2 minutes
    const last = new Map<string, number>();
    expect(alertsToSound(alerts, last, at(s, 2))).toEqual(alerts);
    last.set(a!.id, at(s, 2));
    expect(alertsToSound(alerts, last, at(s, 3))).toEqual([]);
    expect(alertsToSound(alerts, last, at(s, 4))).toEqual(alerts);
    // acknowledged: the alert ends
    s.add(WATER_DESK, 'case.acknowledged', { of: 'assignment', station: WATER_DESK }, 5);
    expect(alertsFor(fold(s), waterUnit, at(s, 6), catalogue)).toEqual([]);
  });

  it('the same item does not alert at a different department', () => {
    const s = assigned(burstMain);
    expect(alertsFor(fold(s), hrssUnit, at(s, 2), catalogue)).toEqual([]);
    expect(alertsFor(fold(s), hrssUnit, at(s, 60), catalogue)).toEqual([]);
  });

  it('a normal item does not alert on arrival', () => {
    const s = assigned({ category: 'housing.water', urgency: 'normal', description: '水压低' });
    expect(alertsFor(fold(s), waterUnit, at(s, 2), catalogue)).toEqual([]);
  });

  it('an urgent item of another category notifies once, quietly', () => {
    const s = assigned({ category: 'housing.sanitation', urgency: 'urgent', description: '渣土堵路' });
    const [a, ...rest] = alertsFor(fold(s), waterUnit, at(s, 2), catalogue);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'urgentArrival', urgent: false, repeatEveryMs: null });
    expect(a!.title).toBe('紧急工单待签收');
  });

  it('an urgent medical item transferred by 110 alerts at the 12345 desk', () => {
    const s = new CaseScript(NIGHT);
    s.add(P110, 'case.created', createdPayload(P110, 'police110', { category: 'health.emergency', urgency: 'urgent', description: '老人晕倒' }), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 0.5);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: true, ackDueBy: s.t(6) }, 1);
    const [a] = alertsFor(fold(s), hotline, at(s, 1.5), catalogue);
    expect(a).toMatchObject({ kind: 'urgentArrival', urgent: true, repeatEveryMs: 2 * MIN, title: '紧急医疗急救工单待签收' });
    // not at the 110 desk that sent it
    expect(alertsFor(fold(s), police, at(s, 1.5), catalogue)).toEqual([]);
  });
});

describe('deadlines', () => {
  it('due soon alerts once, for the owner and the target', () => {
    const s = assigned({ category: 'housing.water', urgency: 'normal' }, Date.parse('2026-03-02T10:00:00+08:00'));
    s.add(WATER_DESK, 'case.acknowledged', { of: 'assignment', station: WATER_DESK }, 5);
    const state = fold(s);
    const due = Date.parse(state.dueAt!);
    expect(alertsFor(state, waterUnit, due - 3 * 60 * MIN, catalogue)).toEqual([]);
    const [a, ...rest] = alertsFor(state, waterUnit, due - 60 * MIN, catalogue);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ id: `${state.id}:deadline-soon:${state.dueAt}`, kind: 'deadlineSoon', urgent: false, repeatEveryMs: null });
    expect(a!.title).toBe('办理反馈即将到期');
    // not for the assigner (who no longer owns it) nor another department
    expect(alertsFor(state, hotline, due - 60 * MIN, catalogue)).toEqual([]);
    expect(alertsFor(state, hrssUnit, due - 60 * MIN, catalogue)).toEqual([]);
  });

  it('overdue repeats every 10 minutes for the owner; the assigner and supervisors are told once', () => {
    const s = assigned({ category: 'housing.water', urgency: 'normal' }, Date.parse('2026-03-02T10:00:00+08:00'));
    s.add(WATER_DESK, 'case.acknowledged', { of: 'assignment', station: WATER_DESK }, 5);
    const state = fold(s);
    const late = Date.parse(state.dueAt!) + MIN;
    const [owner] = alertsFor(state, waterUnit, late, catalogue);
    expect(owner).toMatchObject({ id: `${state.id}:overdue:${state.dueAt}`, kind: 'overdue', repeatEveryMs: 10 * MIN, title: '办理反馈已超时' });
    expect(alertsFor(state, hotline, late, catalogue)).toMatchObject([{ kind: 'overdue', repeatEveryMs: null }]);
    expect(alertsFor(state, supervisor, late, catalogue)).toMatchObject([{ kind: 'overdue', repeatEveryMs: null }]);
    expect(alertsFor(state, hrssUnit, late, catalogue)).toEqual([]);
    // after feedback, nothing is due
    s.add(WATER_DESK, 'case.feedback', { result: 'resolved', text: '已修复', station: WATER_DESK }, 6);
    expect(alertsFor(fold(s), waterUnit, late, catalogue)).toEqual([]);
  });

  it('after the feedback, the callback is due at 12345: due soon, then overdue, until the caller is called back', () => {
    const s = assigned({ category: 'housing.water', urgency: 'normal' }, Date.parse('2026-03-02T10:00:00+08:00'));
    s.add(WATER_DESK, 'case.acknowledged', { of: 'assignment', station: WATER_DESK }, 5);
    const feedbackAt = s.t(60);
    const callbackDue = callbackDueBy(rules, cal, { feedbackAt, urgency: 'normal', nature: 'help' });
    s.add(WATER_DESK, 'case.feedback', { result: 'resolved', text: '已修复', station: WATER_DESK, callbackDueBy: callbackDue }, 60);
    const reported = fold(s);
    expect(reported).toMatchObject({ status: 'feedback', owner: H12345, dueAt: callbackDue });
    const late = Date.parse(callbackDue) + MIN;
    expect(alertsFor(reported, hotline, late, catalogue)).toMatchObject([{ kind: 'overdue', title: '回访已超时', repeatEveryMs: 10 * MIN }]);
    expect(alertsFor(reported, waterUnit, late, catalogue)).toEqual([]); // the department has done its part
    s.add(H12345, 'case.callback', { satisfaction: 'satisfied', text: '来电人满意' }, 61);
    const calledBack = fold(s);
    expect(calledBack.dueAt).toBeNull();
    expect(alertsFor(calledBack, hotline, late, catalogue)).toEqual([]);
  });

  it('an unacknowledged assignment overdue alerts the target and the 12345 desk that still owns it', () => {
    const s = assigned(burstMain);
    const state = fold(s);
    const late = at(s, 40);
    const kinds = alertsFor(state, waterUnit, late, catalogue).map((a) => a.kind);
    expect(kinds).toEqual(['urgentArrival', 'overdue']);
    expect(alertsFor(state, hotline, late, catalogue)).toMatchObject([{ kind: 'overdue', urgent: true, repeatEveryMs: 10 * MIN, title: '派单签收已超时' }]);
  });

  it('110: a transfer it sent that stays unacknowledged past its ackDueBy alerts', () => {
    const s = new CaseScript(NIGHT);
    s.add(P110, 'case.created', createdPayload(P110, 'police110', { category: 'housing.water', urgency: 'normal' }), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 0.5);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(31) }, 1);
    const state = fold(s);
    expect(alertsFor(state, police, at(s, 10), catalogue)).toEqual([]);
    expect(alertsFor(state, police, at(s, 27), catalogue)).toMatchObject([{ kind: 'deadlineSoon', title: '转办签收即将到期' }]);
    const [a, ...rest] = alertsFor(state, police, at(s, 32), catalogue);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      id: `${state.id}:unacknowledged-transfer:${s.t(31)}`,
      kind: 'unacknowledgedTransfer',
      repeatEveryMs: 5 * MIN,
      title: '转办超时未签收',
    });
    expect(a!.body).toContain(TO_HOTLINE.name);
    // the hotline it waits for sees it overdue
    expect(alertsFor(state, hotline, at(s, 32), catalogue)).toMatchObject([{ kind: 'overdue' }]);
    // acknowledged: over
    s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 33);
    expect(alertsFor(fold(s), police, at(s, 34), catalogue)).toEqual([]);
  });

  it('closed and police cases never alert', () => {
    const s = new CaseScript(NIGHT);
    s.add(P110, 'case.created', createdPayload(P110, 'police110', { category: 'housing.water', urgency: 'urgent' }), 0);
    s.add(P110, 'case.screened', { verdict: 'police', reason: '打架斗殴' }, 1);
    expect(alertsFor(fold(s), police, at(s, 600), catalogue)).toEqual([]);
    s.add(P110, 'case.closed', {}, 2);
    expect(alertsFor(fold(s), police, at(s, 600), catalogue)).toEqual([]);
  });
});

describe('alert lists', () => {
  it('every alert is in Chinese; lists put urgent first', () => {
    const urgent = fold(assigned(burstMain));
    const normal = assigned({ category: 'housing.water', urgency: 'normal' }, NIGHT - 10 * 24 * 60 * MIN);
    const normalState = fold(normal);
    const now = NIGHT + 2 * MIN;
    const list = alertsForCases([normalState, urgent], { ...waterUnit }, now, catalogue);
    expect(list.map((a) => a.kind)).toEqual(['urgentArrival', 'overdue']);
    for (const a of list) {
      expect(a.title).toMatch(CJK);
      expect(a.body).toMatch(CJK);
    }
    expect(DEFAULT_ALERT_RULES).toEqual({ urgentArrivalRepeatMs: 2 * MIN, overdueRepeatMs: 10 * MIN, unacknowledgedTransferRepeatMs: 5 * MIN });
  });

  it('custom repeat intervals', () => {
    const s = assigned(burstMain);
    const [a] = alertsFor(fold(s), waterUnit, at(s, 2), catalogue, { ...DEFAULT_ALERT_RULES, urgentArrivalRepeatMs: 30_000 });
    expect(a!.repeatEveryMs).toBe(30_000);
  });

  it('a parsed unit station with its department sees assignments to that department', () => {
    const station = StationSchema.parse({ ...WATER_DESK, role: 'unit', district: '兰山区', operator: '王强', department: 'housing' });
    expect(alertsFor(fold(assigned(burstMain)), station, NIGHT + 2 * MIN, catalogue)).toHaveLength(1);
    const unlinked = StationSchema.parse({ ...WATER_DESK, role: 'unit', district: '兰山区', operator: '王强' });
    expect(unlinked.department).toBeNull();
    expect(alertsFor(fold(assigned(burstMain)), unlinked, NIGHT + 2 * MIN, catalogue)).toEqual([]);
  });
});
