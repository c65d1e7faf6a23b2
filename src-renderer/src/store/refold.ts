/**
 * Fold cases again from all their events, in the one fold order, and keep the counters right.
 * Call inside a transaction that includes events, hubAcks, cases and counters.
 */
import { foldCase } from '../../../src-common/domain';
import { CounterDelta } from './counters';
import type { RelayDb, StoredEvent } from './db';
import { withHubSeqs } from './hub-seqs';
import { toCaseState, toStoredCase } from './projection';

export async function refoldCases(db: RelayDb, caseIds: Iterable<string>): Promise<number> {
  const ids = [...new Set(caseIds)];
  if (ids.length === 0) return 0;
  const counters = new CounterDelta();
  const before = await db.cases.bulkGet(ids);
  // one index query for all the cases' events, not one per case
  const byCase = new Map<string, StoredEvent[]>();
  for (const e of await withHubSeqs(db, await db.events.where('caseId').anyOf(ids).toArray())) {
    const list = byCase.get(e.caseId);
    if (list) list.push(e);
    else byCase.set(e.caseId, [e]);
  }
  const rows = [];
  for (const [i, caseId] of ids.entries()) {
    const state = foldCase(byCase.get(caseId) ?? []);
    if (!state) continue; // its creation has not arrived yet (or it is a handover, not a case)
    const prior = before[i];
    counters.caseChanged(prior ? toCaseState(prior) : undefined, state);
    rows.push(toStoredCase(state));
  }
  await db.cases.bulkPut(rows);
  await counters.apply(db);
  return rows.length;
}
