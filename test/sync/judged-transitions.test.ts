/**
 * Real stations (recordCommands, pushOutbox, pullAll over HTTP) against the real hub: each
 * event travels with what its desk knew (the pull cursor at recording, the push's basis).
 * - two 12345 desks acknowledge one transfer while neither has seen the other's (the second
 *   even pulls the first before its own is sent): the hub keeps both, and every station shows
 *   the same conflict;
 * - a desk running altered software records feedback on an assignment it never acknowledged
 *   (written straight into its store, past the domain check): the hub refuses it
 *   (transition_refused); the station keeps it, off the outbox, in its refused list with the
 *   hub's reason, and folds its case again without it, as every other desk has it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { parseEvent, ulid } from '../../src-common/domain';
import { COUNTER } from '../../src-renderer/src/store/counters';
import { refoldCases } from '../../src-renderer/src/store/refold';
import { describeEachDriver, H12345, HOUSING, P110, startSyncHub, SyncStation, type SyncHub } from './harness';

describeEachDriver('sync: transitions judged by what the desk knew', (driver) => {
  let hub: SyncHub;
  const stations: SyncStation[] = [];
  const station = async (spec: ConstructorParameters<typeof SyncStation>[1]) => {
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

  it('two desks acknowledging one transfer apart are both kept; every station shows the conflict', async () => {
    const p110 = await station(P110);
    const h1 = await station(H12345);
    const h2 = await station({ ...H12345, stationId: 'h12345-sync-b', name: '临沂市12345热线二席', operator: '周敏' });
    const [created] = await p110.intake();
    await p110.sync();
    await h1.sync();
    await h2.sync();
    // both see the transfer; h1 acknowledges and syncs; h2, not having pulled since, does too
    const outboxBasis = async (s: SyncStation) => (await s.db.outbox.toArray()).map((r) => r.basis);
    await h1.acknowledge(created!.caseId, 'transfer');
    const [a2] = await h2.acknowledge(created!.caseId, 'transfer');
    expect(await outboxBasis(h2)).toEqual([await h2.cursor()]);
    const r1 = await h1.sync();
    expect(r1.pushed.accepted).toBe(1);
    // h2 pulls h1's acknowledgement before its own goes out: the hub has now handed h2 the
    // first acknowledgement, but h2 recorded its own before that, and its basis says so
    await h2.pull();
    const r2 = await h2.push();
    expect(r2).toMatchObject({ accepted: 1, rejected: 0 });
    for (const s of [p110, h1, h2]) {
      await s.sync();
      const state = (await s.caseStates()).get(created!.caseId);
      expect(state?.owner.stationId, s.id).toBe(h1.id);
      expect(state?.conflicts.map((c) => c.eventId), s.id).toEqual([a2!.id]);
      expect(await s.db.rejected.count()).toBe(0);
    }
  });

  it('feedback on an unacknowledged assignment, recorded past the domain check, is refused by the hub and kept aside at the station', async () => {
    const p110 = await station(P110);
    const hotline = await station(H12345);
    const housing = await station(HOUSING);
    const [created] = await p110.intake();
    await p110.sync();
    await hotline.sync();
    await hotline.acknowledge(created!.caseId, 'transfer');
    await hotline.assign(created!.caseId);
    await hotline.sync();
    await housing.sync();
    expect((await housing.caseStates()).get(created!.caseId)?.status).toBe('assigned');

    // the domain refuses it at the desk...
    await expect(
      housing.record([{ caseId: created!.caseId, type: 'case.feedback', payload: { result: 'resolved', text: '已处理', station: housing.ref } }]),
    ).rejects.toThrow('尚未签收');
    // ...so altered software writes it straight into the store
    const seqRow = await housing.db.settings.get('station:seq');
    const seq = (typeof seqRow?.value === 'number' ? seqRow.value : 0) + 1;
    const at = housing.now();
    const forged = parseEvent({
      v: 1,
      id: ulid(at.getTime()),
      caseId: created!.caseId,
      stationId: housing.id,
      operator: '赵刚',
      seq,
      at: at.toISOString(),
      type: 'case.feedback',
      payload: { result: 'resolved', text: '已处理', station: housing.ref },
    });
    const basis = await housing.cursor();
    const d = housing.db;
    await d.transaction('rw', [d.events, d.outbox, d.settings, d.counters, d.cases, d.hubAcks, d.rejected], async () => {
      await d.settings.put({ key: 'station:seq', value: seq });
      await d.events.add({ ...forged, hubSeq: null, lseq: 10_000 });
      await d.outbox.add({ eventId: forged.id, lseq: 10_000, queuedAt: at.toISOString(), basis });
      await d.counters.put({ key: COUNTER.outbox, n: 1 });
      await refoldCases(d, [created!.caseId]);
    });
    // folded here, it shows as a conflict on the case (a transition the case does not allow)
    expect((await housing.caseStates()).get(created!.caseId)?.conflicts.map((c) => c.eventId)).toEqual([forged.id]);

    const r = await housing.sync();
    expect(r.pushed).toMatchObject({ accepted: 0, rejected: 1 });
    expect(await housing.outboxIds()).toEqual([]);
    const refused = await housing.db.rejected.get(forged.id);
    expect(refused).toMatchObject({ code: 'transition_refused' });
    expect(refused?.reason).toContain('尚未签收，不能反馈办理情况');
    // kept at the station (append-only), absent from the hub and from every other desk
    expect(await housing.db.events.get(forged.id)).toBeDefined();
    // and out of the case this desk shares with the others: as every other desk has it
    const here = (await housing.caseStates()).get(created!.caseId);
    expect(here?.status).toBe('assigned');
    expect(here?.conflicts).toEqual([]);
    expect((await hub.held()).map((e) => e.id)).not.toContain(forged.id);
    await hotline.sync();
    expect((await hotline.events()).map((e) => e.id)).not.toContain(forged.id);
    expect((await hotline.caseStates()).get(created!.caseId)?.status).toBe('assigned');

    // the lawful way still works after the refusal: acknowledge, then report back
    await housing.acknowledge(created!.caseId, 'assignment');
    await housing.record([{ caseId: created!.caseId, type: 'case.feedback', payload: { result: 'resolved', text: '已抢修完毕', station: housing.ref } }]);
    expect((await housing.sync()).pushed).toMatchObject({ accepted: 2, rejected: 0 });
    await hotline.sync();
    expect((await hotline.caseStates()).get(created!.caseId)?.status).toBe('feedback');
  });
});
