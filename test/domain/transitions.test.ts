import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  DomainError,
  refusalReason,
  STATUS_LABELS,
  STATUSES,
  type CaseState,
  type EventType,
  type RelayEvent,
  type Status,
} from '../../src-common/domain';
import { CaseScript, createdPayload, H12345, HEAT, P110, TO_HOTLINE, TO_WATER, WATER } from './fixtures';

const CJK = /[\u4e00-\u9fff]/;

function fold(events: readonly RelayEvent[]): CaseState {
  let state: CaseState | undefined;
  for (const e of events) state = applyEvent(state, e, 'strict');
  return state!;
}

/** A script that brings a case to the given status by the ordinary road. */
function reach(status: Status): CaseScript {
  const s = new CaseScript();
  const m = { n: 0 };
  const next = () => ++m.n;
  if (status === 'new' || status === 'police' || status === 'transferred') {
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    if (status === 'police') s.add(P110, 'case.screened', { verdict: 'police', reason: '打架斗殴' }, next());
    if (status === 'transferred') {
      s.add(P110, 'case.screened', { verdict: 'nonPolice' }, next());
      s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(40) }, next());
    }
    return s;
  }
  s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
  if (status === 'pending') return s;
  s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, next());
  if (status === 'assigned') return s;
  if (status === 'returned') {
    s.add(WATER, 'case.returned', { reason: '不属于本单位', station: WATER }, next());
    return s;
  }
  s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, next());
  if (status === 'acknowledged') return s;
  s.add(WATER, 'case.feedback', { result: 'resolved', text: '已修复', station: WATER }, next());
  if (status === 'feedback') return s;
  s.add(H12345, 'case.closed', {}, next());
  return s;
}

/** one attempt of each kind, made against a script (not recorded into it) */
type Attempt = { name: string; make: (s: CaseScript) => RelayEvent };
function attempt<T extends EventType>(name: string, type: T, payload: (s: CaseScript) => unknown, by = H12345): Attempt {
  return {
    name,
    make: (s) => {
      const probe = new CaseScript(s.start, s.caseId);
      return probe.add(by, type, payload(s) as never, 500) as RelayEvent;
    },
  };
}

const ATTEMPTS: Attempt[] = [
  attempt('case.created', 'case.created', () => createdPayload(H12345, 'hotline12345')),
  attempt('case.screened', 'case.screened', () => ({ verdict: 'nonPolice' }), P110),
  attempt('case.transferred', 'case.transferred', (s) => ({ to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(600) }), P110),
  attempt('case.noteAdded', 'case.noteAdded', () => ({ text: '备注' })),
  attempt('case.assigned', 'case.assigned', (s) => ({ lead: TO_WATER, ackDueBy: s.t(600), feedbackDueBy: s.t(900) })),
  attempt('ack transfer', 'case.acknowledged', () => ({ of: 'transfer', station: H12345 })),
  attempt('ack assignment', 'case.acknowledged', () => ({ of: 'assignment', station: WATER }), WATER),
  attempt('case.returned', 'case.returned', () => ({ reason: '非本单位职责', station: HEAT }), HEAT),
  attempt('case.feedback', 'case.feedback', () => ({ result: 'resolved', text: '已处理', station: WATER }), WATER),
  attempt('case.extensionRequested', 'case.extensionRequested', (s) => ({ reason: '需协调', until: s.t(5000) }), WATER),
  attempt('case.extensionDecided', 'case.extensionDecided', (s) => ({ granted: true, until: s.t(5000) })),
  attempt('case.urged', 'case.urged', () => ({ text: '请尽快办理' })),
  attempt('case.callback', 'case.callback', () => ({ satisfaction: 'satisfied' })),
  attempt('case.closed', 'case.closed', () => ({ summary: '办结' })),
  attempt('case.reopened', 'case.reopened', () => ({ reason: '群众反映未解决' })),
  attempt('case.callJoined', 'case.callJoined', (s) => ({ receivedAt: s.t(499), caller: { anonymous: true }, description: '同一事项' })),
];

// What the policy allows in each status (DOMAIN.md "Rules the policy implies"), written out
// by hand so the test does not read it back from transitions.ts.
const OPEN = STATUSES.filter((s) => s !== 'closed');
const ALLOWED: Record<string, readonly Status[]> = {
  'case.created': [], // a case is created once
  'case.screened': ['new', 'pending', 'police'], // screening (or correcting it) before any hand-over
  'case.transferred': ['pending'], // only a non-police case in hand can be handed to 12345
  'case.noteAdded': STATUSES, // notes are always welcome
  'case.assigned': ['pending', 'returned'], // assign, or reassign a returned one
  'ack transfer': ['transferred'],
  'ack assignment': ['assigned'],
  'case.returned': ['transferred', 'assigned', 'acknowledged'], // a receiver can send a misrouted item back
  'case.feedback': ['acknowledged', 'feedback'], // only after acknowledging; more feedback may follow
  'case.extensionRequested': ['acknowledged'],
  'case.extensionDecided': [], // nothing to decide without a pending request
  'case.urged': OPEN,
  'case.callback': ['feedback'],
  'case.closed': ['feedback', 'police'], // closed after feedback, or a police matter closed by 110
  'case.reopened': ['closed'],
  'case.callJoined': OPEN,
};

describe('the transition table', () => {
  it('covers every status and every kind of event', () => {
    expect(ATTEMPTS.map((a) => a.name).sort()).toEqual(Object.keys(ALLOWED).sort());
    for (const status of STATUSES) expect(fold(reach(status).events).status).toBe(status);
  });

  for (const status of STATUSES) {
    describe(`in status ${status} (${STATUS_LABELS[status]})`, () => {
      for (const a of ATTEMPTS) {
        const allowed = ALLOWED[a.name]!.includes(status);
        it(`${a.name} is ${allowed ? 'allowed' : 'refused'}`, () => {
          const script = reach(status);
          const state = fold(script.events);
          const event = a.make(script);
          const reason = refusalReason(state, event);
          if (allowed) {
            expect(reason).toBeNull();
            expect(() => applyEvent(state, event, 'strict')).not.toThrow();
          } else {
            expect(reason).toMatch(CJK);
            expect(() => applyEvent(state, event, 'strict')).toThrow(DomainError);
            expect(() => applyEvent(state, event, 'strict')).toThrow(reason!);
            // in replay the same event is kept as a conflict, and the status does not move
            const replayed = applyEvent(state, event, 'replay');
            expect(replayed.status).toBe(state.status);
            expect(replayed.conflicts.at(-1)).toMatchObject({ eventId: event.id, reason });
          }
        });
      }
    });
  }
});

describe('the refusals the policy cares about', () => {
  it('feedback on an item the department has not acknowledged', () => {
    const s = reach('assigned');
    const event = ATTEMPTS.find((a) => a.name === 'case.feedback')!.make(s);
    expect(refusalReason(fold(s.events), event)).toBe('尚未签收，不能反馈办理情况');
  });

  it('feedback on a transfer nobody has acknowledged', () => {
    const s = reach('transferred');
    const event = ATTEMPTS.find((a) => a.name === 'case.feedback')!.make(s);
    expect(refusalReason(fold(s.events), event)).toContain(STATUS_LABELS.transferred);
  });

  it('closing without feedback', () => {
    for (const status of ['assigned', 'acknowledged'] as const) {
      const s = reach(status);
      const event = ATTEMPTS.find((a) => a.name === 'case.closed')!.make(s);
      expect(refusalReason(fold(s.events), event)).toBe('尚未收到办理反馈，不能办结');
    }
  });

  it('transferring a police matter', () => {
    const s = reach('police');
    const event = ATTEMPTS.find((a) => a.name === 'case.transferred')!.make(s);
    const reason = refusalReason(fold(s.events), event);
    expect(reason).toContain(STATUS_LABELS.police);
    expect(reason).toContain('转办');
  });

  it('transferring a police matter that was reopened: still a police matter', () => {
    const s = reach('police');
    s.add(P110, 'case.closed', {}, 10);
    s.add(P110, 'case.reopened', { reason: '当事人再次报警' }, 11);
    const state = fold(s.events);
    expect(state.status).toBe('pending');
    const event = ATTEMPTS.find((a) => a.name === 'case.transferred')!.make(s);
    expect(refusalReason(state, event)).toBe('警务类事项由 110 处置，不能转办');
  });

  it('a police verdict corrected to non-police can be transferred', () => {
    const s = reach('police');
    s.add(P110, 'case.screened', { verdict: 'nonPolice', reason: '经核实为供水问题' }, 10);
    const event = ATTEMPTS.find((a) => a.name === 'case.transferred')!.make(s);
    expect(refusalReason(fold(s.events), event)).toBeNull();
  });

  it('screening a case already transferred', () => {
    const s = reach('transferred');
    const event = ATTEMPTS.find((a) => a.name === 'case.screened')!.make(s);
    expect(refusalReason(fold(s.events), event)).toBe(`工单当前为“${STATUS_LABELS.transferred}”，不能甄别`);
  });

  it('acknowledging the wrong kind of hand-over', () => {
    const assigned = reach('assigned');
    expect(refusalReason(fold(assigned.events), ATTEMPTS.find((a) => a.name === 'ack transfer')!.make(assigned))).toContain('签收转办');
    const transferred = reach('transferred');
    expect(refusalReason(fold(transferred.events), ATTEMPTS.find((a) => a.name === 'ack assignment')!.make(transferred))).toContain('签收派单');
  });

  it('deciding an extension twice', () => {
    const s = reach('acknowledged');
    s.add(WATER, 'case.extensionRequested', { reason: '需协调', until: s.t(3000) }, 20);
    const decide = ATTEMPTS.find((a) => a.name === 'case.extensionDecided')!;
    expect(refusalReason(fold(s.events), decide.make(s))).toBeNull();
    s.add(H12345, 'case.extensionDecided', { granted: false, until: null }, 21);
    expect(refusalReason(fold(s.events), decide.make(s))).toBe('没有待审批的延期申请');
  });

  it('urging or joining a call to a closed case', () => {
    const s = reach('closed');
    const state = fold(s.events);
    expect(refusalReason(state, ATTEMPTS.find((a) => a.name === 'case.urged')!.make(s))).toBe('工单已办结，无需督办');
    expect(refusalReason(state, ATTEMPTS.find((a) => a.name === 'case.callJoined')!.make(s))).toBe('工单已办结，不能并单');
  });

  it('anything but a creation for a case that does not exist', () => {
    const s = reach('pending');
    for (const a of ATTEMPTS) {
      const reason = refusalReason(undefined, a.make(s));
      if (a.name === 'case.created') expect(reason).toBeNull();
      else expect(reason).toBe('工单不存在，无法记录此操作');
    }
  });

  it('a shift handover is never refused by the case rules', () => {
    const s = reach('closed');
    const h = new CaseScript(s.start, s.caseId).add(P110, 'shift.handover', { shiftStart: s.t(0), shiftEnd: s.t(480), outgoing: ['王强'], sheet: {} }, 480);
    expect(refusalReason(undefined, h)).toBeNull();
    expect(refusalReason(fold(s.events), h)).toBeNull();
  });
});
