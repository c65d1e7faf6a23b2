/**
 * Whether THIS station may record an event on a case: the role's permissions
 * (permissions.ts), what the case allows next (transitions.ts), and who on the case may act:
 *
 * - only the target of a hand-over acknowledges it (签收), as handover-target.ts matches it:
 *   the named station when the target has a stationId; else any 12345 desk for a hand-over
 *   to the hotline, or a unit desk of the target department;
 * - a misrouted hand-over is returned (退回) by its target; an acknowledged assignment by the
 *   desk that acknowledged it; the assigner (12345) may also record the return of its own
 *   assignment (e.g. a department that telephoned it back);
 * - feedback (反馈) and extension requests only by the desk that acknowledged the assignment;
 * - screening, transfer and assignment only by the case's owner (first-contact responsibility);
 * - callback, closing and reopening of an assigned case by the 12345 desk that assigned it; a
 *   police matter is closed by its 110 owner; a department never closes a case;
 * - extension decisions by the assigner or a supervisor; urging by any 12345 or supervisor
 *   desk; notes and joined calls by any desk whose role records them;
 * - events carrying a station (created, acknowledged, returned, feedback) must name the
 *   recording station itself.
 *
 * Returns a plain Chinese reason, or null when the station may record the event.
 */
import type { CaseState } from './case-state';
import type { RelayEvent, StationRef } from './events';
import { EVENT_TYPE_LABELS } from './events';
import { targetMatchesStation, type StationIdentity } from './handover-target';
import { roleMayRecord } from './permissions';
import { refusalReason } from './transitions';
import { ROLE_LABELS } from './vocabulary';

/** What the rules need of a station. */
export type ActingStation = StationIdentity;

/** The part of an event the rules read: its type and payload. */
export type EventBody = RelayEvent extends infer E ? (E extends RelayEvent ? Pick<E, 'type' | 'payload'> : never) : never;

const is = (ref: StationRef | null | undefined, station: ActingStation) => ref?.stationId === station.stationId;

/** The 12345 desk that assigned the case, or, before any assignment, its owner. */
function assignerOf(state: CaseState): StationRef {
  return state.assignment?.by ?? state.owner;
}

/**
 * The desk that acknowledged the current assignment: the owner while it acts; once it has
 * reported, the station named on its feedback (the case may then be back with the assigner).
 */
function acknowledgerOf(state: CaseState): StationRef | null {
  if (!state.assignment?.acknowledgedAt) return null;
  if (state.status === 'feedback') return state.feedback?.station ?? state.owner;
  return state.owner;
}

function ownName(ref: StationRef, station: ActingStation, action: string): string | null {
  return ref.stationId === station.stationId ? null : `${action}须以本站点名义记录`;
}

function caseRule(state: CaseState, event: EventBody, station: ActingStation): string | null {
  switch (event.type) {
    case 'case.created':
    case 'shift.handover':
      return null;
    case 'case.screened':
      return is(state.owner, station) ? null : `只有工单的主办方（${state.owner.name}）可以甄别`;
    case 'case.transferred':
      return is(state.owner, station) ? null : `只有工单的主办方（${state.owner.name}）可以转办`;
    case 'case.assigned':
      return is(state.owner, station) ? null : `只有工单的主办方（${state.owner.name}）可以派单`;
    case 'case.acknowledged': {
      if (!targetMatchesStation(state.awaiting, station)) {
        return `此${event.payload.of === 'transfer' ? '转办' : '派单'}是发给“${state.awaiting?.name ?? '其他单位'}”的，本站不能签收`;
      }
      return ownName(event.payload.station, station, '签收');
    }
    case 'case.returned': {
      const own = ownName(event.payload.station, station, '退回');
      if (own) return own;
      if (state.status === 'transferred') {
        return targetMatchesStation(state.awaiting, station) ? null : '只有转办的接收方可以退回';
      }
      if (state.status === 'assigned') {
        return targetMatchesStation(state.awaiting, station) || is(assignerOf(state), station)
          ? null
          : `此派单是发给“${state.awaiting?.name ?? '其他单位'}”的，本站不能退回`;
      }
      // acknowledged: the desk that acknowledged it, or the assigner recording it
      return is(acknowledgerOf(state), station) || is(assignerOf(state), station) ? null : '只有签收该派单的单位可以退回';
    }
    case 'case.feedback': {
      const own = ownName(event.payload.station, station, '反馈');
      if (own) return own;
      return is(acknowledgerOf(state), station) ? null : '只有签收该派单的单位可以反馈办理情况';
    }
    case 'case.extensionRequested':
      return is(acknowledgerOf(state), station) ? null : '只有签收该派单的单位可以申请延期';
    case 'case.extensionDecided':
      if (station.role === 'supervisor') return null;
      return is(assignerOf(state), station) ? null : `只有派单方（${assignerOf(state).name}）或值班长可以审批延期`;
    case 'case.callback':
      return is(assignerOf(state), station) ? null : `只有派单方（${assignerOf(state).name}）可以回访`;
    case 'case.closed': {
      const closer = state.status === 'police' || !state.assignment ? state.owner : state.assignment.by;
      return is(closer, station) ? null : `只有${closer.name}可以办结此工单`;
    }
    case 'case.reopened': {
      const reopener = assignerOf(state);
      return is(reopener, station) ? null : `只有${reopener.name}可以重办此工单`;
    }
    case 'case.urged':
    case 'case.noteAdded':
    case 'case.callJoined':
      return null;
  }
}

/**
 * Why this station may not record the event on the case (role, then case state, then who
 * on the case may act), or null when it may.
 */
export function refusalForRole(state: CaseState | undefined, event: EventBody, station: ActingStation): string | null {
  if (!roleMayRecord(station.role, event.type)) {
    return `${ROLE_LABELS[station.role]}不能${EVENT_TYPE_LABELS[event.type]}`;
  }
  if (event.type === 'case.created') {
    if (event.payload.intakeRole !== station.role) return '受理岗位与本站岗位不符';
    const own = ownName(event.payload.station, station, '受理登记');
    if (own) return own;
  }
  const reason = refusalReason(state, event as RelayEvent);
  if (reason !== null) return reason;
  if (!state) return null;
  return caseRule(state, event, station);
}
