/**
 * The hub's sequence number of each event, as this station knows it.
 *
 * Two places hold it (schema v5):
 * - the event row's `hubSeq`, set when the event arrived with its number (pulled from the hub,
 *   restored from a backup) or was numbered before v5;
 * - the `hubAcks` store: one row per push acknowledgement, holding the numbers the hub gave
 *   that batch of this station's own events (a multi-entry index on the event ids finds them).
 *   Recording a batch's numbers is then one write, instead of rewriting every event row with
 *   its five index entries (IndexedDB's cost is mostly per request, not per byte).
 *
 * The row's number wins when set (an acknowledgement that disagrees with it rewrites the row
 * instead, see push.ts); otherwise the latest acknowledgement's. Every reader of hubSeq goes
 * through withHubSeqs or readAllEvents, inside a transaction that includes `hubAcks`, or none.
 */
import type { HubAckRow, RelayDb, SettingRow, StoredEvent } from './db';

/**
 * Record one acknowledgement's numbers (call inside the transaction that settles the outbox),
 * with the pull cursor each of those events was recorded at (`bases`, from their outbox rows).
 */
export async function recordHubSeqs(
  db: RelayDb,
  numbers: ReadonlyArray<readonly [string, number]>,
  bases: Readonly<Record<string, string>> = {},
): Promise<void> {
  if (numbers.length === 0) return;
  const kept = numbers.map(([id]) => (typeof bases[id] === 'string' ? bases[id] : null));
  await db.hubAcks.add({ ids: numbers.map(([id]) => id), hubSeqs: numbers.map(([, n]) => n), ...(kept.some((b) => b !== null) ? { bases: kept } : {}) });
}

/**
 * How many times event rows held here have been given another hub number on the row itself (a
 * pull or a backup numbering events this desk held: apply-external.ts; an acknowledgement that
 * disagrees with a row's number: push.ts). Those are the only writes to an event row once it is
 * recorded, and each bumps this count in its own transaction, so rows read while the count was
 * n are still as read while it is n (a push's answer is recorded against the rows it sent, read
 * when its batch was: push.ts). A settings row; none is 0.
 */
export const RENUMBERED_KEY = 'local:renumbered';

export async function readRenumbered(db: RelayDb): Promise<number> {
  const row = await db.settings.get(RENUMBERED_KEY);
  return typeof row?.value === 'number' ? row.value : 0;
}

/** The settings row that counts one more renumbering after `before` (readRenumbered). */
export function renumberedRow(before: number): SettingRow {
  return { key: RENUMBERED_KEY, value: before + 1 };
}

/** id → number from acknowledgement rows, later rows winning; only `want` ids when given. */
function numbersOf(rows: ReadonlyArray<HubAckRow | undefined>, want?: ReadonlySet<string>): Map<string, number> {
  const sorted = rows.filter((r): r is HubAckRow => Boolean(r)).sort((a, b) => a.n! - b.n!);
  const out = new Map<string, number>();
  for (const row of sorted) {
    for (const [i, id] of row.ids.entries()) if (!want || want.has(id)) out.set(id, row.hubSeqs[i]!);
  }
  return out;
}

/** The acknowledgement rows that name any of these events. */
async function ackRowsOf(db: RelayDb, ids: readonly string[]): Promise<Array<HubAckRow | undefined>> {
  if (ids.length === 0) return [];
  const sorted = [...ids].sort();
  const range = db.hubAcks.where('ids').between(sorted[0]!, sorted[sorted.length - 1]!, true, true);
  // a tight run of ids (a batch, a case's recent events): one key range; else one lookup each
  const keys = (await range.count()) <= ids.length * 4 + 1000 ? await range.primaryKeys() : await db.hubAcks.where('ids').anyOf(sorted).primaryKeys();
  if (keys.length === 0) return [];
  return db.hubAcks.bulkGet([...new Set(keys)]);
}

/** The acknowledged numbers of these events (those with any). */
export async function acknowledgedNumbers(db: RelayDb, ids: readonly string[]): Promise<Map<string, number>> {
  const rows = await ackRowsOf(db, ids);
  return rows.length === 0 ? new Map() : numbersOf(rows, new Set(ids));
}

/**
 * The pull cursor each of these events was recorded at, as kept by their acknowledgement
 * (those acknowledged with one): what an event sent again is judged by at the hub.
 */
export async function acknowledgedBases(db: RelayDb, ids: readonly string[]): Promise<Map<string, string>> {
  const want = new Set(ids);
  const rows = (await ackRowsOf(db, ids)).filter((r): r is HubAckRow => Boolean(r)).sort((a, b) => a.n! - b.n!);
  const out = new Map<string, string>();
  for (const row of rows) {
    if (!row.bases) continue;
    for (const [i, id] of row.ids.entries()) {
      const basis = row.bases[i];
      if (typeof basis === 'string' && want.has(id)) out.set(id, basis);
    }
  }
  return out;
}

/**
 * The events with their acknowledged numbers filled in where the row has none (copies where
 * changed, the same objects otherwise). Missing entries (undefined) pass through.
 */
export async function withHubSeqs<E extends StoredEvent | undefined>(db: RelayDb, events: readonly E[]): Promise<E[]> {
  const ask = events.filter((e) => e && e.hubSeq === null).map((e) => e!.id);
  if (ask.length === 0) return [...events];
  const numbers = await acknowledgedNumbers(db, ask);
  if (numbers.size === 0) return [...events];
  return events.map((e) => (e && e.hubSeq === null && numbers.has(e.id) ? { ...e, hubSeq: numbers.get(e.id)! } : e));
}

/** Every event held, each with its number (for whole-store readers: reports, backup, hand-over sheet). */
export async function allEventsWithHubSeqs(db: RelayDb, events: readonly StoredEvent[]): Promise<StoredEvent[]> {
  if (!events.some((e) => e.hubSeq === null)) return [...events];
  const numbers = numbersOf(await db.hubAcks.toArray());
  if (numbers.size === 0) return [...events];
  return events.map((e) => (e.hubSeq === null && numbers.has(e.id) ? { ...e, hubSeq: numbers.get(e.id)! } : e));
}

/** Read every event (in id order, as events.toArray()) with its hub number, in one read transaction. */
export function readAllEvents(db: RelayDb): Promise<StoredEvent[]> {
  return db.transaction('r', [db.events, db.hubAcks], async () => allEventsWithHubSeqs(db, await db.events.toArray()));
}

/** The number of events held that carry a hub number (on their row or acknowledged). */
export async function countSequenced(db: RelayDb): Promise<number> {
  return db.transaction('r', [db.events, db.hubAcks], async () => {
    // (events have no hubSeq index since v4: this reads them all; it serves diagnostics only)
    const numbered = new Set((await db.events.filter((e) => e.hubSeq !== null).primaryKeys()) as string[]);
    for (const id of numbersOf(await db.hubAcks.toArray()).keys()) numbered.add(id);
    return numbered.size;
  });
}
