/**
 * A case is the fold of its events. `applyEvent` is pure and deterministic: given the same
 * events in the same order, every station and the hub compute the same case.
 *
 * Two modes:
 * - `strict` (a command recorded at this station): an event the case does not allow is
 *   refused with a plain reason (DomainError) and nothing is written.
 * - `replay` (events pulled from the hub or imported): an event that no longer fits, because
 *   two stations acted on the case while apart, is kept and listed as a conflict on the
 *   case, for an operator to resolve. Nothing is dropped in silence.
 */
import type { CaseState } from './case-state';
import type { RelayEvent } from './events';
import { refusalReason } from './transitions';

export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

export type FoldMode = 'strict' | 'replay';

function touch(state: CaseState, event: RelayEvent): CaseState {
  return {
    ...state,
    updatedAt: event.at > state.updatedAt ? event.at : state.updatedAt,
    eventCount: state.eventCount + 1,
    lastEventId: event.id,
    lastEventType: event.type,
    stations: state.stations.includes(event.stationId) ? state.stations : [...state.stations, event.stationId],
  };
}

function created(event: RelayEvent<'case.created'>): CaseState {
  const p = event.payload;
  return {
    id: event.caseId,
    caseNo: p.caseNo,
    intakeRole: p.intakeRole,
    receivedBy: p.station,
    channel: p.channel,
    receivedAt: p.receivedAt,
    caller: p.caller,
    location: p.location,
    nature: p.nature,
    category: p.category,
    urgency: p.urgency,
    description: p.description,
    // 110 screens every call; other stations take non-police requests directly
    status: p.intakeRole === 'police110' ? 'new' : 'pending',
    owner: p.station,
    awaiting: null,
    screening: null,
    transfer: null,
    assignment: null,
    department: null,
    feedback: null,
    callback: null,
    extension: null,
    dueAt: null,
    returnCount: 0,
    assignmentCount: 0,
    urgeCount: 0,
    joinedCalls: 0,
    noteCount: 0,
    createdAt: event.at,
    updatedAt: event.at,
    closedAt: null,
    eventCount: 1,
    lastEventId: event.id,
    lastEventType: event.type,
    stations: [event.stationId],
    conflicts: [],
  };
}

function transition(state: CaseState, event: RelayEvent): CaseState {
  switch (event.type) {
    case 'case.created':
    case 'shift.handover':
      return state;
    case 'case.screened': {
      const { verdict, reason } = event.payload;
      return {
        ...state,
        status: verdict === 'police' ? 'police' : 'pending',
        screening: { verdict, reason, at: event.at, operator: event.operator },
      };
    }
    case 'case.transferred': {
      const p = event.payload;
      return {
        ...state,
        status: 'transferred',
        awaiting: p.to,
        transfer: { to: p.to, threeWayCall: p.threeWayCall, at: event.at, ackDueBy: p.ackDueBy, feedbackDueBy: p.feedbackDueBy ?? null, acknowledgedAt: null },
        dueAt: p.ackDueBy,
      };
    }
    case 'case.noteAdded':
      return { ...state, noteCount: state.noteCount + 1 };
    case 'case.assigned': {
      const p = event.payload;
      return {
        ...state,
        status: 'assigned',
        awaiting: p.lead,
        department: p.lead.department,
        assignment: {
          lead: p.lead,
          assisting: p.assisting,
          at: event.at,
          by: state.owner,
          ackDueBy: p.ackDueBy,
          feedbackDueBy: p.feedbackDueBy,
          acknowledgedAt: null,
        },
        extension: null,
        feedback: null,
        dueAt: p.ackDueBy,
        assignmentCount: state.assignmentCount + 1,
      };
    }
    case 'case.acknowledged': {
      const p = event.payload;
      if (p.of === 'transfer' && state.transfer && state.transfer.to.kind === 'unit') {
        // county mode: 110 notified the linked unit directly; once it acknowledges, it acts on
        // the case as on an assignment from 110, and reports back to 110
        const t = state.transfer;
        return {
          ...state,
          status: 'acknowledged',
          owner: p.station,
          awaiting: null,
          department: t.to.department,
          transfer: { ...t, acknowledgedAt: event.at },
          assignment: {
            lead: t.to,
            assisting: [],
            at: t.at,
            by: state.owner,
            ackDueBy: t.ackDueBy,
            feedbackDueBy: t.feedbackDueBy ?? t.ackDueBy,
            acknowledgedAt: event.at,
          },
          dueAt: t.feedbackDueBy ?? null,
        };
      }
      if (p.of === 'transfer' && state.transfer) {
        return {
          ...state,
          status: 'pending',
          owner: p.station,
          awaiting: null,
          transfer: { ...state.transfer, acknowledgedAt: event.at },
          dueAt: null,
        };
      }
      if (p.of === 'assignment' && state.assignment) {
        return {
          ...state,
          status: 'acknowledged',
          owner: p.station,
          awaiting: null,
          assignment: { ...state.assignment, acknowledgedAt: event.at },
          dueAt: state.assignment.feedbackDueBy,
        };
      }
      return state;
    }
    case 'case.returned': {
      // back to whoever handed it over; they own it again (an unacknowledged transfer is
      // still owned by its sender, who need not be the desk that first took the call)
      const back = state.status === 'transferred' ? state.owner : (state.assignment?.by ?? state.owner);
      // county mode: a linked unit that acknowledged 110's direct notice returns it to 110,
      // which cannot assign: the case is pending with 110 again (to screen, notify another unit
      // or transfer to 12345), not "returned" and waiting for an assignment no one can make
      const countyNotice = state.transfer?.to.kind === 'unit' && state.assignment !== null && state.assignment.at === state.transfer.at;
      return {
        ...state,
        status: state.status === 'transferred' || countyNotice ? 'pending' : 'returned',
        owner: back,
        awaiting: null,
        dueAt: null,
        returnCount: state.returnCount + 1,
        extension: withoutPendingExtension(state),
      };
    }
    case 'case.feedback': {
      const p = event.payload;
      return {
        ...state,
        status: 'feedback',
        // the department has reported: the case goes back to whoever assigned it, for the
        // callback and closing
        owner: state.assignment?.by ?? state.owner,
        feedback: { result: p.result, text: p.text, at: event.at, station: p.station },
        // what is due next: 12345's callback to the caller (when the report says by when)
        dueAt: p.callbackDueBy ?? null,
        extension: withoutPendingExtension(state),
      };
    }
    case 'case.extensionRequested':
      return { ...state, extension: { requestedUntil: event.payload.until, reason: event.payload.reason, granted: null } };
    case 'case.extensionDecided': {
      const p = event.payload;
      const extension = state.extension ? { ...state.extension, granted: p.granted } : null;
      if (p.granted && p.until && state.assignment) {
        return { ...state, extension, assignment: { ...state.assignment, feedbackDueBy: p.until }, dueAt: p.until };
      }
      return { ...state, extension };
    }
    case 'case.urged':
      return { ...state, urgeCount: state.urgeCount + 1 };
    case 'case.callback':
      // the callback made, nothing is due until the case is closed
      return { ...state, callback: { satisfaction: event.payload.satisfaction, text: event.payload.text, at: event.at }, dueAt: null };
    case 'case.closed':
      return { ...state, status: 'closed', closedAt: event.at, awaiting: null, dueAt: null };
    case 'case.reopened':
      // pending again: back with whoever assigned it (a department cannot assign), or with
      // its owner if it was never assigned (a police matter stays with 110)
      return {
        ...state,
        status: 'pending',
        owner: state.assignment?.by ?? state.owner,
        awaiting: null,
        dueAt: null,
        closedAt: null,
        feedback: null,
        callback: null,
      };
    case 'case.callJoined':
      return { ...state, joinedCalls: state.joinedCalls + 1 };
  }
}

/** An extension request still waiting lapses when the work it was for is reported or returned. */
function withoutPendingExtension(state: CaseState): CaseState['extension'] {
  return state.extension && state.extension.granted === null ? null : state.extension;
}

export function applyEvent(state: CaseState | undefined, event: RelayEvent, mode: FoldMode = 'strict'): CaseState {
  if (event.type === 'shift.handover') {
    throw new DomainError('交接班记录不属于工单');
  }
  const reason = refusalReason(state, event);
  if (reason !== null) {
    if (mode === 'strict' || !state) throw new DomainError(reason);
    const conflict = { eventId: event.id, type: event.type, at: event.at, stationId: event.stationId, reason };
    return touch({ ...state, conflicts: [...state.conflicts, conflict] }, event);
  }
  if (event.type === 'case.created') return created(event);
  return touch(transition(state!, event), event);
}

/**
 * The one order in which a case's events are folded, the same everywhere: events the hub
 * has sequenced come first in hub order; events not yet at the hub follow, per station in
 * their own sequence, stations ordered by time then id. Clocks never decide among
 * hub-sequenced events.
 */
export function compareForFold(
  a: { id: string; stationId: string; seq: number; at: string; hubSeq?: number | null },
  b: { id: string; stationId: string; seq: number; at: string; hubSeq?: number | null },
): number {
  const ah = a.hubSeq ?? null;
  const bh = b.hubSeq ?? null;
  if (ah !== null && bh !== null) return ah - bh;
  if (ah !== null) return -1;
  if (bh !== null) return 1;
  if (a.stationId === b.stationId) return a.seq - b.seq;
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Hub order, except that each station's events keep their own sequence: a station may deliver
 * its batches out of order (the hub numbers what arrives), but its seq 3 never folds before its
 * seq 2. Each event's place is the highest hub number among it and its station's earlier
 * events; ties (only within one station) go by seq.
 */
function inHubOrder<E extends { id: string; stationId: string; seq: number; hubSeq?: number | null }>(events: readonly E[]): E[] {
  const byStation = new Map<string, E[]>();
  for (const e of events) {
    const list = byStation.get(e.stationId);
    if (list) list.push(e);
    else byStation.set(e.stationId, [e]);
  }
  const placed: Array<{ e: E; place: number }> = [];
  for (const list of byStation.values()) {
    list.sort((a, b) => a.seq - b.seq || byId(a, b));
    let place = -Infinity;
    for (const e of list) {
      place = Math.max(place, e.hubSeq!);
      placed.push({ e, place });
    }
  }
  placed.sort((a, b) => a.place - b.place || (a.e.stationId < b.e.stationId ? -1 : a.e.stationId > b.e.stationId ? 1 : 0) || a.e.seq - b.e.seq || byId(a.e, b.e));
  return placed.map((p) => p.e);
}

/**
 * A case's events in fold order, as a function of the set of events alone (not of the order
 * they arrived in). Hub-sequenced events first, in hub order (each station's kept in its own
 * sequence, see inHubOrder); then the rest, each station's
 * in its own sequence, merged by time then id. The merge (rather than one sort with
 * compareForFold) keeps the result the same when a desk's clock went backwards between two
 * of its events: compareForFold alone is then not a consistent order, and a sort with it
 * would depend on arrival order.
 */
export function orderForFold<E extends { id: string; stationId: string; seq: number; at: string; hubSeq?: number | null }>(
  events: readonly E[],
): E[] {
  const out = inHubOrder(events.filter((e) => (e.hubSeq ?? null) !== null));
  const queues = new Map<string, E[]>();
  for (const e of events) {
    if ((e.hubSeq ?? null) !== null) continue;
    const q = queues.get(e.stationId);
    if (q) q.push(e);
    else queues.set(e.stationId, [e]);
  }
  const heads = [...queues.values()].map((q) => ({ q: q.sort((a, b) => a.seq - b.seq || byId(a, b)), i: 0 }));
  for (;;) {
    let best: { q: E[]; i: number } | undefined;
    for (const h of heads) {
      if (h.i < h.q.length && (!best || compareForFold(h.q[h.i]!, best.q[best.i]!) < 0)) best = h;
    }
    if (!best) return out;
    out.push(best.q[best.i++]!);
  }
}

/** Fold a case's events (in any order) in replay mode. */
export function foldCase<E extends RelayEvent & { hubSeq?: number | null }>(events: readonly E[]): CaseState | undefined {
  const ordered = orderForFold(events);
  let state: CaseState | undefined;
  for (const event of ordered) {
    if (event.type === 'shift.handover') continue;
    if (!state && event.type !== 'case.created') continue; // orphan until its creation arrives
    state = applyEvent(state, event, 'replay');
  }
  return state;
}
