/** From a case (the domain fold) to the row the list indexes. */
import { caseSearchTerms, type CaseState } from '../../../src-common/domain';
import { NO_DUE_KEY, type StoredCase } from './db';

export function toStoredCase(state: CaseState): StoredCase {
  return { ...state, ownerId: state.owner.stationId, dueKey: state.dueAt ?? NO_DUE_KEY, terms: caseSearchTerms(state) };
}

export function toCaseState(row: StoredCase): CaseState {
  const { ownerId: _o, dueKey: _d, terms: _t, ...state } = row;
  return state;
}
