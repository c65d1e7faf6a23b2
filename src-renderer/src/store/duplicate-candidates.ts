/**
 * Cases that might be the same matter as a new call, read through indexes: the same phone
 * (search terms) and the same category received recently. (Right after the upgrade to v4,
 * until the backfill of terms is done, the phone lookup sees only the cases indexed so far.)
 */
import { DUPLICATE_PHONE_WINDOW_MS, DUPLICATE_WINDOW_MS, findLikelyDuplicates, normalizePhone, type DuplicateMatch, type DuplicateProbe } from '../../../src-common/domain';
import type { RelayDb, StoredCase } from './db';

export async function likelyDuplicates(db: RelayDb, probe: DuplicateProbe, now: number): Promise<Array<DuplicateMatch<StoredCase>>> {
  const byId = new Map<string, StoredCase>();
  const phone = normalizePhone(probe.callerPhone);
  if (phone.length >= 7) {
    const since = new Date(now - DUPLICATE_PHONE_WINDOW_MS).toISOString();
    const ids = await db.caseTerms.where('terms').equals(phone).limit(50).primaryKeys();
    for (const row of await db.cases.bulkGet(ids)) if (row && row.receivedAt >= since) byId.set(row.id, row);
  }
  if (probe.category && probe.address.trim().length >= 2) {
    const since = new Date(now - DUPLICATE_WINDOW_MS).toISOString();
    const rows = await db.cases.where('[category+receivedAt]').between([probe.category, since], [probe.category, '\uffff'], true, true).limit(500).toArray();
    for (const row of rows) byId.set(row.id, row);
  }
  if (byId.size === 0) return [];
  return findLikelyDuplicates(probe, [...byId.values()], { now, limit: 5 });
}
