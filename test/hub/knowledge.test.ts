/**
 * Judging a pushed event by the case as its station knew it (src-hub/sync/knowledge.ts),
 * without a database: the rows a push would load are built by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCase, type RelayEvent } from '../../src-common/domain';
import { START, type Cursor } from '../../src-hub/sync/cursor';
import { StationKnowledge, type LoggedEvent } from '../../src-hub/sync/knowledge';
import { Desk, toDepartment, toHotline } from './helpers/desk';

const p110 = Desk.of('k-p110', 'police110');
const hotline = Desk.of('k-h12345', 'hotline12345', '全市');
const hotline2 = Desk.of('k-h12345-b', 'hotline12345', '全市');
const water = Desk.of('k-water', 'unit', '兰山区', 'water');

/** A log being built: each event numbered in order. */
function log(...events: RelayEvent[]): LoggedEvent[] {
  return events.map((event, i) => ({ hubSeq: i + 1, event }));
}

function knowledge(desk: Desk, logged: LoggedEvent[], opts: { grant?: number; handedOut?: Cursor; contiguous?: number } = {}) {
  const caseIds = new Set(logged.map((l) => l.event.caseId));
  const grants = new Map<string, number>();
  if (opts.grant !== undefined) for (const id of caseIds) grants.set(id, opts.grant);
  const own = logged.filter((l) => l.event.stationId === desk.info.stationId).map((l) => l.event.seq);
  return new StationKnowledge({
    me: desk.info,
    logged,
    grants,
    handedOut: opts.handedOut ?? START,
    // unless a test says otherwise, the hub holds every earlier event of the desk
    contiguousSeq: opts.contiguous ?? Number.MAX_SAFE_INTEGER,
    heldAbove: own,
  });
}

const at = (n: number): Cursor => ({ pos: n, hubSeq: n });

/** 110 takes a burst main, screens it and hands it to 12345, which acknowledges and assigns it to water supply. */
function assignedCase() {
  const c = p110.created('自来水主管道爆裂');
  const events = [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline()), hotline.acknowledged(c.caseId, 'transfer'), hotline.assigned(c.caseId, toDepartment('water'))];
  return { caseId: c.caseId, logged: log(...events) };
}

describe('StationKnowledge', () => {
  it('refuses feedback on an assignment nobody acknowledged, with the domain reason', () => {
    const { caseId, logged } = assignedCase();
    const k = knowledge(water, logged, { grant: 5, handedOut: at(5) });
    const feedback = water.feedback(caseId);
    expect(k.refusal(feedback, at(5))).toBe('尚未签收，不能反馈办理情况');
    // acknowledged first (accepted earlier in the same batch): then feedback is lawful
    const ack = water.acknowledged(caseId, 'assignment');
    expect(k.refusal(ack, at(5))).toBeNull();
    k.accepted(ack, 6);
    const after = water.feedback(caseId);
    expect(k.refusal(after, at(5))).toBeNull();
  });

  it('refuses closing before any feedback, and allows it once the feedback was delivered to the closer', () => {
    const { caseId, logged } = assignedCase();
    const ack = water.acknowledged(caseId, 'assignment');
    const fb = water.feedback(caseId);
    const all = [...logged, { hubSeq: 6, event: ack }, { hubSeq: 7, event: fb }];
    const closeEarly = hotline.closed(caseId);
    // the hotline had pulled only up to the acknowledgement: no feedback yet
    expect(knowledge(hotline, all, { grant: 3, handedOut: at(7) }).refusal(closeEarly, at(6))).toBe('尚未收到办理反馈，不能办结');
    // with the feedback delivered (basis 7) the same close is lawful
    expect(knowledge(hotline, all, { grant: 3, handedOut: at(7) }).refusal(hotline.closed(caseId), at(7))).toBeNull();
  });

  it('keeps two desks that acted apart: the second acknowledgement is judged without the first', () => {
    const c = p110.created();
    const logged = log(c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline()), hotline.acknowledged(c.caseId, 'transfer'));
    const second = hotline2.acknowledged(c.caseId, 'transfer');
    const k = knowledge(hotline2, logged, { grant: 3, handedOut: at(4) });
    // recorded having seen only up to the transfer (3): lawful then; the fold shows the conflict
    expect(k.refusal(second, at(3))).toBeNull();
    const folded = foldCase([...logged.map((l) => ({ ...l.event, hubSeq: l.hubSeq })), { ...second, hubSeq: 5 }]);
    expect(folded?.conflicts.length).toBe(1);
    // recorded after it had seen the first acknowledgement (4): refused
    expect(k.refusal(hotline2.acknowledged(c.caseId, 'transfer'), at(4))).toMatch(/签收转办/);
  });

  it('never judges by more than the hub handed the station, whatever basis it claims', () => {
    const c = p110.created();
    const logged = log(c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline()));
    const k = knowledge(hotline, logged, { grant: 3, handedOut: at(2) });
    expect(k.basisFor(at(9))).toEqual(at(2));
    expect(k.basisFor(at(1))).toEqual(at(1));
    expect(k.basisFor(undefined)).toEqual(at(2));
    // it claims to know the transfer (3) but was handed only up to 2: the case is unknown to it
    // (its events before the grant come at the grant, 3)
    expect(k.refusal(hotline.acknowledged(c.caseId, 'transfer'), at(3))).toBe('工单不存在，无法记录此操作');
  });

  it('delivers a case\'s earlier events at the grant: a "P.H" cursor part-way through them counts only those before', () => {
    const c = p110.created();
    const logged = log(c, p110.screened(c.caseId), p110.note(c.caseId), p110.transferred(c.caseId, toHotline()));
    const k = knowledge(hotline, logged, { grant: 4, handedOut: at(4) });
    const probe = hotline.acknowledged(c.caseId, 'transfer');
    expect(k.knownEvents(probe, { pos: 4, hubSeq: 2 }).map((e) => e.hubSeq)).toEqual([1, 2]);
    expect(k.knownEvents(probe, at(4)).map((e) => e.hubSeq)).toEqual([1, 2, 3, 4]);
    expect(k.knownEvents(probe, at(3))).toEqual([]);
  });

  it('does not judge an event that arrives before its station\'s earlier ones (a gap below its seq)', () => {
    const d = Desk.of('k-p110-gap', 'police110');
    const c = d.created();
    const s = d.screened(c.caseId);
    const t = d.transferred(c.caseId, toHotline());
    // the transfer arrives alone: seq 1 and 2 are not at the hub yet
    const k = knowledge(d, [], { contiguous: 0 });
    expect(k.canJudge(t)).toBe(false);
    expect(k.refusal(t, undefined)).toBeNull();
    // in order, its own earlier events are what it knew
    const k2 = knowledge(d, [], { contiguous: 0 });
    expect(k2.refusal(c, undefined)).toBeNull();
    k2.accepted(c, 1);
    expect(k2.canJudge(t)).toBe(false); // seq 2 still missing
    expect(k2.refusal(s, undefined)).toBeNull();
    k2.accepted(s, 2);
    expect(k2.canJudge(t)).toBe(true);
    expect(k2.refusal(t, undefined)).toBeNull();
    // and with no gap, a transfer of a case never screened is refused
    const e = Desk.of('k-p110-hasty', 'police110');
    const c3 = e.created();
    const k3 = knowledge(e, [], { contiguous: 0 });
    k3.accepted(c3, 1);
    expect(k3.refusal(e.transferred(c3.caseId, toHotline()), undefined)).toMatch(/不能转办/);
  });

  it('refuses an event on a case the station never saw, and a second creation of a case', () => {
    const { caseId, logged } = assignedCase();
    const stranger = Desk.of('k-water-2', 'unit', '兰山区', 'water');
    const k = knowledge(stranger, logged, { handedOut: at(5) }); // no grant: never visible
    expect(k.refusal(stranger.note(caseId), at(5))).toBe('工单不存在，无法记录此操作');
    const again = p110.created('重复', caseId);
    expect(knowledge(p110, logged, { grant: 1, handedOut: at(5) }).refusal(again, at(5))).toBe('工单已存在，不能重复登记');
  });

  it('folds each view as foldCase does, whether it builds on the last view of the case or not', () => {
    // desks acting on a few cases; the judging desk has some of the log and judges the rest in
    // turn, accepting some of it with hub numbers that mostly rise (the usual push) and
    // sometimes do not, at bases that move back and forth
    const desks = [Desk.of('kf-p110', 'police110'), Desk.of('kf-h12345', 'hotline12345', '全市'), Desk.of('kf-water', 'unit', '兰山区', 'water')];
    const acts = [
      (d: Desk, id: string) => d.created('爆管', id),
      (d: Desk, id: string) => d.screened(id),
      (d: Desk, id: string) => d.transferred(id, toHotline()),
      (d: Desk, id: string) => d.acknowledged(id, 'transfer'),
      (d: Desk, id: string) => d.assigned(id, toDepartment('water')),
      (d: Desk, id: string) => d.acknowledged(id, 'assignment'),
      (d: Desk, id: string) => d.feedback(id),
      (d: Desk, id: string) => d.closed(id),
      (d: Desk, id: string) => d.note(id),
      (d: Desk, id: string) => d.handover(id),
    ];
    const step = fc.record({ desk: fc.nat(5), act: fc.nat(acts.length - 1), kase: fc.nat(2), accept: fc.boolean(), jump: fc.integer({ min: -3, max: 5 }), basis: fc.oneof(fc.constant(45), fc.nat(45)) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.nat(40), fc.nat(2), fc.array(fc.nat(), { maxLength: 40 }), (steps, loggedCount, judge, order) => {
        const caseIds = ['01JCASE0000000000000000001', '01JCASE0000000000000000002', '01JCASE0000000000000000003'];
        const me = desks[judge]!;
        // half the events are the judging desk's own (a push holds only those)
        const recorded = [...caseIds.map((id) => me.created('爆管', id)), ...steps.map((s) => acts[s.act]!(desks[s.desk] ?? me, caseIds[s.kase]!))];
        // the hub numbers them in another order than the desks' (batches delivered out of order)
        const events = recorded.map((e, i) => ({ e, key: order[i] ?? i })).sort((a, b) => a.key - b.key).map((x) => x.e);
        const split = Math.min(loggedCount, events.length);
        const logged = log(...events.slice(0, split));
        const grants = new Map(caseIds.map((id, i) => [id, i + 1]));
        const k = new StationKnowledge({ me: me.info, logged, grants, handedOut: at(45), contiguousSeq: Number.MAX_SAFE_INTEGER, heldAbove: [] });
        let hubSeq = split;
        for (let i = split; i < events.length; i++) {
          const e = events[i]!;
          const s = steps[i - caseIds.length] ?? { accept: true, jump: 1, basis: 45 };
          const basis = at(s.basis);
          const plain = foldCase(k.knownEvents(e, k.basisFor(basis)));
          expect(k.stateFor(e, basis)).toEqual(plain);
          if (s.accept) {
            hubSeq = Math.max(1, hubSeq + s.jump);
            k.accepted(e, hubSeq);
          }
        }
      }),
      { numRuns: 600 },
    );
  });
});
