/**
 * Taking in events recorded elsewhere (pulled from the hub, or restored from a backup file).
 * Events are appended, never overwritten: an id already held with the same content is
 * skipped; the same id with different content is refused. Every case touched is folded again
 * from all its events, in the one fold order, in the same transaction.
 */
import { canonicalJson, parseEvent, type RelayEvent } from '../../../src-common/domain';
import type { RelayDb, StoredEvent } from './db';
import { withHubSeqs } from './hub-seqs';
import { refoldCases } from './refold';

export interface ExternalEvent {
  event: unknown;
  hubSeq?: number | null;
}

export interface ApplyResult {
  added: number;
  alreadyHeld: number;
  /** hub sequence numbers attached to events this station had but the hub had not yet numbered */
  sequenced: number;
  casesTouched: number;
}

/** Kept here for existing importers; the one definition lives in src-common/domain. */
export { canonicalJson };

/** Content equality of two events, ignoring local bookkeeping. */
export function sameEventContent(a: RelayEvent, b: RelayEvent): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export class ConflictingEventError extends Error {
  constructor(readonly eventId: string) {
    super(`事件 ${eventId} 与本机已有记录内容不同，已拒绝（记录只追加，不覆盖）`);
    this.name = 'ConflictingEventError';
  }
}

/**
 * Validate everything first, then write in one transaction. Throws (and writes nothing) if
 * any event is malformed or conflicts with one held.
 */
export async function applyExternalEvents(
  db: RelayDb,
  incoming: readonly ExternalEvent[],
  extraWrites?: () => Promise<void>,
): Promise<ApplyResult> {
  const parsed = incoming.map((item, index) => {
    try {
      return { event: parseEvent(item.event), hubSeq: item.hubSeq ?? null };
    } catch (e) {
      throw new Error(`第 ${index + 1} 条记录无效：${(e as Error).message}`, { cause: e });
    }
  });
  return db.transaction('rw', [db.events, db.cases, db.settings, db.counters, db.outbox, db.hubAcks], async () => {
    const held = await withHubSeqs(db, await db.events.bulkGet(parsed.map((p) => p.event.id)));
    const toAdd: Array<{ event: RelayEvent; hubSeq: number | null }> = [];
    const toSequence: StoredEvent[] = [];
    let alreadyHeld = 0;
    const seenInBatch = new Map<string, RelayEvent>();
    for (const [i, item] of parsed.entries()) {
      const existing = held[i] ?? seenInBatch.get(item.event.id);
      if (existing) {
        if (!sameEventContent(existing, item.event)) throw new ConflictingEventError(item.event.id);
        alreadyHeld++;
        const stored = held[i];
        if (stored && stored.hubSeq === null && item.hubSeq !== null) toSequence.push({ ...stored, hubSeq: item.hubSeq });
        continue;
      }
      seenInBatch.set(item.event.id, item.event);
      toAdd.push(item);
    }
    const touched = new Set([...toAdd, ...toSequence.map((e) => ({ event: e }))].map((x) => x.event.caseId));
    if (toAdd.length > 0) {
      const lseqRow = await db.settings.get('local:lseq');
      const first = (typeof lseqRow?.value === 'number' ? lseqRow.value : 0) + 1;
      await db.settings.put({ key: 'local:lseq', value: first - 1 + toAdd.length });
      await db.events.bulkAdd(toAdd.map((x, i) => ({ ...x.event, hubSeq: x.hubSeq, lseq: first + i })));
    }
    if (toSequence.length > 0) await db.events.bulkPut(toSequence);
    const casesTouched = await refoldCases(db, touched);
    if (extraWrites) await extraWrites();
    return { added: toAdd.length, alreadyHeld, sequenced: toSequence.length, casesTouched };
  });
}
