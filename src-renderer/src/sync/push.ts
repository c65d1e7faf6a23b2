/**
 * Push: send the outbox to the hub in batches bounded by count and bytes, in the order the
 * events were recorded. An event leaves the outbox only when the hub has answered for it:
 * accepted or already held (it then carries the hub's sequence number), or refused for good
 * (it then moves to the `rejected` table, still kept in `events`, and is shown to the
 * operator). Whatever the hub does not answer stays queued and is sent again; re-sending is
 * always safe because the hub keeps events by id.
 */
import { canonicalJson, foldCase, orderForFold } from '../../../src-common/domain';
import { MAX_PUSH_BYTES, MAX_PUSH_EVENTS, type PushResponse } from '../../../src-common/protocol/v1';
import { COUNTER } from '../store/counters';
import type { RejectedRow, RelayDb, StoredEvent } from '../store/db';
import { acknowledgedBases, readRenumbered, recordHubSeqs, renumberedRow, withHubSeqs } from '../store/hub-seqs';
import { toCaseState } from '../store/projection';
import { eventsByCase, eventsOfCases, keysOfCases, refoldCases } from '../store/refold';
import { pushBody, type HubClient } from './hub-client';

export interface PushOptions {
  maxEvents?: number;
  maxBytes?: number;
}

export interface PushSummary {
  batches: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  requeued: number;
}

const encoder = new TextEncoder();

function wire(e: StoredEvent): Record<string, unknown> {
  const { hubSeq: _h, lseq: _l, ...event } = e;
  return event;
}

/** A batch read from the outbox: the events to send, and where the next batch starts. */
interface ReadBatch {
  events: Array<Record<string, unknown>>;
  /** event id → the pull cursor the station had applied when it recorded it (where known) */
  basis: Record<string, string>;
  /** the request body for them (as HubClient.push would serialize it) */
  body: string;
  /** the lseq of the last outbox row this batch took (or skipped: its event is not held) */
  lastLseq: number;
  /** the batch's event rows as read, and the renumbering count they were read at (SentRows) */
  sent: SentRows;
}

/**
 * A batch's event rows as read to send them, and the renumbering count when they were read
 * (hub-seqs.ts RENUMBERED_KEY): while it is unchanged, the rows are still as read, and
 * recording the batch's answer need not read them again.
 */
export interface SentRows {
  rows: StoredEvent[];
  renumbered: number;
}

/**
 * The outbox rows' events, in outbox order. A dense run of local numbers (the usual queue
 * after an outage) is read as one range of the events' lseq index; otherwise one get each.
 */
async function eventsOf(db: RelayDb, rows: ReadonlyArray<{ eventId: string; lseq: number }>): Promise<Array<StoredEvent | undefined>> {
  const lo = rows[0]!.lseq;
  const hi = rows[rows.length - 1]!.lseq;
  if (hi - lo + 1 <= rows.length * 2) {
    const byId = new Map((await db.events.where('lseq').between(lo, hi, true, true).toArray()).map((e) => [e.id, e]));
    if (rows.every((r) => byId.has(r.eventId))) return rows.map((r) => byId.get(r.eventId));
  }
  return db.events.bulkGet(rows.map((r) => r.eventId));
}

/** The next batch after local number `after`, oldest first, within the count and byte limits (at least one event). */
async function readBatch(db: RelayDb, maxEvents: number, maxBytes: number, after: number): Promise<ReadBatch> {
  // one read transaction: the rows and the renumbering count as of one moment
  const [rows, events, renumbered] = await db.transaction('r', [db.outbox, db.events, db.settings], async () => {
    const queued = await db.outbox.where('lseq').above(after).limit(maxEvents).toArray();
    if (queued.length === 0) return [queued, [], 0] as const;
    return [queued, ...(await Promise.all([eventsOf(db, queued), readRenumbered(db)]))] as const;
  });
  if (rows.length === 0) return { events: [], basis: {}, body: '', lastLseq: after, sent: { rows: [], renumbered } };
  const sentRows: StoredEvent[] = [];
  const batch: Array<Record<string, unknown>> = [];
  const serialized: string[] = [];
  const basis: Record<string, string> = {};
  let lastLseq = after;
  let bytes = 40; // the envelope {"protocol":1,"events":[...]}
  for (const [i, e] of events.entries()) {
    if (e) {
      const w = wire(e);
      const json = JSON.stringify(w);
      const recordedAt = rows[i]!.basis;
      const size = encoder.encode(json).length + 1 + (recordedAt ? e.id.length + recordedAt.length + 6 : 0);
      if (batch.length > 0 && bytes + size > maxBytes) break;
      batch.push(w);
      sentRows.push(e);
      serialized.push(json);
      if (recordedAt) basis[e.id] = recordedAt;
      bytes += size;
    }
    lastLseq = rows[i]!.lseq;
  }
  return { events: batch, basis, body: pushBody(serialized, basis), lastLseq, sent: { rows: sentRows, renumbered } };
}

/** The next batch, oldest first, within the count and byte limits (always at least one event). */
export async function nextBatch(db: RelayDb, maxEvents: number, maxBytes: number): Promise<Array<Record<string, unknown>>> {
  return (await nextBatchRead(db, maxEvents, maxBytes)).events;
}

/** nextBatch, with what recording its answer can use (applyPushResponse's `basis` and `sentRows`). */
export async function nextBatchRead(db: RelayDb, maxEvents: number, maxBytes: number): Promise<Pick<ReadBatch, 'events' | 'basis' | 'sent'>> {
  return readBatch(db, maxEvents, maxBytes, -Infinity);
}

/**
 * Of the cases whose events just got hub numbers, those whose fold in hub order differs from
 * the stored row. Call inside the transaction, after the numbers are recorded.
 */
async function casesToRefold(db: RelayDb, caseIds: ReadonlySet<string>): Promise<string[]> {
  const ids = [...caseIds];
  if (ids.length === 0) return [];
  const [rows, byCase] = await Promise.all([db.cases.bulkGet(ids), eventsByCase(db, ids)]);
  return ids.filter((caseId, i) => {
    const row = rows[i];
    const state = foldCase(byCase.get(caseId) ?? []);
    return !row || !state || canonicalJson(state) !== canonicalJson(toCaseState(row));
  });
}

function groupByCase<E extends { caseId: string }>(events: readonly E[]): Map<string, E[]> {
  const byCase = new Map<string, E[]>();
  for (const e of events) {
    const list = byCase.get(e.caseId);
    if (list) list.push(e);
    else byCase.set(e.caseId, [e]);
  }
  return byCase;
}

const foldOrder = (events: readonly StoredEvent[]) => orderForFold(events).map((e) => e.id).join(' ');

/**
 * Which of a case's folds the new hub numbers may change. The fold is a function of the order
 * its events are applied in (orderForFold) and nothing else of the hub numbers, so where that
 * order is the same before and after the numbers, the fold, and so the stored row, stay
 * exactly as they are: that is the usual case (a station's events are numbered in the order
 * it sent them, above everything it held), and nothing needs folding or rewriting.
 * The rest is checked the general way (fold, compare with the row): cases whose order does
 * change (another station's events interleave, a batch was numbered out of order, a refused
 * event stays behind), and cases holding another station's events without hub numbers (there
 * the row was folded by recording, which may place such events differently).
 * `before`: the cases' events as held before the numbers (with withHubSeqs).
 */
export function casesTheNumbersMayChange(before: readonly StoredEvent[], numbers: ReadonlyMap<string, number>, stationId: string): Set<string> {
  const out = new Set<string>();
  for (const [caseId, events] of groupByCase(before)) {
    if (!events.some((e) => numbers.has(e.id) && numbers.get(e.id) !== e.hubSeq)) continue;
    if (events.some((e) => e.hubSeq === null && e.stationId !== stationId)) {
      out.add(caseId);
      continue;
    }
    const after = events.map((e) => (numbers.has(e.id) ? { ...e, hubSeq: numbers.get(e.id)! } : e));
    if (foldOrder(events) !== foldOrder(after)) out.add(caseId);
  }
  return out;
}

/**
 * Take settled events out of the outbox; returns the ids that were there. When the settled
 * ids span a key range of the outbox holding nothing else (the usual batch: ULIDs of one desk
 * grow with its local numbers), one range delete; otherwise one delete each.
 */
async function removeFromOutbox(db: RelayDb, settled: readonly string[]): Promise<string[]> {
  if (settled.length === 0) return [];
  const sorted = [...settled].sort();
  const range = db.outbox.where(':id').between(sorted[0]!, sorted[sorted.length - 1]!, true, true);
  const inRange = (await range.primaryKeys()) as string[];
  const settledSet = new Set(settled);
  const present = inRange.filter((id) => settledSet.has(id));
  if (present.length === inRange.length) await range.delete();
  else await db.outbox.bulkDelete(present);
  return present;
}

/**
 * Every event of the numbered cases, as held now. With the batch's rows as read to send them
 * (`sent`), while no row has been renumbered since (the count is unchanged), only the primary
 * keys of the span the cases' ids cover are read, and only the events among them that the
 * batch does not hold: usually none, where reading the batch's own events again was the
 * largest part of recording an answer. Otherwise (or when that span holds many other events)
 * everything is read (eventsOfCases). In the order eventsOfCases gives (by case, then id).
 */
async function eventsOfNumberedCases(db: RelayDb, caseIds: readonly string[], sent: SentRows | undefined): Promise<StoredEvent[]> {
  if (!sent || sent.rows.length === 0 || caseIds.length === 0 || (await readRenumbered(db)) !== sent.renumbered) return eventsOfCases(db, caseIds);
  const wanted = new Set(caseIds);
  const known = new Map(sent.rows.map((e) => [e.id, e]));
  const keys = await keysOfCases(db, caseIds);
  if (keys === null) return eventsOfCases(db, caseIds);
  const others = keys.filter((id) => !known.has(id));
  const out: StoredEvent[] = [];
  for (const id of keys) {
    const e = known.get(id);
    if (e && wanted.has(e.caseId)) out.push(e);
  }
  if (others.length > 0) for (const e of await db.events.bulkGet(others)) if (e && wanted.has(e.caseId)) out.push(e);
  return out.sort((a, b) => (a.caseId === b.caseId ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.caseId < b.caseId ? -1 : 1));
}

/**
 * Record the hub's answer for one batch, in one transaction. `sent`: the batch as sent (its
 * events' case ids spare reading them again); any answered id not in it is read from the store.
 * `sentRows`: the batch's rows as read to send them (ReadBatch.sent), when known.
 */
export async function applyPushResponse(
  db: RelayDb,
  response: PushResponse,
  stationId: string,
  sent: ReadonlyArray<Record<string, unknown>> = [],
  bases: Readonly<Record<string, string>> = {},
  sentRows?: SentRows,
): Promise<Omit<PushSummary, 'batches'>> {
  return db.transaction('rw', [db.events, db.hubAcks, db.outbox, db.rejected, db.counters, db.cases, db.settings], async () => {
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    const settled: string[] = [];
    const sequenced = new Map<string, number>();
    const refused: RejectedRow[] = [];
    const now = new Date().toISOString();
    for (const r of response.results) {
      settled.push(r.id);
      if (r.status === 'rejected') {
        rejected++;
        refused.push({ eventId: r.id, code: r.code, reason: r.reason, at: now });
      } else {
        if (r.status === 'accepted') accepted++;
        else duplicates++;
        sequenced.set(r.id, r.hubSeq);
      }
    }
    if (refused.length) await db.rejected.bulkPut(refused);

    // the cases of the numbered events, and all their events as held before the numbers
    const caseOf = new Map<string, string>();
    for (const e of sent) if (typeof e.id === 'string' && typeof e.caseId === 'string') caseOf.set(e.id, e.caseId);
    const unknown = [...sequenced.keys()].filter((id) => !caseOf.has(id));
    if (unknown.length) for (const e of await db.events.bulkGet(unknown)) if (e) caseOf.set(e.id, e.caseId);
    const caseIds = new Set<string>();
    for (const id of sequenced.keys()) {
      const caseId = caseOf.get(id);
      if (caseId !== undefined) caseIds.add(caseId);
    }
    const rows = await eventsOfNumberedCases(db, [...caseIds], sentRows);
    const before = await withHubSeqs(db, rows);

    // the numbers: beside the event rows, unless a row already carries a different one
    const toStore: Array<[string, number]> = [];
    const toRewrite: StoredEvent[] = [];
    for (const [i, e] of before.entries()) {
      const hubSeq = sequenced.get(e.id);
      if (hubSeq === undefined) continue;
      // numbered already (by a pull, or with another number): the acknowledgement still keeps
      // its basis (a row's own number wins over an acknowledgement's, so the same is harmless)
      const keepBasis = typeof bases[e.id] === 'string';
      if (e.hubSeq === hubSeq) {
        if (keepBasis) toStore.push([e.id, hubSeq]);
        continue;
      }
      if (rows[i]!.hubSeq !== null) {
        toRewrite.push({ ...rows[i]!, hubSeq });
        if (keepBasis) toStore.push([e.id, hubSeq]);
      } else toStore.push([e.id, hubSeq]);
    }
    // with the cursor each was recorded at: sent again later (gaps), it is judged by it again
    await recordHubSeqs(db, toStore, bases);
    if (toRewrite.length) {
      // rows renumbered: counted (hub-seqs.ts RENUMBERED_KEY)
      await db.settings.put(renumberedRow(await readRenumbered(db)));
      await db.events.bulkPut(toRewrite);
    }
    const present = await removeFromOutbox(db, settled);

    // the hub lacks some of our sequence numbers: queue those events again
    let requeued = 0;
    for (const gap of response.gaps) {
      const missing = await db.events
        .where('[stationId+seq]')
        .between([stationId, gap.from], [stationId, gap.to], true, true)
        .toArray();
      const queued = new Set((await db.outbox.bulkGet(missing.map((m) => m.id))).filter(Boolean).map((r) => r!.eventId));
      const rejectedIds = new Set((await db.rejected.bulkGet(missing.map((m) => m.id))).filter(Boolean).map((r) => r!.eventId));
      const again = missing.filter((m) => !queued.has(m.id) && !rejectedIds.has(m.id));
      if (again.length) {
        const recordedAt = await acknowledgedBases(db, again.map((m) => m.id));
        await db.outbox.bulkAdd(again.map((m) => ({ eventId: m.id, lseq: m.lseq, queuedAt: now, ...(recordedAt.has(m.id) ? { basis: recordedAt.get(m.id)! } : {}) })));
        requeued += again.length;
      }
    }
    const delta = requeued - present.length;
    if (delta !== 0) {
      const row = await db.counters.get(COUNTER.outbox);
      await db.counters.put({ key: COUNTER.outbox, n: Math.max(0, (row?.n ?? 0) + delta) });
    }
    if (rejected) {
      const row = await db.counters.get(COUNTER.rejected);
      await db.counters.put({ key: COUNTER.rejected, n: (row?.n ?? 0) + rejected });
    }
    // our events now carry hub order: fold their cases again in the one order (where it changes them)
    const check = casesTheNumbersMayChange(before, sequenced, stationId);
    const again = new Set(await casesToRefold(db, check));
    // what the hub refused for good leaves the case this desk shares with the others (it stays
    // recorded, listed under refused records): fold those cases again without it
    if (refused.length) {
      const missingCase = refused.map((r) => r.eventId).filter((id) => !caseOf.has(id));
      if (missingCase.length) for (const e of await db.events.bulkGet(missingCase)) if (e) caseOf.set(e.id, e.caseId);
      for (const r of refused) {
        const caseId = caseOf.get(r.eventId);
        if (caseId !== undefined) again.add(caseId);
      }
    }
    await refoldCases(db, again);
    return { accepted, duplicates, rejected, requeued };
  });
}

/** Send a batch; the answer is awaited later (a failure meanwhile is not an unhandled rejection). */
function send(client: HubClient, batch: ReadBatch): Promise<PushResponse> {
  const request = client.pushSerialized ? client.pushSerialized(batch.body) : client.push(batch.events, batch.basis);
  request.catch(() => undefined);
  return request;
}

/**
 * Push until the outbox is empty or the hub stops answering. Throws HubError on failure.
 *
 * Pipelined, one request at a time: while the hub works on a batch, the next one is read;
 * as soon as the hub has answered, the next batch goes out, and the answer is recorded while
 * the hub works on it. Nothing leaves the outbox before its answer is recorded, and a failure
 * anywhere stops the loop with every unrecorded event still queued (sending it again is safe:
 * the hub keeps events by id). A batch goes out ahead of its predecessor's answer being
 * recorded only when that answer settled every event of the predecessor and reported no gap;
 * otherwise the loop records it and starts again from the head of the outbox, as it always did.
 */
export async function pushOutbox(db: RelayDb, client: HubClient, stationId: string, options: PushOptions = {}): Promise<PushSummary> {
  const maxEvents = Math.min(options.maxEvents ?? MAX_PUSH_EVENTS, MAX_PUSH_EVENTS);
  const maxBytes = Math.min(options.maxBytes ?? MAX_PUSH_BYTES, MAX_PUSH_BYTES);
  const summary: PushSummary = { batches: 0, accepted: 0, duplicates: 0, rejected: 0, requeued: 0 };
  let lastFirst: string | null = null;
  let current = await readBatch(db, maxEvents, maxBytes, -Infinity);
  if (current.events.length === 0) return summary;
  let request = send(client, current);
  for (;;) {
    // while the hub works on `current`: read the batch after it
    let next: ReadBatch;
    try {
      next = await readBatch(db, maxEvents, maxBytes, current.lastLseq);
    } catch (e) {
      await request.catch(() => undefined);
      throw e;
    }
    const response = await request;
    const answered = new Set(response.results.map((r) => r.id));
    const settledAll = current.events.every((e) => answered.has(String(e.id)));
    // the next batch goes out now, unless this answer leaves something to send first
    const pipelined = settledAll && response.gaps.length === 0 && next.events.length > 0;
    let following: Promise<PushResponse> | null = null;
    if (pipelined) following = send(client, next);
    let r: Omit<PushSummary, 'batches'>;
    try {
      r = await applyPushResponse(db, response, stationId, current.events, current.basis, current.sent);
    } catch (e) {
      if (following) await following.catch(() => undefined);
      throw e;
    }
    summary.batches++;
    summary.accepted += r.accepted;
    summary.duplicates += r.duplicates;
    summary.rejected += r.rejected;
    summary.requeued += r.requeued;
    // a hub that answers for none of what we sent would loop us forever: stop and say so
    const first = String(current.events[0]!.id);
    if (!current.events.some((e) => answered.has(String(e.id)))) {
      if (lastFirst === first) throw new Error('中心未确认本批任何记录，已暂停发送');
      lastFirst = first;
    }
    if (following) {
      current = next;
      request = following;
      continue;
    }
    // from the head of the outbox again: what the hub left unanswered, gaps queued again,
    // and whatever was recorded meanwhile
    current = await readBatch(db, maxEvents, maxBytes, -Infinity);
    if (current.events.length === 0) return summary;
    request = send(client, current);
  }
}
