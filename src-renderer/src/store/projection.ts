/** From a case (the domain fold) to the row the list indexes. */
import { awaitingKeyOf, caseSearchTerms, type CaseState } from '../../../src-common/domain';
import { NO_DUE_KEY, type FoldTip, type StoredCase } from './db';

export function toStoredCase(state: CaseState, foldTip?: FoldTip): StoredCase {
  const row: StoredCase = { ...state, ownerId: state.owner.stationId, dueKey: state.dueAt ?? NO_DUE_KEY, terms: caseSearchTerms(state) };
  const awaitingKey = awaitingKeyOf(state.awaiting);
  if (awaitingKey) row.awaitingKey = awaitingKey;
  if (foldTip) row.foldTip = foldTip;
  return row;
}

export function toCaseState(row: StoredCase): CaseState {
  const { ownerId: _o, dueKey: _d, terms: _t, awaitingKey: _a, foldTip: _f, ...state } = row;
  return state;
}

type TipEvent = { stationId: string; seq: number; hubSeq?: number | null };

/** The fold tip of a case's events (see StoredCase.foldTip): undefined when any lacks a hub number. */
export function foldTipOf(events: readonly TipEvent[]): FoldTip | undefined {
  let tip: FoldTip | undefined = { hub: -Infinity, seqs: {} };
  for (const e of events) tip = extendTip(tip, e);
  return tip && events.length > 0 ? tip : undefined;
}

function extendTip(tip: FoldTip | undefined, e: TipEvent): FoldTip | undefined {
  if (!tip || e.hubSeq === null || e.hubSeq === undefined) return undefined;
  const seq = tip.seqs[e.stationId];
  return { hub: Math.max(tip.hub, e.hubSeq), seqs: { ...tip.seqs, [e.stationId]: seq === undefined ? e.seq : Math.max(seq, e.seq) } };
}

/**
 * Whether `added` (a case's new events, in fold order among themselves) fold after every event
 * behind `tip`, so that folding them onto the row gives what folding all the case's events
 * again would. True when each has a hub number above the tip's, and a seq above its station's
 * highest held: then its place in hub order (orderForFold) is above every held event's, and no
 * held event's place moves. Returns the new tip, or undefined when a full refold is needed.
 */
export function tipAfter(tip: FoldTip | undefined, added: readonly TipEvent[]): FoldTip | undefined {
  if (!tip) return undefined;
  let next: FoldTip | undefined = tip;
  for (const e of added) {
    if (e.hubSeq === null || e.hubSeq === undefined || e.hubSeq <= tip.hub) return undefined;
    const held = tip.seqs[e.stationId];
    if (held !== undefined && e.seq <= held) return undefined;
    next = extendTip(next, e);
  }
  return next;
}
