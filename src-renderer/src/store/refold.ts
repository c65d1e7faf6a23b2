/**
 * Fold cases again from all their events, in the one fold order, and keep the counters right.
 * Call inside a transaction that includes events, cases and counters.
 */
import { foldCase } from '../../../src-common/domain';
import { CounterDelta } from './counters';
import type { RelayDb } from './db';
import { toCaseState, toStoredCase } from './projection';

export async function refoldCases(db: RelayDb, caseIds: Iterable<string>): Promise<number> {
  const ids = [...new Set(caseIds)];
  const counters = new CounterDelta();
  const before = await db.cases.bulkGet(ids);
  const rows = [];
  for (const [i, caseId] of ids.entries()) {
    const events = await db.events.where('caseId').equals(caseId).toArray();
    const state = foldCase(events);
    if (!state) continue; // its creation has not arrived yet
    const prior = before[i];
    counters.caseChanged(prior ? toCaseState(prior) : undefined, state);
    rows.push(toStoredCase(state));
  }
  await db.cases.bulkPut(rows);
  await counters.apply(db);
  return rows.length;
}
