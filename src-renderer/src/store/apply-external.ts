/**
 * Taking in events recorded elsewhere (pulled from the hub, or restored from a backup file).
 * Events are appended, never overwritten: an id already held with the same content is
 * skipped; the same id with different content is refused. Every case touched is folded
 * again in the one fold order, in the same transaction: when the new events fold after
 * everything the case holds (its row's foldTip, see projection.ts tipAfter), by applying
 * them to the row; otherwise from all its events.
 */
import Dexie, { type Table } from 'dexie';
import { applyEvent, canonicalJson, foldCase, orderForFold, parseEvent, type CaseState, type RelayEvent } from '../../../src-common/domain';
import { CounterDelta } from './counters';
import type { RelayDb, SettingRow, StoredCase, StoredEvent } from './db';
import { foldTipOf, tipAfter, toCaseState, toStoredCase } from './projection';
import { readRenumbered, renumberedRow, withHubSeqs } from './hub-seqs';
import { eventsByCase } from './refold';
import { putAll } from './write-and-commit';

const LSEQ_KEY = 'local:lseq';

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
 * The rows of `table` with the given ULID keys (undefined where none), in their order. A
 * batch's ids (events, and the cases they belong to) are close in time: one key-range read of
 * the primary keys between the lowest and highest id usually shows that few or none are held
 * (a fresh pull), and only those are read. When the range holds many other rows, they are
 * looked up one by one instead.
 */
async function rowsByUlid<T>(table: Table<T, string>, ids: readonly string[]): Promise<Array<T | undefined>> {
  if (ids.length < 16) return table.bulkGet(ids as string[]);
  let lo = ids[0]!;
  let hi = ids[0]!;
  for (const id of ids) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  const cap = ids.length * 2;
  const inRange = await table.where(':id').between(lo, hi, true, true).limit(cap + 1).primaryKeys();
  if (inRange.length > cap) return table.bulkGet(ids as string[]);
  const wanted = new Set(ids);
  const present = inRange.filter((k) => wanted.has(k));
  if (present.length === 0) return ids.map(() => undefined);
  const rows = await table.bulkGet(present);
  const byId = new Map(present.map((k, i) => [k, rows[i]]));
  return ids.map((id) => byId.get(id));
}

/** The held events among `ids` (undefined where not held), in their order. */
export function heldEvents(db: RelayDb, ids: readonly string[]): Promise<Array<StoredEvent | undefined>> {
  return rowsByUlid(db.events, ids);
}

/** The case rows of `ids` (undefined where none), in their order. */
export function caseRowsOf(db: RelayDb, ids: readonly string[]): Promise<Array<StoredCase | undefined>> {
  return rowsByUlid(db.cases, ids);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface ApplyOptions {
  /**
   * Settings rows written with the events, in the same round trip (a pull's new cursor). Unlike
   * `extraWrites`, which runs after the events are written (it may read them), these let the
   * transaction ask for its commit as soon as its writes are issued (write-and-commit.ts).
   */
  settings?: readonly SettingRow[];
  /**
   * The numbers come from the hub itself (a pull): a held event it numbers differently takes
   * the hub's number (a hub restored from an older backup numbers the events it got again
   * anew). Off for anything else (a backup file): there a number only fills in where none is
   * held, and a held number is never rewritten.
   */
  hubNumbers?: boolean;
}

/**
 * Validate everything first, then write in one transaction. Throws (and writes nothing) if
 * any event is malformed or conflicts with one held.
 */
export async function applyExternalEvents(
  db: RelayDb,
  incoming: readonly ExternalEvent[],
  extraWrites?: () => Promise<void>,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const parsed = incoming.map((item, index) => {
    try {
      return { event: parseEvent(item.event), hubSeq: item.hubSeq ?? null };
    } catch (e) {
      throw new Error(`第 ${index + 1} 条记录无效：${(e as Error).message}`, { cause: e });
    }
  });
  // inside a caller's transaction, whose commit is not known here (see record.ts)
  const nested = Dexie.currentTransaction !== null;
  const result = await db.transaction('rw', [db.events, db.cases, db.settings, db.counters, db.outbox, db.hubAcks, db.rejected], async (tx) => {
    // every read that does not depend on another, in one round trip
    const caseIds = [...new Set(parsed.map((p) => p.event.caseId))];
    const counters = new CounterDelta();
    const [held, lseqRow, caseRows, , renumbered] = await Promise.all([
      // with the numbers of our own acknowledged pushes (hub-seqs.ts): those need no rewrite
      heldEvents(db, parsed.map((p) => p.event.id)).then((rows) => withHubSeqs(db, rows)),
      db.settings.get(LSEQ_KEY),
      caseRowsOf(db, caseIds),
      counters.prefetch(db),
      readRenumbered(db),
    ]);
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
        // numbered now; or, from the hub itself, numbered again (options.hubNumbers)
        const renumber = stored !== undefined && stored.hubSeq !== null && options.hubNumbers === true;
        if (stored && item.hubSeq !== null && item.hubSeq !== undefined && stored.hubSeq !== item.hubSeq && (stored.hubSeq === null || renumber)) {
          toSequence.push({ ...stored, hubSeq: item.hubSeq });
        }
        continue;
      }
      seenInBatch.set(item.event.id, item.event);
      toAdd.push(item);
    }
    const lseqBefore = typeof lseqRow?.value === 'number' ? lseqRow.value : 0;
    const added: StoredEvent[] = toAdd.map((x, i) => ({ ...x.event, hubSeq: x.hubSeq, lseq: lseqBefore + 1 + i }));

    // per case: apply the new events to the row, or fold it again from all its events
    const rowOf = new Map<string, StoredCase | undefined>(caseIds.map((id, i) => [id, caseRows[i]]));
    const addedByCase = new Map<string, StoredEvent[]>();
    for (const e of added) push(addedByCase, e.caseId, e);
    const sequencedByCase = new Map<string, StoredEvent[]>();
    for (const e of toSequence) push(sequencedByCase, e.caseId, e);
    const touched = [...new Set([...addedByCase.keys(), ...sequencedByCase.keys()])];
    const rows: StoredCase[] = [];
    const refold: string[] = [];
    const written = (caseId: string, state: CaseState, tip: StoredCase['foldTip']) => {
      const prior = rowOf.get(caseId);
      counters.caseChanged(prior ? toCaseState(prior) : undefined, state);
      rows.push(toStoredCase(state, tip));
    };
    for (const caseId of touched) {
      const row = rowOf.get(caseId);
      const mine = addedByCase.get(caseId) ?? [];
      const tip = row && !sequencedByCase.has(caseId) ? tipAfter(row.foldTip, mine) : undefined;
      if (!tip) {
        refold.push(caseId);
        continue;
      }
      let state = toCaseState(row!);
      for (const e of orderForFold(mine)) if (e.type !== 'shift.handover') state = applyEvent(state, e, 'replay');
      written(caseId, state, tip);
    }
    if (refold.length > 0) {
      // the events held before this batch (none, for a case new to this station), then this batch's
      const byCase = await eventsByCase(db, refold);
      for (const caseId of refold) {
        const events = new Map((byCase.get(caseId) ?? []).map((e) => [e.id, e]));
        for (const e of sequencedByCase.get(caseId) ?? []) events.set(e.id, e);
        for (const e of addedByCase.get(caseId) ?? []) events.set(e.id, e);
        const all = [...events.values()];
        const state = foldCase(all);
        if (state) written(caseId, state, foldTipOf(all));
        // else: its creation has not arrived yet (or it is a handover, not a case)
      }
    }

    const lseqAfter = lseqBefore + added.length;
    // Every write at once, as puts: the added events were read above as not held (and are unique
    // in the batch), so none can fail on its own; with nothing to follow, the commit is asked
    // right after them (write-and-commit.ts)
    await putAll(
      tx,
      [
        {
          table: db.settings,
          rows: [
            ...(added.length > 0 ? [{ key: LSEQ_KEY, value: lseqAfter }] : []),
            // held rows given a number: counted (hub-seqs.ts RENUMBERED_KEY)
            ...(toSequence.length > 0 ? [renumberedRow(renumbered)] : []),
            ...(options.settings ?? []),
          ],
        },
        { table: db.events, rows: [...added, ...toSequence] },
        { table: db.cases, rows },
        { table: db.counters, rows: counters.rows() },
      ],
      { commit: !nested && !extraWrites },
    );
    if (extraWrites) await extraWrites();
    return { added: added.length, alreadyHeld, sequenced: toSequence.length, casesTouched: rows.length };
  });
  return result;
}
