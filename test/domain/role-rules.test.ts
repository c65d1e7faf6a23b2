import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  foldCase,
  refusalForRole,
  StationSchema,
  type ActingStation,
  type CaseState,
  type EventType,
  type HandoverTarget,
  type PayloadInput,
  type RelayEvent,
  type Role,
  type StationRef,
} from '../../src-common/domain';
import { CaseScript, createdPayload, fullLifecycle, H12345, HEAT, P110, stationOf, TO_HOTLINE, TO_WATER, WATER } from './fixtures';

const CJK = /[\u4e00-\u9fff]/;
const H12345_B: StationRef = { stationId: 'h12345-desk2', name: '临沂市 12345 热线二号席' };
const P110_B: StationRef = { stationId: 'p110-hedong', name: '河东区 110 接警台' };
const SUP: StationRef = { stationId: 'sup-city', name: '市 12345 值班长' };
const HOUSING_DESK: StationRef = { stationId: 'unit-housing', name: '市住建局值班室' };
const HRSS_DESK: StationRef = { stationId: 'unit-hrss', name: '市人社局值班室' };
const TO_HOUSING: HandoverTarget = { kind: 'department', stationId: null, name: '住房城乡建设、城市管理部门', department: 'housing' };

const ROLE_OF: Record<string, Role> = {
  [P110.stationId]: 'police110',
  [P110_B.stationId]: 'police110',
  [H12345.stationId]: 'hotline12345',
  [H12345_B.stationId]: 'hotline12345',
  [SUP.stationId]: 'supervisor',
};
const DEPT_OF: Record<string, string> = { [HOUSING_DESK.stationId]: 'housing', [HRSS_DESK.stationId]: 'hrss' };

function desk(ref: StationRef): ActingStation {
  const role = ROLE_OF[ref.stationId] ?? 'unit';
  return StationSchema.parse({ ...ref, role, district: '兰山区', operator: '王强', department: DEPT_OF[ref.stationId] ?? null });
}

/** Ask whether `by` may record this event on the case the script has recorded so far. */
function ask<T extends EventType>(s: CaseScript, by: StationRef, type: T, payload: PayloadInput<T>): string | null {
  const state = foldCase(s.events);
  const probe = new CaseScript(s.start, s.caseId);
  const event = probe.add(by, type, payload, 1000) as RelayEvent;
  return refusalForRole(state, event, desk(by));
}

/** 12345 takes a call and assigns it to `to`. */
function assignedTo(to: HandoverTarget): CaseScript {
  const s = new CaseScript();
  s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
  s.add(H12345, 'case.assigned', { lead: to, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
  return s;
}

function acknowledged(): CaseScript {
  const s = assignedTo(TO_WATER);
  s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 2);
  return s;
}

describe('state rules come through', () => {
  it('feedback on an unacknowledged item is refused', () => {
    expect(ask(assignedTo(TO_WATER), WATER, 'case.feedback', { result: 'resolved', text: '已修', station: WATER })).toBe('尚未签收，不能反馈办理情况');
  });

  it('closing without feedback is refused', () => {
    expect(ask(acknowledged(), H12345, 'case.closed', {})).toBe('尚未收到办理反馈，不能办结');
  });
});

describe('role permissions', () => {
  it('a department cannot close a case, even after its own feedback', () => {
    const s = acknowledged();
    s.add(WATER, 'case.feedback', { result: 'resolved', text: '已修复', station: WATER }, 3);
    expect(ask(s, WATER, 'case.closed', {})).toBe('部门/单位值班室不能办结');
    expect(ask(s, H12345, 'case.closed', {})).toBeNull();
  });

  it('110 cannot assign; a supervisor cannot acknowledge', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    expect(ask(s, P110, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) })).toBe('110 接警台不能派单');
    expect(ask(assignedTo(TO_WATER), SUP, 'case.acknowledged', { of: 'assignment', station: SUP })).toBe('值班长/督办不能签收');
  });
});

describe('acknowledging', () => {
  it("acknowledging someone else's assignment is refused", () => {
    const s = assignedTo(TO_WATER);
    expect(ask(s, HEAT, 'case.acknowledged', { of: 'assignment', station: HEAT })).toBe(`此派单是发给“${TO_WATER.name}”的，本站不能签收`);
    expect(ask(s, WATER, 'case.acknowledged', { of: 'assignment', station: WATER })).toBeNull();
  });

  it('a department target: any desk of that department, no other', () => {
    const s = assignedTo(TO_HOUSING);
    expect(ask(s, HOUSING_DESK, 'case.acknowledged', { of: 'assignment', station: HOUSING_DESK })).toBeNull();
    expect(ask(s, HRSS_DESK, 'case.acknowledged', { of: 'assignment', station: HRSS_DESK })).toMatch(/本站不能签收/);
    expect(ask(s, WATER, 'case.acknowledged', { of: 'assignment', station: WATER })).toMatch(/本站不能签收/);
  });

  it('a transfer to the hotline by kind: any 12345 desk; to a named desk: that desk only', () => {
    const transferredTo = (to: HandoverTarget) => {
      const t = new CaseScript();
      t.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
      t.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
      t.add(P110, 'case.transferred', { to, threeWayCall: false, ackDueBy: t.t(30) }, 2);
      return t;
    };
    const byKind = transferredTo({ ...TO_HOTLINE, stationId: null });
    expect(ask(byKind, H12345_B, 'case.acknowledged', { of: 'transfer', station: H12345_B })).toBeNull();
    expect(ask(byKind, H12345, 'case.acknowledged', { of: 'transfer', station: H12345 })).toBeNull();
    const named = transferredTo(TO_HOTLINE);
    expect(ask(named, H12345, 'case.acknowledged', { of: 'transfer', station: H12345 })).toBeNull();
    expect(ask(named, H12345_B, 'case.acknowledged', { of: 'transfer', station: H12345_B })).toMatch(/本站不能签收/);
  });

  it('an acknowledgement must name the recording station', () => {
    expect(ask(assignedTo(TO_WATER), WATER, 'case.acknowledged', { of: 'assignment', station: HEAT })).toBe('签收须以本站点名义记录');
  });
});

describe('owned items', () => {
  it('only the owner screens, transfers and assigns', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    expect(ask(s, P110_B, 'case.screened', { verdict: 'nonPolice' })).toBe(`只有工单的主办方（${P110.name}）可以甄别`);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    expect(ask(s, P110_B, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(30) })).toMatch(/只有工单的主办方/);
    const h = new CaseScript();
    h.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    expect(ask(h, H12345_B, 'case.assigned', { lead: TO_WATER, ackDueBy: h.t(30), feedbackDueBy: h.t(600) })).toMatch(/只有工单的主办方/);
    expect(ask(h, H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: h.t(30), feedbackDueBy: h.t(600) })).toBeNull();
  });

  it('feedback only by the station that acknowledged the assignment', () => {
    const s = assignedTo(TO_HOUSING);
    s.add(HOUSING_DESK, 'case.acknowledged', { of: 'assignment', station: HOUSING_DESK }, 2);
    expect(ask(s, HOUSING_DESK, 'case.feedback', { result: 'resolved', text: '已修复', station: HOUSING_DESK })).toBeNull();
    expect(ask(s, HRSS_DESK, 'case.feedback', { result: 'resolved', text: '已修复', station: HRSS_DESK })).toBe('只有签收该派单的单位可以反馈办理情况');
    expect(ask(s, HOUSING_DESK, 'case.feedback', { result: 'resolved', text: '已修复', station: HRSS_DESK })).toBe('反馈须以本站点名义记录');
    expect(ask(s, HRSS_DESK, 'case.extensionRequested', { reason: '需施工', until: s.t(2000) })).toBe('只有签收该派单的单位可以申请延期');
    expect(ask(s, HOUSING_DESK, 'case.extensionRequested', { reason: '需施工', until: s.t(2000) })).toBeNull();
  });

  it('a supplementary feedback: by the desk that acknowledged, also once the case is back with the assigner', () => {
    const s = acknowledged();
    s.add(WATER, 'case.feedback', { result: 'partlyResolved', text: '已临时供水', station: WATER }, 3);
    expect(ask(s, WATER, 'case.feedback', { result: 'resolved', text: '已恢复供水', station: WATER })).toBeNull();
    expect(ask(s, HEAT, 'case.feedback', { result: 'resolved', text: '已恢复供水', station: HEAT })).toBe('只有签收该派单的单位可以反馈办理情况');
  });

  it('returns: the target before acknowledging, or the assigner; after acknowledging, the acknowledger or the assigner', () => {
    const s = assignedTo(TO_WATER);
    expect(ask(s, WATER, 'case.returned', { reason: '不属于本单位', station: WATER })).toBeNull();
    expect(ask(s, H12345, 'case.returned', { reason: '供水公司电话退回', station: H12345 })).toBeNull();
    expect(ask(s, HEAT, 'case.returned', { reason: '不属于本单位', station: HEAT })).toMatch(/本站不能退回/);
    s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 2);
    expect(ask(s, WATER, 'case.returned', { reason: '现场核实为燃气问题', station: WATER })).toBeNull();
    expect(ask(s, HEAT, 'case.returned', { reason: '不属于本单位', station: HEAT })).toBe('只有签收该派单的单位可以退回');
    expect(ask(s, H12345_B, 'case.returned', { reason: 'x', station: H12345_B })).toBe('只有签收该派单的单位可以退回');
  });

  it('extension decisions by the assigner or a supervisor; callback and closing by the assigner', () => {
    const s = acknowledged();
    s.add(WATER, 'case.extensionRequested', { reason: '需更换管段', until: s.t(2000) }, 3);
    expect(ask(s, H12345, 'case.extensionDecided', { granted: true, until: s.t(2000) })).toBeNull();
    expect(ask(s, SUP, 'case.extensionDecided', { granted: true, until: s.t(2000) })).toBeNull();
    expect(ask(s, H12345_B, 'case.extensionDecided', { granted: true, until: s.t(2000) })).toMatch(/或值班长可以审批延期/);
    s.add(WATER, 'case.feedback', { result: 'resolved', text: '已修复', station: WATER }, 4);
    expect(ask(s, H12345, 'case.callback', { satisfaction: 'satisfied' })).toBeNull();
    expect(ask(s, H12345_B, 'case.callback', { satisfaction: 'satisfied' })).toBe(`只有派单方（${H12345.name}）可以回访`);
    expect(ask(s, H12345_B, 'case.closed', {})).toBe(`只有${H12345.name}可以办结此工单`);
    expect(ask(s, P110, 'case.closed', {})).toBe(`只有${H12345.name}可以办结此工单`);
    s.add(H12345, 'case.closed', {}, 5);
    expect(ask(s, H12345, 'case.reopened', { reason: '来电人称仍未恢复供水' })).toBeNull();
    expect(ask(s, H12345_B, 'case.reopened', { reason: 'x' })).toMatch(/可以重办此工单/);
  });

  it('a police matter is closed by its 110 owner only', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'police', reason: '打架斗殴' }, 1);
    expect(ask(s, P110, 'case.closed', {})).toBeNull();
    expect(ask(s, P110_B, 'case.closed', {})).toBe(`只有${P110.name}可以办结此工单`);
  });

  it('urging and notes are open to every role that records them', () => {
    const s = acknowledged();
    expect(ask(s, SUP, 'case.urged', { text: '请加快处理' })).toBeNull();
    expect(ask(s, H12345_B, 'case.urged', { text: '请加快处理' })).toBeNull();
    expect(ask(s, HEAT, 'case.noteAdded', { text: '协助意见' })).toBeNull();
    expect(ask(s, WATER, 'case.urged', { text: 'x' })).toBe('部门/单位值班室不能督办');
  });
});

describe('creating', () => {
  it('a station creates only in its own name and role', () => {
    const by = stationOf(H12345, 'hotline12345');
    const s = new CaseScript();
    const ok = s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    expect(refusalForRole(undefined, ok, by)).toBeNull();
    const other = new CaseScript().add(H12345, 'case.created', createdPayload(H12345_B, 'hotline12345'), 0);
    expect(refusalForRole(undefined, other, by)).toBe('受理登记须以本站点名义记录');
    const role = new CaseScript().add(H12345, 'case.created', createdPayload(H12345, 'police110'), 0);
    expect(refusalForRole(undefined, role, by)).toBe('受理岗位与本站岗位不符');
    expect(refusalForRole(foldCase(s.events), ok, by)).toBe('工单已存在，不能重复登记');
  });
});

describe('the whole loop', () => {
  it('every step of the ordinary life of a case is allowed for the desk that records it', () => {
    const s = fullLifecycle();
    let state: CaseState | undefined;
    for (const e of s.events) {
      expect(refusalForRole(state, e, desk({ stationId: e.stationId, name: '某站点' })), e.type).toBeNull();
      state = applyEvent(state, e, 'strict');
    }
    expect(state?.status).toBe('closed');
  });

  it('every refusal is Chinese', () => {
    const s = acknowledged();
    const state = foldCase(s.events)!;
    const probe = new CaseScript(s.start, s.caseId);
    const attempts: RelayEvent[] = [
      probe.add(HEAT, 'case.feedback', { result: 'resolved', text: 'x', station: HEAT }, 900) as RelayEvent,
      probe.add(H12345_B, 'case.callback', { satisfaction: 'satisfied' }, 901) as RelayEvent,
      probe.add(P110, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 902) as RelayEvent,
    ];
    for (const e of attempts) expect(refusalForRole(state, e, desk({ stationId: e.stationId, name: '某站点' }))).toMatch(CJK);
  });
});
