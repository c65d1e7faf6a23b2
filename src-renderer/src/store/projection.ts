/** From a case (the domain fold) to the row the list indexes. */
import { awaitingKeyOf, caseSearchTerms, type CaseState } from '../../../src-common/domain';
import { NO_DUE_KEY, type StoredCase } from './db';

export function toStoredCase(state: CaseState): StoredCase {
  const row: StoredCase = { ...state, ownerId: state.owner.stationId, dueKey: state.dueAt ?? NO_DUE_KEY, terms: caseSearchTerms(state) };
  const awaitingKey = awaitingKeyOf(state.awaiting);
  if (awaitingKey) row.awaitingKey = awaitingKey;
  return row;
}

export function toCaseState(row: StoredCase): CaseState {
  const { ownerId: _o, dueKey: _d, terms: _t, awaitingKey: _a, ...state } = row;
  return state;
}
