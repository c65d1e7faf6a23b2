/**
 * Fold cases again from all their events, in the one fold order, and keep the counters right.
 * Call inside a transaction that includes events, cases, rejected, hubAcks and counters.
 */
import { foldCase } from '../../../src-common/domain';
import { CounterDelta } from './counters';
import type { RelayDb, StoredEvent } from './db';
import { withHubSeqs } from './hub-seqs';
import { foldTipOf, toCaseState, toStoredCase } from './projection';

/**
 * The ids of the events the hub refused for good: kept (records are never deleted) and listed
 * for the operator, but not part of the case any desk shares, so not folded.
 */
export async function refusedIds(db: RelayDb): Promise<Set<string>> {
  return new Set((await db.rejected.toCollection().primaryKeys()) as string[]);
}

/**
 * Every event of these cases, in one read where it can. Dexie's anyOf walks a cursor over the
 * span the ids cover, one step (one round trip to the store) per event; the cases of one batch
 * (a push's, a pull's) are mostly recorded in a run, their ULIDs close together, so that span
 * holds little but their events: its primary keys are counted in one capped request, and when
 * they are few enough the span is read in one more and filtered here. Scattered cases (the span
 * holds many other events) are read with anyOf, after at most `cap` keys read for nothing.
 */
export async function eventsOfCases(db: RelayDb, caseIds: readonly string[]): Promise<StoredEvent[]> {
  if (caseIds.length === 0) return [];
  if (caseIds.length >= 4 && (await keysOfCases(db, caseIds)) !== null) {
    const wanted = new Set(caseIds);
    return (await spanOf(db, caseIds).toArray()).filter((e) => wanted.has(e.caseId));
  }
  return db.events.where('caseId').anyOf(caseIds as string[]).toArray();
}

/** The events whose case id lies between the lowest and the highest of `caseIds`. */
function spanOf(db: RelayDb, caseIds: readonly string[]) {
  let lo = caseIds[0]!;
  let hi = caseIds[0]!;
  for (const id of caseIds) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  return db.events.where('caseId').between(lo, hi, true, true);
}

/**
 * The ids of the events in the span the cases' ids cover (those cases' events, and any other
 * case's in between), in index order (by case, then id); null when the span holds more than a
 * few times as many as the cases would usually have (one capped request either way).
 */
export async function keysOfCases(db: RelayDb, caseIds: readonly string[]): Promise<string[] | null> {
  if (caseIds.length === 0) return [];
  const cap = caseIds.length * 16 + 256;
  const keys = (await spanOf(db, caseIds).limit(cap + 1).primaryKeys()) as string[];
  return keys.length > cap ? null : keys;
}

/**
 * A case's events by case id, from one index query for all the cases (not one per case), each
 * with its hub number, without those the hub refused. Call inside a transaction that includes
 * `hubAcks` and `rejected`.
 */
export async function eventsByCase(db: RelayDb, caseIds: readonly string[]): Promise<Map<string, StoredEvent[]>> {
  const byCase = new Map<string, StoredEvent[]>();
  if (caseIds.length === 0) return byCase;
  const [held, refused] = await Promise.all([eventsOfCases(db, caseIds), refusedIds(db)]);
  // with the hub numbers acknowledged pushes recorded beside the events (hub-seqs.ts)
  for (const e of await withHubSeqs(db, refused.size ? held.filter((x) => !refused.has(x.id)) : held)) {
    const list = byCase.get(e.caseId);
    if (list) list.push(e);
    else byCase.set(e.caseId, [e]);
  }
  return byCase;
}

export async function refoldCases(db: RelayDb, caseIds: Iterable<string>): Promise<number> {
  const ids = [...new Set(caseIds)];
  if (ids.length === 0) return 0;
  const counters = new CounterDelta();
  const [before, byCase] = await Promise.all([db.cases.bulkGet(ids), eventsByCase(db, ids)]);
  const rows = [];
  const gone: string[] = [];
  for (const [i, caseId] of ids.entries()) {
    const events = byCase.get(caseId) ?? [];
    const state = foldCase(events);
    const prior = before[i];
    if (!state) {
      // no case stands without its creation: when the hub refused it for good, the row goes
      // (the events stay recorded, and are listed among the refused records)
      if (prior) {
        counters.caseRemoved(toCaseState(prior));
        gone.push(caseId);
      }
      continue; // else its creation has not arrived yet (or it is a handover, not a case)
    }
    counters.caseChanged(prior ? toCaseState(prior) : undefined, state);
    rows.push(toStoredCase(state, foldTipOf(events)));
  }
  await db.cases.bulkPut(rows);
  if (gone.length > 0) await db.cases.bulkDelete(gone);
  await counters.apply(db);
  return rows.length;
}
