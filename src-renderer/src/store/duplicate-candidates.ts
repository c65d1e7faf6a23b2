/**
 * Cases that might be the same matter as a new call: the same phone (a search term, through
 * the in-memory search; right after the desk opens this waits for it to be filled; were it
 * stopped, the cases received in the phone window are read instead) and the same category
 * received recently (an index).
 */
import { DUPLICATE_PHONE_WINDOW_MS, DUPLICATE_WINDOW_MS, findLikelyDuplicates, normalizePhone, type DuplicateMatch, type DuplicateProbe } from '../../../src-common/domain';
import type { RelayDb, StoredCase } from './db';
import { memorySearchWhenReady } from './memory-search-source';

export async function likelyDuplicates(db: RelayDb, probe: DuplicateProbe, now: number): Promise<Array<DuplicateMatch<StoredCase>>> {
  const byId = new Map<string, StoredCase>();
  const phone = normalizePhone(probe.callerPhone);
  if (phone.length >= 7) {
    const since = new Date(now - DUPLICATE_PHONE_WINDOW_MS).toISOString();
    const index = await memorySearchWhenReady(db);
    // the latest 50 calls from this phone within its window (a frequent caller has many older
    // ones); without the index, every row received in the window is read (tens to hundreds of ms
    // at a busy desk: only if the in-memory search has failed)
    const rows = index
      ? await db.cases.bulkGet(index.withTerm(phone, 50, since))
      : await db.cases.where('receivedAt').aboveOrEqual(since).reverse().filter((row) => row.terms.includes(phone)).limit(50).toArray();
    // checked on the row: the index proposes, the row decides
    for (const row of rows) if (row && row.receivedAt >= since && row.terms.includes(phone)) byId.set(row.id, row);
  }
  if (probe.category && probe.address.trim().length >= 2) {
    const since = new Date(now - DUPLICATE_WINDOW_MS).toISOString();
    const rows = await db.cases.where('[category+receivedAt]').between([probe.category, since], [probe.category, '\uffff'], true, true).limit(500).toArray();
    for (const row of rows) byId.set(row.id, row);
  }
  if (byId.size === 0) return [];
  return findLikelyDuplicates(probe, [...byId.values()], { now, limit: 5 });
}
