/**
 * Desks whose clocks are hours off: the 110 desk runs 5 hours fast, the 12345 desk 5 hours
 * slow, the duty room 2 hours slow. So 12345 acknowledges a transfer "ten hours before" the
 * call was taken. Clocks must not decide anything once the hub has numbered the events:
 * every desk folds each case in hub order, the case goes through its steps without
 * conflicts, and every desk that sees a case shows the same case as the hub's own fold.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { orderForFold } from '../../src-common/domain';
import type { StoredEvent } from '../../src-renderer/src/store/db';
import {
  describeEachDriver,
  eventsOfCases,
  expectStationConverged,
  H12345,
  HOUR,
  HOUSING,
  hubFolds,
  P110,
  startSyncHub,
  SyncStation,
  type SyncHub,
} from './harness';

function byCase(events: readonly StoredEvent[]): Map<string, StoredEvent[]> {
  const out = new Map<string, StoredEvent[]>();
  for (const e of events) out.set(e.caseId, [...(out.get(e.caseId) ?? []), e]);
  return out;
}

describeEachDriver('sync: desk clocks hours off', (driver) => {
  let hub: SyncHub;
  const stations: SyncStation[] = [];

  beforeAll(async () => {
    hub = await startSyncHub(driver);
  }, 60_000);
  afterAll(async () => {
    await hub?.destroy();
  });
  afterEach(() => {
    for (const s of stations.splice(0)) s.close();
  });

  it('events are folded in hub order at every desk; every desk shows each case as the hub folds it', async () => {
    const s110 = await new SyncStation(hub, P110, +5 * HOUR).register();
    const s12345 = await new SyncStation(hub, H12345, -5 * HOUR).register();
    const unit = await new SyncStation(hub, HOUSING, -2 * HOUR).register();
    stations.push(s110, s12345, unit);

    const caseIds: string[] = [];
    for (let i = 0; i < 6; i++) caseIds.push((await s110.intake())[0]!.caseId);
    await s110.sync();
    expect(await s12345.sync()).toMatchObject({ pulled: { added: 18 } });

    // 12345 acknowledges every transfer: by its clock, ten hours before the call was taken
    for (const id of caseIds) {
      const [ack] = await s12345.acknowledge(id, 'transfer');
      const created = (await s12345.events()).find((e) => e.caseId === id && e.type === 'case.created')!;
      expect(Date.parse(created.at) - Date.parse(ack!.at)).toBeGreaterThan(9.9 * HOUR);
      // folded locally after the hub's events, whatever the clocks say
      expect((await s12345.caseStates()).get(id)).toMatchObject({ status: 'pending', owner: s12345.ref, conflicts: [] });
    }
    for (const id of caseIds.slice(0, 4)) await s12345.assign(id);
    // 110 notes on cases 1–3 before it hears of any of this
    for (const id of caseIds.slice(0, 3)) await s110.note(id, '来电人再次来电催促');
    await s12345.sync();
    expect(await unit.sync()).toMatchObject({ pulled: { added: 4 * 3 + 4 * 2 } });
    for (const id of caseIds.slice(0, 2)) await unit.acknowledge(id, 'assignment');
    await unit.note(caseIds[0]!, '已派人到现场');
    await s110.sync();
    await unit.sync();
    await s12345.note(caseIds[5]!, '已联系来电人');

    // final rounds, fault-free
    for (let round = 0; round < 2; round++) for (const s of stations) await s.sync();

    const held = await hub.held();
    const folds = hubFolds(held);
    expect(held).toHaveLength(6 * 3 + 6 + 4 + 3 + 2 + 1 + 1);
    // the clocks disagree with the hub's order: by `at`, 12345's acknowledgements come first
    const firstCase = held.filter((h) => h.caseId === caseIds[0]);
    const byTime = [...firstCase].sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : 0)).map((h) => h.event.type);
    expect(byTime.slice(0, 2)).toEqual(['case.acknowledged', 'case.assigned']);
    expect(firstCase.map((h) => h.event.type)).toEqual([
      'case.created',
      'case.screened',
      'case.transferred',
      'case.acknowledged',
      'case.assigned',
      'case.noteAdded',
      'case.acknowledged',
      'case.noteAdded',
    ]);

    // each case went through its steps, with no conflict
    const expected = ['acknowledged', 'acknowledged', 'assigned', 'assigned', 'pending', 'pending'];
    expect(caseIds.map((id) => folds.get(id)!.status)).toEqual(expected);
    expect(caseIds.map((id) => folds.get(id)!.conflicts)).toEqual(caseIds.map(() => []));
    expect(folds.get(caseIds[0]!)!.owner).toEqual(unit.ref);

    const all = new Set(caseIds);
    await expectStationConverged(s110, held, eventsOfCases(held, all));
    await expectStationConverged(s12345, held, eventsOfCases(held, all));
    await expectStationConverged(unit, held, eventsOfCases(held, new Set(caseIds.slice(0, 4))));

    for (const s of stations) {
      for (const [caseId, events] of byCase(await s.events())) {
        const hubOrder = [...events].sort((a, b) => a.hubSeq! - b.hubSeq!).map((e) => e.id);
        // the fold order is the hub's order
        expect(orderForFold(events).map((e) => e.id), `${s.id} ${caseId}`).toEqual(hubOrder);
        // and what this desk pulled of the case came in the hub's order
        const pulled = events.filter((e) => e.stationId !== s.id).sort((a, b) => a.lseq - b.lseq);
        expect(pulled.map((e) => e.id), `${s.id} ${caseId} arrival`).toEqual(hubOrder.filter((id) => pulled.some((e) => e.id === id)));
      }
    }
    // one case, three desks, identical
    const states = await Promise.all(stations.map((s) => s.caseStates()));
    for (const id of caseIds.slice(0, 4)) {
      expect(states[0]!.get(id)).toEqual(states[1]!.get(id));
      expect(states[2]!.get(id)).toEqual(states[1]!.get(id));
    }
  });
});
