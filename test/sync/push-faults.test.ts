/**
 * Pushing through a failing network, against the real hub over real HTTP:
 * - the hub down (connection refused, before sending; or really stopped mid-push): nothing
 *   unanswered leaves the outbox, and a later push delivers everything exactly once;
 * - the answer lost after the hub committed (or a 503 from a proxy after it did): the outbox
 *   keeps the events, the re-send gets `duplicate` with the same hubSeq, the hub holds each
 *   event once, and the station ends with hubSeq on every event and an empty outbox.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { PushResponse } from '../../src-common/protocol/v1';
import { HubError } from '../../src-renderer/src/sync/hub-client';
import { gate, isPush, type CallRecord } from './faulty-fetch';
import { describeEachDriver, duplicatesIn, expectStationConverged, H12345, P110, startSyncHub, SyncStation, type SyncHub } from './harness';

async function recordIntakes(s: SyncStation, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(...(await s.intake()).map((e) => e.id));
  return ids;
}

const answerOf = (call: CallRecord | undefined, copy = 0) => call?.hubAnswers[copy]?.body as PushResponse;
const seqsOf = (r: PushResponse) => Object.fromEntries(r.results.map((x) => [x.id, x.status === 'rejected' ? null : x.hubSeq]));

describeEachDriver('sync: push faults', (driver) => {
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
    if (!hub.running) await hub.start();
    await hub.reset();
  });
  afterEach(() => {
    for (const s of stations.splice(0)) s.close();
  });

  it('hub down before the first batch: nothing leaves the outbox; the later push delivers everything exactly once', async () => {
    const s = await station();
    const ids = await recordIntakes(s, 12);
    expect(ids).toHaveLength(36);

    s.faulty.next('down', isPush);
    const failed = await s.push({ maxEvents: 10 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HubError);
    expect(failed).toMatchObject({ kind: 'network', retryable: true });
    expect(s.faulty.calls.map((c) => [c.fault, c.delivered])).toEqual([['down', 0]]);
    expect(await s.outboxIds()).toEqual(ids);
    expect((await s.events()).filter((e) => e.hubSeq !== null)).toEqual([]);
    expect(await hub.held()).toEqual([]);

    const summary = await s.push({ maxEvents: 10 });
    expect(summary).toEqual({ batches: 4, accepted: 36, duplicates: 0, rejected: 0, requeued: 0 });
    const held = await hub.held();
    expect(held.map((h) => h.id)).toEqual(ids); // in the station's order, each once
    expect(held.map((h) => h.seq)).toEqual(ids.map((_, i) => i + 1));
    const pulled = await s.pull();
    expect(pulled).toMatchObject({ received: 36, added: 0 });
    await expectStationConverged(s, held, new Set(ids));
  });

  it('hub really stopped mid-push (connection refused after two answered batches), started again on the same data: the rest goes once', async () => {
    const s = await station();
    const ids = await recordIntakes(s, 12);
    const answer = gate();
    let answered = false;
    // batch 2 reaches the hub and is answered; the station sees the answer only after the hub has stopped
    s.faulty.script(['none', { kind: 'none', after: answer.promise, onAnswered: () => (answered = true) }], isPush);
    const pushing = s.push({ maxEvents: 10 }).catch((e: unknown) => e);
    await expect.poll(() => answered, { timeout: 10_000 }).toBe(true);
    await hub.stop();
    answer.open();
    const failed = await pushing;
    expect(failed).toBeInstanceOf(HubError);
    expect(failed).toMatchObject({ kind: 'network' });
    // the third call went out for real and was refused by the closed port
    expect(s.faulty.calls.map((c) => [c.fault, c.delivered, c.outcome])).toEqual([
      ['none', 1, 'answered'],
      ['none', 1, 'answered'],
      ['none', 1, 'networkError'],
    ]);
    expect(s.faulty.calls[2]!.hubAnswers).toEqual([]);
    expect(await s.outboxIds()).toEqual(ids.slice(20));
    expect((await s.events()).filter((e) => e.hubSeq !== null).map((e) => e.id).sort()).toEqual(ids.slice(0, 20).sort());

    await hub.start();
    expect((await hub.held()).map((h) => h.id)).toEqual(ids.slice(0, 20));
    const summary = await s.push({ maxEvents: 10 });
    expect(summary).toMatchObject({ batches: 2, accepted: 16, duplicates: 0, rejected: 0 });
    const held = await hub.held();
    expect(held.map((h) => h.id)).toEqual(ids);
    await expectStationConverged(s, held, new Set(ids));
  });

  it('answer lost after the hub committed: the outbox keeps the events; the re-send gets duplicate with the same hubSeq; the hub holds each once', async () => {
    const s = await station();
    const ids = await recordIntakes(s, 8);
    s.faulty.next('lost', isPush);
    const failed = await s.push().catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'HubError', kind: 'network' });
    const lost = s.faulty.calls[0]!;
    expect([lost.fault, lost.delivered, lost.outcome]).toEqual(['lost', 1, 'networkError']);
    const first = answerOf(lost);
    expect(first.results.map((r) => r.status)).toEqual(ids.map(() => 'accepted'));

    // the station knows nothing of it
    expect(await s.outboxIds()).toEqual(ids);
    expect((await s.events()).every((e) => e.hubSeq === null)).toBe(true);
    // the hub has every event once, numbered as in the lost answer
    const before = await hub.held();
    expect(before.map((h) => h.id)).toEqual(ids);
    expect(Object.fromEntries(before.map((h) => [h.id, h.hubSeq]))).toEqual(seqsOf(first));

    const summary = await s.push();
    expect(summary).toEqual({ batches: 1, accepted: 0, duplicates: 24, rejected: 0, requeued: 0 });
    const again = answerOf(s.faulty.calls[1]);
    expect(again.results.map((r) => r.status)).toEqual(ids.map(() => 'duplicate'));
    expect(seqsOf(again)).toEqual(seqsOf(first));
    expect(again).toMatchObject({ gaps: [], contiguousSeq: 24 });

    const held = await hub.held();
    expect(held).toEqual(before);
    expect(duplicatesIn(held.map((h) => h.id))).toEqual([]);
    await expectStationConverged(s, held, new Set(ids));
    expect(Object.fromEntries((await s.events()).map((e) => [e.id, e.hubSeq]))).toEqual(seqsOf(first));
  });

  it('answer lost mid-push (batch 2 of 3): batch 1 settled, batch 2 held by the hub, batch 3 unsent; the re-send: duplicates then accepted', async () => {
    const s = await station();
    const ids = await recordIntakes(s, 10); // 30 events
    s.faulty.script(['none', 'lost'], isPush);
    await expect(s.push({ maxEvents: 12 })).rejects.toMatchObject({ kind: 'network' });
    expect(await s.outboxIds()).toEqual(ids.slice(12));
    expect((await hub.held()).map((h) => h.id)).toEqual(ids.slice(0, 24));

    const summary = await s.push({ maxEvents: 12 });
    expect(summary).toEqual({ batches: 2, accepted: 6, duplicates: 12, rejected: 0, requeued: 0 });
    const resent = answerOf(s.faulty.calls[2]);
    expect(seqsOf(resent)).toEqual(seqsOf(answerOf(s.faulty.calls[1])));
    const held = await hub.held();
    expect(held.map((h) => h.id)).toEqual(ids);
    await expectStationConverged(s, held, new Set(ids));
  });

  it('answer lost, then a pull brings the events back before the re-send: they stay queued until the hub answers for them', async () => {
    const s = await station();
    const ids = await recordIntakes(s, 4);
    s.faulty.next('lost', isPush);
    await expect(s.push()).rejects.toMatchObject({ kind: 'network' });
    const pulled = await s.pull();
    expect(pulled).toMatchObject({ received: 12, added: 0 });
    // numbered by the pull, still waiting for the hub's answer to a push
    expect((await s.events()).every((e) => e.hubSeq !== null)).toBe(true);
    expect(await s.outboxIds()).toEqual(ids);
    expect(await s.push()).toMatchObject({ accepted: 0, duplicates: 12 });
    await expectStationConverged(s, await hub.held(), new Set(ids));
  });

  it('503 from a proxy: before the hub (nothing sent) and after it committed; both retryable, each event held once', async () => {
    const s = await station();
    const ids = await recordIntakes(s, 5);
    s.faulty.next('http503', isPush);
    const e1 = await s.push().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(HubError);
    expect(e1).toMatchObject({ kind: 'server', status: 503, retryable: true });
    expect(s.faulty.calls[0]!.delivered).toBe(0);
    expect(await hub.held()).toEqual([]);
    expect(await s.outboxIds()).toEqual(ids);

    s.faulty.next({ kind: 'http503', sendFirst: true }, isPush);
    await expect(s.push()).rejects.toMatchObject({ kind: 'server', status: 503 });
    expect(s.faulty.calls[1]!.delivered).toBe(1);
    expect((await hub.held()).map((h) => h.id)).toEqual(ids);
    expect(await s.outboxIds()).toEqual(ids);

    expect(await s.push()).toMatchObject({ accepted: 0, duplicates: 15 });
    await expectStationConverged(s, await hub.held(), new Set(ids));
  });

  it('a second station sees the first one’s events once, whatever the first one’s push went through', async () => {
    const s110 = await station(P110);
    const s12345 = await station(H12345);
    const ids = await recordIntakes(s110, 6);
    s110.faulty.script(['lost', 'down', 'none', { kind: 'duplicate', order: 'sequential', answer: 'second' }], isPush);
    await expect(s110.push({ maxEvents: 7 })).rejects.toMatchObject({ kind: 'network' });
    await expect(s110.push({ maxEvents: 7 })).rejects.toMatchObject({ kind: 'network' });
    const third = await s110.push({ maxEvents: 7 });
    // the lost batch 1 comes back duplicate; batch 2 is delivered twice and the station sees the second answer
    expect(third).toMatchObject({ batches: 3, accepted: 4, duplicates: 14, rejected: 0 });
    expect(s110.faulty.calls[2]!.hubAnswers.map((a) => (a.body as PushResponse).results.every((r) => r.status === 'duplicate'))).toEqual([true]);
    expect(s110.faulty.calls[3]!.hubAnswers.map((a) => (a.body as PushResponse).results[0]!.status)).toEqual(['accepted', 'duplicate']);
    const pulled = await s12345.pull(5);
    expect(pulled).toMatchObject({ received: 18, added: 18 });
    const held = await hub.held();
    await expectStationConverged(s110, held, new Set(ids));
    await expectStationConverged(s12345, held, new Set(ids));
  });
});
