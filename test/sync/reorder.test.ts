/**
 * Duplicated and reordered batches: the station's outbox split into batches and pushed with
 * the client directly (as a second sender, or a network that delivers out of order, would):
 * a later batch first, the same batch twice (at once, and again later), and two batches
 * concurrently with the earlier one held until the later one is answered. The hub holds each
 * event once, reports the missing sequence numbers as gaps and then as filled, and the
 * answers, applied in any order, leave the station settled.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { MAX_PUSH_BYTES, type PushResponse } from '../../src-common/protocol/v1';
import { applyPushResponse, nextBatch } from '../../src-renderer/src/sync/push';
import { gate, isPush } from './faulty-fetch';
import { describeEachDriver, duplicatesIn, expectStationConverged, H12345, P110, startSyncHub, SyncStation, type SyncHub } from './harness';

const ids = (batch: ReadonlyArray<Record<string, unknown>>) => batch.map((e) => String(e.id));
const seqs = (r: PushResponse) => r.results.map((x) => (x.status === 'rejected' ? null : x.hubSeq));

describeEachDriver('sync: duplicated and reordered batches', (driver) => {
  let hub: SyncHub;
  const stations: SyncStation[] = [];
  const station = async (spec = P110) => {
    const s = await new SyncStation(hub, spec).register();
    stations.push(s);
    return s;
  };

  beforeAll(async () => {
    hub = await startSyncHub(driver);
  }, 60_000);
  afterAll(async () => {
    await hub?.destroy();
  });
  beforeEach(async () => {
    await hub.reset();
  });
  afterEach(() => {
    for (const s of stations.splice(0)) s.close();
  });

  it('batch 2 before batch 1, the same batch twice, batch 3 overtaking batch 1: each event once, gaps reported then filled', async () => {
    const s = await station(P110);
    const s12345 = await station(H12345);
    for (let i = 0; i < 10; i++) await s.intake();
    const all = await nextBatch(s.db, 500, MAX_PUSH_BYTES);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // batches on case boundaries: A = cases 1–3 (seq 1–9), B = cases 4–6 (10–18), C = cases 7–10 (19–30)
    const A = all.slice(0, 9);
    const B = all.slice(9, 18);
    const C = all.slice(18);
    const client = s.client();

    // B first: accepted, and the hub reports 1–9 missing
    const rB = await client.push(B);
    expect(rB.results.map((r) => r.status)).toEqual(B.map(() => 'accepted'));
    expect(rB).toMatchObject({ gaps: [{ from: 1, to: 9 }], contiguousSeq: 0 });
    expect(await applyPushResponse(s.db, rB, s.id)).toEqual({ accepted: 9, duplicates: 0, rejected: 0, requeued: 0 });
    // A is still queued (so nothing is queued twice), C too
    expect(await s.outboxIds()).toEqual([...ids(A), ...ids(C)]);

    // B again, delivered twice at once: duplicates, with the numbers of the first time
    s.faulty.next({ kind: 'duplicate', order: 'concurrent' }, isPush);
    const rB2 = await client.push(B);
    const copies = s.faulty.calls.at(-1)!.hubAnswers.map((a) => a.body as PushResponse);
    expect(copies).toHaveLength(2);
    for (const copy of copies) {
      expect(copy.results.map((r) => r.status)).toEqual(B.map(() => 'duplicate'));
      expect(seqs(copy)).toEqual(seqs(rB));
    }
    expect(seqs(rB2)).toEqual(seqs(rB));
    expect(await applyPushResponse(s.db, rB2, s.id)).toMatchObject({ accepted: 0, duplicates: 9, requeued: 0 });

    // A and C at once; A held until C is answered (C itself delivered twice)
    const cAnswered = gate();
    s.faulty.script([{ kind: 'none', before: cAnswered.promise }, { kind: 'duplicate', order: 'concurrent', onAnswered: () => cAnswered.open() }], isPush);
    const [rA, rC] = await Promise.all([client.push(A), client.push(C)]);
    // the two copies of C raced: one was accepted, the other found it held, with the same numbers
    const cCopies = s.faulty.callsWhere(isPush).at(-1)!.hubAnswers.map((a) => a.body as PushResponse);
    expect(cCopies.map((c) => c.results[0]!.status).sort()).toEqual(['accepted', 'duplicate']);
    for (const copy of cCopies) {
      expect(new Set(copy.results.map((r) => r.status)).size).toBe(1);
      expect(seqs(copy)).toEqual(seqs(rC));
      expect(copy).toMatchObject({ gaps: [{ from: 1, to: 9 }], contiguousSeq: 0 });
    }
    expect(rA.results.map((r) => r.status)).toEqual(A.map(() => 'accepted'));
    expect(rA).toMatchObject({ gaps: [], contiguousSeq: 30 });
    // answers applied out of order: A's before C's. C's answer is older than A's: its gap
    // (1–9) was filled since, but the station cannot tell, so it queues A again (safe: the
    // hub answers duplicate, with the same numbers)
    expect(await applyPushResponse(s.db, rA, s.id)).toMatchObject({ accepted: 9, requeued: 0 });
    expect(await s.outboxIds()).toEqual(ids(C));
    const appliedC = await applyPushResponse(s.db, rC, s.id);
    expect(appliedC.accepted + appliedC.duplicates).toBe(12);
    expect(appliedC.requeued).toBe(9);
    expect(await s.outboxIds()).toEqual(ids(A));
    expect(await s.push()).toMatchObject({ batches: 1, accepted: 0, duplicates: 9, requeued: 0 });
    expect(seqs(s.faulty.calls.at(-1)!.hubAnswers[0]!.body as PushResponse)).toEqual(seqs(rA));
    expect(await s.outboxIds()).toEqual([]);

    // the hub: each event once, in the order it took them: B, C, A
    const held = await hub.held();
    expect(duplicatesIn(held.map((h) => h.id))).toEqual([]);
    expect(held.map((h) => h.id)).toEqual([...ids(B), ...ids(C), ...ids(A)]);
    expect(held.map((h) => h.hubSeq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // nothing left to send; both desks converge on the hub's order
    expect(await s.push()).toMatchObject({ batches: 0 });
    expect(await s.pull(4)).toMatchObject({ received: 30, added: 0 });
    expect(await s12345.pull(4)).toMatchObject({ received: 30, added: 30 });
    await expectStationConverged(s, held, new Set(ids(all)));
    await expectStationConverged(s12345, held, new Set(ids(all)));
    const statuses = [...(await s12345.caseStates()).values()].map((c) => c.status);
    expect(statuses).toEqual(Array(10).fill('transferred'));
  });

  /** Case 2's creation in the first batch, its screening and transfer in the second; the second pushed first. */
  async function caseSplitAcrossReorderedBatches() {
    const s = await station(P110);
    const s12345 = await station(H12345);
    for (let i = 0; i < 4; i++) await s.intake();
    const all = await nextBatch(s.db, 500, MAX_PUSH_BYTES);
    const first = all.slice(0, 4); // seq 1–4: case 1, and case 2's creation
    const second = all.slice(4); // seq 5–12: case 2's screening and transfer, cases 3–4
    const client = s.client();
    const r2 = await client.push(second);
    expect(r2).toMatchObject({ gaps: [{ from: 1, to: 4 }], contiguousSeq: 0 });
    expect(await applyPushResponse(s.db, r2, s.id)).toMatchObject({ accepted: 8, requeued: 0 });
    const r1 = await client.push(first);
    expect(r1).toMatchObject({ gaps: [], contiguousSeq: 12 });
    expect(await applyPushResponse(s.db, r1, s.id)).toMatchObject({ accepted: 4, requeued: 0 });
    expect(await s.pull()).toMatchObject({ received: 12, added: 0 });
    expect(await s12345.pull(5)).toMatchObject({ received: 12, added: 12 });
    const held = await hub.held();
    return { s, s12345, all, held, split: String(all[3]!.caseId) };
  }

  it('a batch boundary inside a case, delivered out of order: each event once, and both desks fold the case the same way', async () => {
    const { s, s12345, all, held, split } = await caseSplitAcrossReorderedBatches();
    expect(held.map((h) => h.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4]);
    // the hub numbered case 2's screening and transfer before its creation
    expect(held.filter((h) => h.caseId === split).map((h) => [h.event.type, h.hubSeq])).toEqual([
      ['case.screened', 1],
      ['case.transferred', 2],
      ['case.created', 12],
    ]);
    await expectStationConverged(s, held, new Set(ids(all)));
    await expectStationConverged(s12345, held, new Set(ids(all)));
  });

  // Found by this suite: the fold used to follow hub numbers alone, so a creation numbered after
  // the same station's later events left every desk showing the case as new. The fold now keeps
  // each station's own sequence within hub order (orderForFold / inHubOrder).
  it('the split case keeps its screening and transfer at every desk', async () => {
    const { s, s12345, split } = await caseSplitAcrossReorderedBatches();
    for (const desk of [s, s12345]) {
      expect((await desk.caseStates()).get(split)).toMatchObject({ eventCount: 3, status: 'transferred' });
    }
  });
});
