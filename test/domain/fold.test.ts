import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  compareForFold,
  DomainError,
  foldCase,
  orderForFold,
  refusalForRole,
  type CaseState,
  type RelayEvent,
} from '../../src-common/domain';
import {
  CaseScript,
  COUNTY,
  createdPayload,
  fullLifecycle,
  H12345,
  HEAT,
  LIFECYCLE,
  MIN,
  P110,
  play,
  stationOf,
  T0,
  TO_COUNTY,
  TO_HEAT,
  TO_HOTLINE,
  TO_WATER,
  WATER,
  type Step,
} from './fixtures';

function foldStrict(events: readonly RelayEvent[]): CaseState {
  let state: CaseState | undefined;
  for (const e of events) state = applyEvent(state, e, 'strict');
  return state!;
}

/** the states after each event, folded strictly in the order recorded */
function statesOf(events: readonly RelayEvent[]): CaseState[] {
  const out: CaseState[] = [];
  let state: CaseState | undefined;
  for (const e of events) {
    state = applyEvent(state, e, 'strict');
    out.push(state);
  }
  return out;
}

describe('the full life of a case', () => {
  const script = fullLifecycle();
  const t = (m: number) => script.t(m);
  const [created, screened, transferred, ackTransfer, assigned, ackAssignment, feedback, callback, closed] = statesOf(script.events);

  it('created at 110: new, owned by the desk that took the call', () => {
    expect(created).toMatchObject({
      id: script.caseId,
      status: 'new',
      owner: P110,
      receivedBy: P110,
      awaiting: null,
      dueAt: null,
      createdAt: t(0),
      updatedAt: t(0),
      eventCount: 1,
      stations: [P110.stationId],
      conflicts: [],
      closedAt: null,
    });
    expect(created!.description).toContain('停水');
  });

  it('screened non-police: pending, still with 110', () => {
    expect(screened).toMatchObject({ status: 'pending', owner: P110, screening: { verdict: 'nonPolice', at: t(1), operator: '值班员甲' } });
  });

  it('transferred: 110 still owns it until 12345 acknowledges; the hand-over is awaited and due', () => {
    expect(transferred).toMatchObject({
      status: 'transferred',
      owner: P110,
      awaiting: TO_HOTLINE,
      dueAt: t(32),
      transfer: { to: TO_HOTLINE, threeWayCall: true, at: t(2), ackDueBy: t(32), acknowledgedAt: null },
    });
  });

  it('acknowledged by 12345: 12345 owns it, nothing awaited, no deadline', () => {
    expect(ackTransfer).toMatchObject({ status: 'pending', owner: H12345, awaiting: null, dueAt: null });
    expect(ackTransfer!.transfer?.acknowledgedAt).toBe(t(5));
    expect(ackTransfer!.stations).toEqual([P110.stationId, H12345.stationId]);
  });

  it('assigned to the water company: 12345 owns it until the company acknowledges', () => {
    expect(assigned).toMatchObject({
      status: 'assigned',
      owner: H12345,
      awaiting: TO_WATER,
      department: 'water',
      dueAt: t(40),
      assignmentCount: 1,
      assignment: { lead: TO_WATER, by: H12345, at: t(10), ackDueBy: t(40), feedbackDueBy: t(10 + 24 * 60), acknowledgedAt: null },
    });
  });

  it('acknowledged by the company: it owns the case and the feedback deadline runs', () => {
    expect(ackAssignment).toMatchObject({ status: 'acknowledged', owner: WATER, awaiting: null, dueAt: t(10 + 24 * 60) });
    expect(ackAssignment!.assignment?.acknowledgedAt).toBe(t(20));
  });

  it('feedback: back with the assigner for callback and closing, no deadline', () => {
    expect(feedback).toMatchObject({
      status: 'feedback',
      owner: H12345,
      dueAt: null,
      feedback: { result: 'resolved', at: t(120), station: WATER },
    });
  });

  it('callback recorded, still open', () => {
    expect(callback).toMatchObject({ status: 'feedback', callback: { satisfaction: 'satisfied', at: t(180) }, closedAt: null });
  });

  it('closed', () => {
    expect(closed).toMatchObject({
      status: 'closed',
      closedAt: t(181),
      dueAt: null,
      awaiting: null,
      eventCount: 9,
      updatedAt: t(181),
      createdAt: t(0),
      lastEventId: script.events[8]!.id,
      lastEventType: 'case.closed',
      returnCount: 0,
      assignmentCount: 1,
      urgeCount: 0,
      joinedCalls: 0,
      noteCount: 0,
      conflicts: [],
    });
    expect(closed!.stations).toEqual([P110.stationId, H12345.stationId, WATER.stationId]);
  });

  it('foldCase of the recorded events gives the same case as applying them one by one', () => {
    expect(foldCase(script.events)).toEqual(closed);
  });

  it('applyEvent never changes the state it was given', () => {
    let state: CaseState | undefined;
    for (const e of script.events) {
      const frozen = state ? structuredClone(state) : undefined;
      const next = applyEvent(state, e, 'strict');
      expect(state).toEqual(frozen);
      state = next;
    }
  });
});

describe('counts and side paths', () => {
  it('counts notes, urgings, joined calls; updatedAt is the latest time seen', () => {
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    s.add(H12345, 'case.noteAdded', { text: '来电人补充楼号' }, 1);
    s.add(H12345, 'case.callJoined', { receivedAt: s.t(2), caller: { name: '李四' }, description: '同一小区停水' }, 2);
    s.add(H12345, 'case.callJoined', { receivedAt: s.t(3), caller: { anonymous: true }, description: '同一小区停水' }, 3);
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(33), feedbackDueBy: s.t(600) }, 4);
    s.add(H12345, 'case.urged', { text: '请尽快签收' }, 30);
    s.add(H12345, 'case.urged', { text: '已超时，请立即签收' }, 40);
    s.add(H12345, 'case.noteAdded', { text: '电话联系供水公司' }, 41);
    const state = foldStrict(s.events);
    expect(state).toMatchObject({ status: 'assigned', noteCount: 2, joinedCalls: 2, urgeCount: 2, eventCount: 8, updatedAt: s.t(41) });
    // a hotline intake starts pending: 12345 takes non-police requests directly
    expect(foldStrict(s.events.slice(0, 1)).status).toBe('pending');
  });

  it('a returned assignment goes back to the assigner and is counted; reassignment clears the old round', () => {
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    s.add(H12345, 'case.assigned', { lead: TO_HEAT, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
    s.add(HEAT, 'case.acknowledged', { of: 'assignment', station: HEAT }, 5);
    s.add(HEAT, 'case.extensionRequested', { reason: '需核实', until: s.t(900) }, 6);
    s.add(HEAT, 'case.returned', { reason: '属于供水问题，非供热', station: HEAT }, 7);
    const returned = foldStrict(s.events);
    expect(returned).toMatchObject({ status: 'returned', owner: H12345, awaiting: null, dueAt: null, returnCount: 1, department: 'heating' });
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(40), feedbackDueBy: s.t(700) }, 10);
    const again = foldStrict(s.events);
    expect(again).toMatchObject({ status: 'assigned', owner: H12345, department: 'water', assignmentCount: 2, returnCount: 1, extension: null, feedback: null, dueAt: s.t(40) });
  });

  it('an unacknowledged assignment returned goes back to its sender', () => {
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    s.add(H12345, 'case.assigned', { lead: TO_HEAT, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
    s.add(HEAT, 'case.returned', { reason: '不属于本单位', station: HEAT }, 3);
    expect(foldStrict(s.events)).toMatchObject({ status: 'returned', owner: H12345, returnCount: 1 });
  });

  it('a returned transfer goes back to the desk that sent it', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(31) }, 1);
    s.add(H12345, 'case.returned', { reason: '信息不全，请补充地址', station: H12345 }, 4);
    expect(foldStrict(s.events)).toMatchObject({ status: 'pending', owner: P110, awaiting: null, dueAt: null, returnCount: 1 });
  });

  it('a transfer sent on by 12345 and returned goes back to 12345, not to the 110 desk that first took the call', () => {
    // first-contact responsibility: the sender owns a hand-over until it is acknowledged, so
    // a return lands with the sender
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(31) }, 1);
    s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 2);
    s.add(H12345, 'case.transferred', { to: TO_COUNTY, threeWayCall: false, ackDueBy: s.t(33) }, 3);
    expect(foldStrict(s.events)).toMatchObject({ status: 'transferred', owner: H12345, awaiting: TO_COUNTY });
    s.add(COUNTY, 'case.returned', { reason: '不在本县辖区', station: COUNTY }, 5);
    expect(foldStrict(s.events)).toMatchObject({ status: 'pending', owner: H12345, returnCount: 1 });
  });

  it('an extension granted moves the feedback deadline; one refused does not', () => {
    const base = () => {
      const s = new CaseScript();
      s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
      s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
      s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 2);
      s.add(WATER, 'case.extensionRequested', { reason: '需更换主管道', until: s.t(3000) }, 3);
      return s;
    };
    const pendingRequest = foldStrict(base().events);
    expect(pendingRequest.extension).toEqual({ requestedUntil: pendingRequest.extension!.requestedUntil, reason: '需更换主管道', granted: null });
    expect(pendingRequest.dueAt).toBe(pendingRequest.assignment!.feedbackDueBy);

    const yes = base();
    yes.add(H12345, 'case.extensionDecided', { granted: true, until: yes.t(2400) }, 4);
    const granted = foldStrict(yes.events);
    expect(granted.dueAt).toBe(yes.t(2400));
    expect(granted.assignment!.feedbackDueBy).toBe(yes.t(2400));
    expect(granted.extension!.granted).toBe(true);

    const no = base();
    no.add(H12345, 'case.extensionDecided', { granted: false, until: null, reason: '不符合延期条件' }, 4);
    const refused = foldStrict(no.events);
    expect(refused.dueAt).toBe(no.t(600));
    expect(refused.extension!.granted).toBe(false);

    // a request still waiting lapses when the department reports (or returns the case): no
    // approval can then move a deadline that has passed into history
    const reported = base();
    reported.add(WATER, 'case.feedback', { result: 'resolved', text: '已抢修', station: WATER }, 4);
    const afterFeedback = foldStrict(reported.events);
    expect(afterFeedback.extension).toBeNull();
    expect(() => applyEvent(afterFeedback, reported.add(H12345, 'case.extensionDecided', { granted: true, until: reported.t(2400) }, 5))).toThrow(
      /没有待审批的延期申请/,
    );
    const returned = base();
    returned.add(WATER, 'case.returned', { reason: '不属本单位职责', station: WATER }, 4);
    expect(foldStrict(returned.events).extension).toBeNull();
  });

  it('an approval after the feedback (a request granted late) is refused: the feedback keeps its deadline', () => {
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
    s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, 2);
    s.add(WATER, 'case.extensionRequested', { reason: '需更换主管道', until: s.t(3000) }, 3);
    const acknowledged = foldStrict(s.events);
    const decided = s.add(H12345, 'case.extensionDecided', { granted: true, until: s.t(2400) }, 5);
    // while acknowledged: allowed
    expect(applyEvent(acknowledged, decided).dueAt).toBe(s.t(2400));
    // a state that is not acknowledged but still holds a pending request (folded by an older
    // version): the decision is refused, and in a replay kept only as a conflict
    const reported = { ...acknowledged, status: 'feedback' as const, dueAt: null };
    expect(() => applyEvent(reported, decided)).toThrow(/不能审批延期/);
    const lenient = applyEvent(reported, decided, 'replay');
    expect(lenient.dueAt).toBeNull();
    expect(lenient.conflicts.map((c) => c.type)).toEqual(['case.extensionDecided']);
  });

  it('a police matter stays with 110 and can be closed there; a reopened case is pending again', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'police', reason: '涉嫌盗窃' }, 1);
    expect(foldStrict(s.events)).toMatchObject({ status: 'police', owner: P110 });
    s.add(P110, 'case.closed', { summary: '已出警处置' }, 30);
    const closed = foldStrict(s.events);
    expect(closed).toMatchObject({ status: 'closed', closedAt: s.t(30) });
    s.add(P110, 'case.reopened', { reason: '当事人再次报警' }, 60);
    expect(foldStrict(s.events)).toMatchObject({ status: 'pending', closedAt: null, feedback: null, callback: null });
  });

  it('a case reopened after the full road is pending with 12345, who can assign it again', () => {
    // "pending" means: in its owner's hands, awaiting transfer or assignment. The department
    // that reported cannot assign; the hotline that assigned it owns it again.
    const s = fullLifecycle();
    s.add(H12345, 'case.reopened', { reason: '群众反映再次停水' }, 300);
    const reopened = foldStrict(s.events);
    expect(reopened).toMatchObject({ status: 'pending', owner: H12345, awaiting: null, dueAt: null, closedAt: null });
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(330), feedbackDueBy: s.t(900) }, 301);
    const again = foldStrict(s.events);
    expect(again.assignment!.by).toEqual(H12345);
    expect(again.owner).toEqual(H12345);
    expect(again.assignmentCount).toBe(2);
    s.add(WATER, 'case.returned', { reason: '已处理过，非本单位问题', station: WATER }, 302);
    expect(foldStrict(s.events)).toMatchObject({ status: 'returned', owner: H12345 });
  });

  it('a shift handover is not a case event', () => {
    const s = new CaseScript();
    const h = s.add(P110, 'shift.handover', { shiftStart: s.t(-480), shiftEnd: s.t(0), outgoing: ['王强'], sheet: {} }, 0);
    expect(() => applyEvent(undefined, h)).toThrow(DomainError);
    expect(foldCase([h])).toBeUndefined();
  });
});

describe('strict and replay modes', () => {
  function upToAssigned() {
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
    return s;
  }

  it('strict refuses an event the case does not allow, with a plain reason', () => {
    const s = upToAssigned();
    const state = foldStrict(s.events);
    const early = s.add(WATER, 'case.feedback', { result: 'resolved', text: '已处理', station: WATER }, 2);
    expect(() => applyEvent(state, early, 'strict')).toThrow(DomainError);
    expect(() => applyEvent(state, early, 'strict')).toThrow(/尚未签收/);
    try {
      applyEvent(state, early);
    } catch (e) {
      expect((e as DomainError).name).toBe('DomainError');
      expect((e as DomainError).message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('replay keeps the event as a conflict on the case and leaves its status alone', () => {
    const s = upToAssigned();
    const state = foldStrict(s.events);
    const early = s.add(WATER, 'case.feedback', { result: 'resolved', text: '已处理', station: WATER }, 2);
    const next = applyEvent(state, early, 'replay');
    expect(next.status).toBe('assigned');
    expect(next.feedback).toBeNull();
    expect(next.conflicts).toEqual([
      { eventId: early.id, type: 'case.feedback', at: early.at, stationId: WATER.stationId, reason: expect.stringMatching(/尚未签收/) },
    ]);
    // it still counts as seen: the case shows it took part
    expect(next.eventCount).toBe(state.eventCount + 1);
    expect(next.lastEventId).toBe(early.id);
    expect(next.stations).toContain(WATER.stationId);
  });

  it('two units acknowledging the same transfer while apart: the second is a conflict, not lost', () => {
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(31) }, 2);
    const a = s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 3);
    const b = s.add(COUNTY, 'case.acknowledged', { of: 'transfer', station: COUNTY }, 4);
    const state = foldCase(s.events)!;
    expect(state.owner).toEqual(H12345);
    expect(state.conflicts.map((c) => c.eventId)).toEqual([b.id]);
    expect(state.conflicts.map((c) => c.eventId)).not.toContain(a.id);
  });

  it('an event for a case that does not exist is refused in both modes', () => {
    const s = upToAssigned();
    const orphan = s.events[1]!;
    expect(() => applyEvent(undefined, orphan, 'strict')).toThrow(/工单不存在/);
    expect(() => applyEvent(undefined, orphan, 'replay')).toThrow(DomainError);
  });

  it('foldCase waits for the creation: events before it are not folded into nothing', () => {
    const s = upToAssigned();
    expect(foldCase(s.events.slice(1))).toBeUndefined();
    expect(foldCase([...s.events].reverse())).toEqual(foldStrict(s.events));
  });

  it('a second creation of the same case is a conflict in replay', () => {
    const s = upToAssigned();
    const dup = s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 3);
    const state = foldCase(s.events)!;
    expect(state.conflicts).toHaveLength(1);
    expect(state.conflicts[0]!.eventId).toBe(dup.id);
    expect(state.conflicts[0]!.reason).toMatch(/重复登记/);
  });
});

describe('compareForFold', () => {
  const e = (stationId: string, seq: number, at: number, id: string, hubSeq: number | null = null) => ({
    stationId,
    seq,
    at: new Date(T0 + at * MIN).toISOString(),
    id,
    hubSeq,
  });

  it('hub-sequenced events come first, in hub order, whatever their clocks say', () => {
    const a = e('st-a', 5, 100, 'A', 2);
    const b = e('st-b', 1, 0, 'B', 1);
    const c = e('st-a', 1, -50, 'C', null);
    expect(compareForFold(b, a)).toBeLessThan(0);
    expect(compareForFold(a, b)).toBeGreaterThan(0);
    expect(compareForFold(a, c)).toBeLessThan(0);
    expect(compareForFold(c, a)).toBeGreaterThan(0);
    expect([c, a, b].sort(compareForFold)).toEqual([b, a, c]);
  });

  it('events not yet at the hub: one station in its own sequence, even if its clock went back', () => {
    const first = e('st-a', 1, 10, 'Z');
    const second = e('st-a', 2, 5, 'A');
    expect(compareForFold(first, second)).toBeLessThan(0);
    expect(compareForFold(second, first)).toBeGreaterThan(0);
  });

  it('different stations: by time, then by id', () => {
    expect(compareForFold(e('st-b', 9, 1, 'Z'), e('st-a', 1, 2, 'A'))).toBeLessThan(0);
    expect(compareForFold(e('st-b', 9, 1, 'A'), e('st-a', 1, 1, 'B'))).toBeLessThan(0);
    expect(compareForFold(e('st-b', 9, 1, 'B'), e('st-a', 1, 1, 'A'))).toBeGreaterThan(0);
  });

  it('sorting puts hub events first in hub order, then each station in seq order', () => {
    const arb = fc.array(
      fc.record({ station: fc.constantFrom('st-a', 'st-b', 'st-c'), step: fc.integer({ min: 0, max: 3 }), hub: fc.boolean() }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.nat(), (specs, rot) => {
        const seqs: Record<string, number> = {};
        const clocks: Record<string, number> = {};
        let hub = 0;
        const list = specs.map((sp, i) => {
          seqs[sp.station] = (seqs[sp.station] ?? 0) + 1;
          clocks[sp.station] = (clocks[sp.station] ?? 0) + sp.step; // each desk's clock runs forward, ties allowed
          return e(sp.station, seqs[sp.station]!, clocks[sp.station]!, `id${String(i).padStart(3, '0')}`, sp.hub ? ++hub : null);
        });
        const k = list.length ? rot % list.length : 0;
        const sorted = [...list.slice(k), ...list.slice(0, k)].reverse().sort(compareForFold);
        const hubPart = sorted.filter((x) => x.hubSeq !== null);
        expect(sorted.slice(0, hubPart.length)).toEqual(hubPart);
        expect(hubPart.map((x) => x.hubSeq)).toEqual(hubPart.map((x) => x.hubSeq).sort((p, q) => p! - q!));
        const rest = sorted.slice(hubPart.length);
        for (const st of ['st-a', 'st-b', 'st-c']) {
          const seqOrder = rest.filter((x) => x.stationId === st).map((x) => x.seq);
          expect(seqOrder).toEqual([...seqOrder].sort((p, q) => p - q));
        }
        // between desks, time decides
        for (let i = 1; i < rest.length; i++) {
          if (rest[i]!.stationId !== rest[i - 1]!.stationId) expect(rest[i - 1]!.at <= rest[i]!.at).toBe(true);
        }
      }),
    );
  });

  it('is antisymmetric', () => {
    const arb = fc.record({
      stationId: fc.constantFrom('st-a', 'st-b'),
      seq: fc.integer({ min: 1, max: 5 }),
      at: fc.integer({ min: 0, max: 3 }),
      id: fc.constantFrom('A', 'B', 'C'),
      hubSeq: fc.option(fc.integer({ min: 1, max: 5 })),
    });
    fc.assert(
      fc.property(arb, arb, (x, y) => {
        const a = e(x.stationId, x.seq, x.at, x.id, x.hubSeq);
        const b = e(y.stationId, y.seq, y.at, y.id, y.hubSeq);
        expect(Math.sign(compareForFold(a, b))).toBe(-Math.sign(compareForFold(b, a)) || 0);
      }),
    );
  });
});

describe('determinism: every station computes the same case from the same events', () => {
  const desks = [P110, H12345, WATER, HEAT];
  /** a busy case: the full lifecycle with notes, urgings, joined calls and stray feedback from several desks */
  function busyCase(extra: Array<{ who: number; kind: number; minute: number }>): RelayEvent[] {
    const steps: Step[] = [...LIFECYCLE];
    for (const x of extra) {
      const by = desks[x.who]!;
      const record: Step['record'] =
        x.kind === 0
          ? (s, m) => s.add(by, 'case.noteAdded', { text: `备注 ${m}` }, m)
          : x.kind === 1
            ? (s, m) => s.add(by, 'case.urged', { text: `督办 ${m}` }, m)
            : x.kind === 2
              ? (s, m) => s.add(by, 'case.callJoined', { receivedAt: s.t(m), caller: { anonymous: true }, description: '又一来电' }, m)
              : (s, m) => s.add(by, 'case.feedback', { result: 'partlyResolved', text: '补充反馈', station: by }, m);
      steps.push({ minute: x.minute, record });
    }
    return play(steps).events;
  }
  const extraArb = fc.array(
    fc.record({ who: fc.integer({ min: 0, max: 3 }), kind: fc.integer({ min: 0, max: 3 }), minute: fc.integer({ min: 0, max: 200 }) }),
    { maxLength: 12 },
  );

  /** the hub has sequenced a prefix of each station's events, interleaved in some order */
  function withHubSeq(events: RelayEvent[], hubShare: number[], order: number[]): Array<RelayEvent & { hubSeq: number | null }> {
    const byStation = new Map<string, RelayEvent[]>();
    for (const ev of events) byStation.set(ev.stationId, [...(byStation.get(ev.stationId) ?? []), ev]);
    const queues = [...byStation.values()].map((list, i) => list.slice(0, Math.min(list.length, hubShare[i % hubShare.length] ?? 0)));
    const hubSeqOf = new Map<string, number>();
    let n = 0;
    for (let k = 0; queues.some((q) => q.length > 0); k++) {
      const open = queues.filter((q) => q.length > 0);
      const q = open[(order[k % order.length] ?? 0) % open.length]!;
      hubSeqOf.set(q.shift()!.id, ++n);
    }
    return events.map((ev) => ({ ...ev, hubSeq: hubSeqOf.get(ev.id) ?? null }));
  }
  const permutationOf = <T,>(xs: T[]) => fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });

  it('foldCase gives the same state for any arrival order (clocks run forward)', () => {
    fc.assert(
      fc.property(
        extraArb,
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        (extra, hubShare, order) => {
          const events = withHubSeq(busyCase(extra), hubShare, order);
          const reference = foldCase(events);
          expect(reference).toBeDefined();
          fc.assert(
            fc.property(permutationOf(events), (shuffled) => {
              expect(foldCase(shuffled)).toEqual(reference);
            }),
            { numRuns: 10 },
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with nothing at the hub yet and clocks running forward, the fold is the strict fold in time order', () => {
    fc.assert(
      fc.property(extraArb, (extra) => {
        const events = busyCase(extra);
        const inTimeOrder = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
        let expected: CaseState | undefined;
        for (const ev of inTimeOrder) expected = applyEvent(expected, ev, 'replay');
        expect(foldCase([...events].reverse())).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('foldCase gives the same state for any arrival order even when desk clocks disagree or jump back', () => {
    // an offline desk's clock can be wrong, and can be corrected backwards between two of its
    // events; the fold must still be one function of the set of events
    fc.assert(
      fc.property(
        extraArb,
        fc.array(fc.integer({ min: -240, max: 240 }), { minLength: 20, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        (extra, skews, hubShare, order) => {
          const skewed = busyCase(extra).map((ev, i) => ({ ...ev, at: new Date(Date.parse(ev.at) + skews[i % skews.length]! * MIN).toISOString() }));
          const events = withHubSeq(skewed, hubShare, order);
          const reference = foldCase(events);
          fc.assert(
            fc.property(permutationOf(events), (shuffled) => {
              expect(foldCase(shuffled)).toEqual(reference);
            }),
            { numRuns: 10 },
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('orderForFold keeps hub order first and each desk in its own sequence, whatever the clocks', () => {
    fc.assert(
      fc.property(
        extraArb,
        fc.array(fc.integer({ min: -240, max: 240 }), { minLength: 20, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        (extra, skews, hubShare, order) => {
          const skewed = busyCase(extra).map((ev, i) => ({ ...ev, at: new Date(Date.parse(ev.at) + skews[i % skews.length]! * MIN).toISOString() }));
          const events = withHubSeq(skewed, hubShare, order);
          const ordered = orderForFold([...events].reverse());
          expect(new Set(ordered.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
          expect(ordered).toHaveLength(events.length);
          const hubCount = events.filter((e) => e.hubSeq !== null).length;
          expect(ordered.slice(0, hubCount).map((e) => e.hubSeq)).toEqual(
            events.filter((e) => e.hubSeq !== null).map((e) => e.hubSeq).sort((a, b) => a! - b!),
          );
          for (const desk of desks) {
            const seqs = ordered.slice(hubCount).filter((e) => e.stationId === desk.stationId).map((e) => e.seq);
            expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('when every event is hub-sequenced in the order recorded, any arrival order folds like the strict fold', () => {
    const script = fullLifecycle();
    const events = script.events.map((ev, i) => ({ ...ev, hubSeq: i + 1 }));
    const arrival = [4, 0, 8, 2, 6, 1, 7, 3, 5].map((i) => events[i]!);
    expect(foldCase(arrival)).toEqual(foldStrict(script.events));
  });
});

describe('county mode: 110 notifies the linked unit directly', () => {
  it('the unit acknowledges, acts and reports back to 110, which closes; the unit cannot close', () => {
    const county110 = stationOf(P110, 'police110');
    const unit = stationOf(COUNTY, 'unit');
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_COUNTY, threeWayCall: true, ackDueBy: s.t(31), feedbackDueBy: s.t(1440) }, 1);
    const sent = foldStrict(s.events);
    expect(sent).toMatchObject({ status: 'transferred', owner: P110, awaiting: TO_COUNTY, dueAt: s.t(31) });

    const ack = s.add(COUNTY, 'case.acknowledged', { of: 'transfer', station: COUNTY }, 5);
    expect(refusalForRole(sent, ack, unit)).toBeNull();
    const acting = foldStrict(s.events);
    expect(acting).toMatchObject({ status: 'acknowledged', owner: COUNTY, awaiting: null, dueAt: s.t(1440) });
    expect(acting.assignment).toMatchObject({ by: P110, lead: TO_COUNTY, acknowledgedAt: s.t(5) });

    const feedback = { type: 'case.feedback' as const, payload: { result: 'resolved' as const, text: '已到场处置', station: COUNTY } };
    expect(refusalForRole(acting, feedback, unit)).toBeNull();
    expect(refusalForRole(acting, { type: 'case.closed', payload: { summary: '' } }, unit)).not.toBeNull();
    s.add(COUNTY, 'case.feedback', feedback.payload, 60);
    const reported = foldStrict(s.events);
    expect(reported).toMatchObject({ status: 'feedback', owner: P110 });
    expect(refusalForRole(reported, { type: 'case.closed', payload: { summary: '' } }, county110)).toBeNull();
    s.add(P110, 'case.closed', { summary: '联动单位已处置' }, 61);
    expect(foldStrict(s.events)).toMatchObject({ status: 'closed', owner: P110 });
  });

  it('a unit that acknowledged and then returns the notice gives the case back to 110, pending: 110 can act on it again', () => {
    const county110 = stationOf(P110, 'police110');
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_COUNTY, threeWayCall: true, ackDueBy: s.t(31), feedbackDueBy: s.t(1440) }, 1);
    s.add(COUNTY, 'case.acknowledged', { of: 'transfer', station: COUNTY }, 5);
    s.add(COUNTY, 'case.returned', { reason: '不属本单位职责', station: COUNTY }, 10);
    const back = foldStrict(s.events);
    // not "returned" (waiting for an assignment 110 cannot make): pending with 110
    expect(back).toMatchObject({ status: 'pending', owner: P110, awaiting: null, dueAt: null, returnCount: 1 });
    // 110 can pass it on again, e.g. to 12345 (or screen it again)
    const toHotline = { type: 'case.transferred' as const, payload: { to: TO_HOTLINE, threeWayCall: false, note: '', ackDueBy: s.t(41) } };
    expect(refusalForRole(back, toHotline, county110)).toBeNull();
    s.add(P110, 'case.transferred', toHotline.payload, 11);
    expect(foldStrict(s.events)).toMatchObject({ status: 'transferred', owner: P110, awaiting: TO_HOTLINE });
  });
});

describe('hub order keeps each station its own sequence', () => {
  it('a creation the hub numbered after the same desk’s later events still folds first', () => {
    const s = new CaseScript();
    const created = s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    const screened = s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    const transferred = s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(31) }, 1);
    // the desk's second batch reached the hub first
    const held = [
      { ...screened, hubSeq: 1 },
      { ...transferred, hubSeq: 2 },
      { ...created, hubSeq: 3 },
    ];
    expect(orderForFold(held).map((e) => e.type)).toEqual(['case.created', 'case.screened', 'case.transferred']);
    expect(foldCase(held)).toMatchObject({ status: 'transferred', eventCount: 3, conflicts: [] });
    // another desk's event numbered in between still follows the hub where it can
    const ack = { ...s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 2), hubSeq: 4 };
    expect(orderForFold([ack, ...held]).map((e) => e.type)).toEqual(['case.created', 'case.screened', 'case.transferred', 'case.acknowledged']);
  });
});
