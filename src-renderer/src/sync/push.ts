/**
 * Push: send the outbox to the hub in batches bounded by count and bytes, in the order the
 * events were recorded. An event leaves the outbox only when the hub has answered for it:
 * accepted or already held (it then carries the hub's sequence number), or refused for good
 * (it then moves to the `rejected` table, still kept in `events`, and is shown to the
 * operator). Whatever the hub does not answer stays queued and is sent again; re-sending is
 * always safe because the hub keeps events by id.
 */
import { canonicalJson, foldCase } from '../../../src-common/domain';
import { MAX_PUSH_BYTES, MAX_PUSH_EVENTS, type PushResponse } from '../../../src-common/protocol/v1';
import { COUNTER } from '../store/counters';
import type { RelayDb, StoredEvent } from '../store/db';
import { toCaseState } from '../store/projection';
import { refoldCases } from '../store/refold';
import type { HubClient } from './hub-client';

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

/** The next batch, oldest first, within the count and byte limits (always at least one event). */
export async function nextBatch(db: RelayDb, maxEvents: number, maxBytes: number): Promise<Array<Record<string, unknown>>> {
  const rows = await db.outbox.orderBy('lseq').limit(maxEvents).toArray();
  if (rows.length === 0) return [];
  const events = await db.events.bulkGet(rows.map((r) => r.eventId));
  const batch: Array<Record<string, unknown>> = [];
  let bytes = 40; // the envelope {"protocol":1,"events":[...]}
  for (const e of events) {
    if (!e) continue;
    const w = wire(e);
    const size = encoder.encode(JSON.stringify(w)).length + 1;
    if (batch.length > 0 && bytes + size > maxBytes) break;
    batch.push(w);
    bytes += size;
  }
  return batch;
}

/**
 * Of the cases whose events just got hub numbers, those whose fold in hub order differs from
 * the stored row. Usually none: the hub numbers a station's events in the order they were
 * sent, so unless another station's events interleave, the case stays exactly as it was, and
 * rewriting an unchanged case row (its ~17 indexes) was most of a push's
 * local cost. Call inside the transaction.
 */
async function casesToRefold(db: RelayDb, caseIds: ReadonlySet<string>): Promise<string[]> {
  const ids = [...caseIds];
  if (ids.length === 0) return [];
  const [rows, events] = await Promise.all([db.cases.bulkGet(ids), db.events.where('caseId').anyOf(ids).toArray()]);
  const byCase = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byCase.get(e.caseId);
    if (list) list.push(e);
    else byCase.set(e.caseId, [e]);
  }
  return ids.filter((caseId, i) => {
    const row = rows[i];
    const state = foldCase(byCase.get(caseId) ?? []);
    return !row || !state || canonicalJson(state) !== canonicalJson(toCaseState(row));
  });
}

/** Record the hub's answer for one batch, in one transaction. */
export async function applyPushResponse(db: RelayDb, response: PushResponse, stationId: string): Promise<Omit<PushSummary, 'batches'>> {
  return db.transaction('rw', [db.events, db.outbox, db.rejected, db.counters, db.cases, db.settings], async () => {
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    const settled: string[] = [];
    const sequenced = new Map<string, number>();
    const now = new Date().toISOString();
    for (const r of response.results) {
      if (r.status === 'rejected') {
        rejected++;
        settled.push(r.id);
        await db.rejected.put({ eventId: r.id, code: r.code, reason: r.reason, at: now });
      } else {
        if (r.status === 'accepted') accepted++;
        else duplicates++;
        settled.push(r.id);
        sequenced.set(r.id, r.hubSeq);
      }
    }
    const held = await db.events.bulkGet([...sequenced.keys()]);
    const touched = new Set<string>();
    const updates: StoredEvent[] = [];
    for (const e of held) {
      if (!e) continue;
      const hubSeq = sequenced.get(e.id)!;
      if (e.hubSeq !== hubSeq) {
        updates.push({ ...e, hubSeq });
        touched.add(e.caseId);
      }
    }
    if (updates.length) await db.events.bulkPut(updates);
    const present = (await db.outbox.bulkGet(settled)).filter(Boolean).map((r) => r!.eventId);
    await db.outbox.bulkDelete(present);

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
        await db.outbox.bulkAdd(again.map((m) => ({ eventId: m.id, lseq: m.lseq, queuedAt: now })));
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
    await refoldCases(db, await casesToRefold(db, touched));
    return { accepted, duplicates, rejected, requeued };
  });
}

/** Push until the outbox is empty or the hub stops answering. Throws HubError on failure. */
export async function pushOutbox(db: RelayDb, client: HubClient, stationId: string, options: PushOptions = {}): Promise<PushSummary> {
  const maxEvents = Math.min(options.maxEvents ?? MAX_PUSH_EVENTS, MAX_PUSH_EVENTS);
  const maxBytes = Math.min(options.maxBytes ?? MAX_PUSH_BYTES, MAX_PUSH_BYTES);
  const summary: PushSummary = { batches: 0, accepted: 0, duplicates: 0, rejected: 0, requeued: 0 };
  let lastFirst: string | null = null;
  for (;;) {
    const batch = await nextBatch(db, maxEvents, maxBytes);
    if (batch.length === 0) return summary;
    const first = String(batch[0]!.id);
    const response = await client.push(batch);
    const answered = new Set(response.results.map((r) => r.id));
    const r = await applyPushResponse(db, response, stationId);
    summary.batches++;
    summary.accepted += r.accepted;
    summary.duplicates += r.duplicates;
    summary.rejected += r.rejected;
    summary.requeued += r.requeued;
    // a hub that answers for none of what we sent would loop us forever: stop and say so
    if (!batch.some((e) => answered.has(String(e.id)))) {
      if (lastFirst === first) throw new Error('中心未确认本批任何记录，已暂停发送');
      lastFirst = first;
    }
  }
}
