/**
 * The hub's sequence number of each event, as this station knows it.
 *
 * Two places hold it (schema v5):
 * - the event row's `hubSeq`, set when the event arrived with its number (pulled from the hub,
 *   restored from a backup) or numbered before v5;
 * - the `hubSeqs` store (eventId → hubSeq, no secondary index), where a push acknowledgement
 *   records the numbers of this station's own events: one small row each, instead of
 *   rewriting the event row with its five index entries.
 *
 * The row's number wins when set (a push acknowledgement that disagrees with it rewrites the
 * row instead, see push.ts); otherwise the store's. Every reader of hubSeq goes through
 * withHubSeqs (or allEventsWithHubSeqs), inside a transaction that includes `hubSeqs` or none.
 */
import type { RelayDb, StoredEvent } from './db';

/**
 * The events with the numbers the `hubSeqs` store holds for them filled in (copies where
 * changed; the same objects otherwise). Missing entries (undefined) pass through as they are.
 */
export async function withHubSeqs<E extends StoredEvent | undefined>(db: RelayDb, events: readonly E[]): Promise<E[]> {
  const ask: number[] = [];
  for (const [i, e] of events.entries()) if (e && e.hubSeq === null) ask.push(i);
  if (ask.length === 0) return [...events];
  const rows = await db.hubSeqs.bulkGet(ask.map((i) => events[i]!.id));
  const out = [...events];
  for (const [k, i] of ask.entries()) {
    const row = rows[k];
    if (row) out[i] = { ...events[i]!, hubSeq: row.hubSeq };
  }
  return out;
}

/** Every event held, each with its hub number (for whole-store readers: reports, backup, hand-over sheet). */
export async function allEventsWithHubSeqs(db: RelayDb, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
  if (!events.some((e) => e.hubSeq === null)) return [...events];
  const numbers = new Map((await db.hubSeqs.toArray()).map((r) => [r.eventId, r.hubSeq]));
  if (numbers.size === 0) return [...events];
  return events.map((e) => {
    if (e.hubSeq !== null) return e;
    const n = numbers.get(e.id);
    return n === undefined ? e : { ...e, hubSeq: n };
  });
}

/** Read every event (in id order, as events.toArray()) with its hub number, in one read transaction. */
export function readAllEvents(db: RelayDb): Promise<StoredEvent[]> {
  return db.transaction('r', [db.events, db.hubSeqs], async () => allEventsWithHubSeqs(db, await db.events.toArray()));
}

/** The number of events that carry a hub number (on their row or in `hubSeqs`). */
export async function countSequenced(db: RelayDb): Promise<number> {
  return db.transaction('r', [db.events, db.hubSeqs], async () => {
    const onRows = await db.events.where('hubSeq').above(0).primaryKeys();
    const inStore = await db.hubSeqs.toCollection().primaryKeys();
    return new Set([...onRows, ...inStore]).size;
  });
}
