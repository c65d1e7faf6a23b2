/**
 * Replaying each case's events one at a time, keeping the case as it stood before and after
 * each event. Reports need that context ("was this assignment the case's third?", "whom did
 * the return send it back to?"), which the final fold alone no longer shows.
 *
 * The replay is the fold itself (orderForFold + applyEvent in replay mode), so a report and
 * every desk agree on what happened. An event the case did not allow (a conflict between two
 * desks that acted while apart) is marked `applied: false`; reports do not count it.
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import type { CaseState } from '../domain/case-state';
import type { RelayEvent } from '../domain/events';
import { applyEvent, orderForFold } from '../domain/fold';
import { refusalReason } from '../domain/transitions';

/** An event as a station holds it: the hub's sequence number once the hub has it. */
export type HeldEvent = RelayEvent & { hubSeq?: number | null };

export interface ReplayStep {
  event: HeldEvent;
  /** the case before this event (undefined before its creation) */
  before: CaseState | undefined;
  /** the case after this event */
  after: CaseState | undefined;
  /** false when the case did not allow the event (a conflict) or its creation is missing */
  applied: boolean;
}

export interface CaseReplay {
  caseId: string;
  /** the case.created event that applied, or null when the creation has not arrived */
  created: RelayEvent<'case.created'> | null;
  steps: ReplayStep[];
  /** the case after every event, or undefined when its creation has not arrived */
  final: CaseState | undefined;
}

/** Time of an ISO instant in ms; the one way reports compare times (offsets may differ). */
export function epochMs(iso: string): number {
  return Date.parse(iso);
}

/**
 * Every case among `events`, replayed in fold order. Shift handover events are not case
 * events and are left out. `keep` filters events before the replay (e.g. a report's cut-off).
 * Cases come back in order of case id (ULIDs sort by creation time).
 */
export function replayCases(events: readonly HeldEvent[], keep?: (e: HeldEvent) => boolean): CaseReplay[] {
  const byCase = new Map<string, HeldEvent[]>();
  for (const e of events) {
    if (e.type === 'shift.handover') continue;
    if (keep && !keep(e)) continue;
    const list = byCase.get(e.caseId);
    if (list) list.push(e);
    else byCase.set(e.caseId, [e]);
  }
  const ids = [...byCase.keys()].sort();
  return ids.map((caseId) => replayOne(caseId, byCase.get(caseId)!));
}

function replayOne(caseId: string, events: HeldEvent[]): CaseReplay {
  let state: CaseState | undefined;
  let created: RelayEvent<'case.created'> | null = null;
  const steps: ReplayStep[] = [];
  for (const event of orderForFold(events)) {
    const before = state;
    if (!state && event.type !== 'case.created') {
      steps.push({ event, before, after: undefined, applied: false });
      continue;
    }
    const applied = refusalReason(state, event) === null;
    state = applyEvent(state, event, 'replay');
    if (applied && event.type === 'case.created') created = event;
    steps.push({ event, before, after: state, applied });
  }
  return { caseId, created, steps, final: state };
}
