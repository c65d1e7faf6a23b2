/**
 * After a power cut tore a transaction (store/crash-check.ts), the check at open folds the
 * case again from what is held and sends the pull back to 0. An event of the desk's own that
 * had reached the hub before the tear took it from the desk's store comes back with that pull
 * (the hub delivers every event of a visible case, the station's own included), once, and the
 * case is whole again.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { foldCase } from '../../src-common/domain';
import { checkAfterUncleanEnd } from '../../src-renderer/src/store/crash-check';
import { readCursor } from '../../src-renderer/src/store/pull-cursor';
import { toCaseState } from '../../src-renderer/src/store/projection';
import { describeEachDriver, duplicatesIn, P110, startSyncHub, SyncStation, type SyncHub } from './harness';

describeEachDriver('sync: own events a tear took come back with the pull from 0', (driver) => {
  let hub: SyncHub;
  const stations: SyncStation[] = [];

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

  it('an own event the hub held, gone from the desk after the tear, comes back once and the case is whole', async () => {
    const s = await new SyncStation(hub, P110).register();
    stations.push(s);
    const recorded = await s.intake();
    const caseId = recorded[0]!.caseId;
    await s.sync();
    expect(await s.outboxIds()).toEqual([]);
    const cursorBefore = await readCursor(s.db);

    // the tear: one of the desk's own events, acknowledged by the hub, gone from its store
    const lost = recorded[1]!;
    await s.db.events.delete(lost.id);
    const check = await checkAfterUncleanEnd(s.db);
    expect(check.refolded).toBe(1);
    expect(check.rewound).toBe(cursorBefore);
    expect((await s.db.cases.get(caseId))!.eventCount).toBe(recorded.length - 1);

    await s.sync();
    expect((await s.db.events.get(lost.id))?.id).toBe(lost.id);
    const held = (await s.events()).map((e) => e.id);
    expect(duplicatesIn(held)).toEqual([]);
    expect(new Set(held)).toEqual(new Set(recorded.map((e) => e.id)));
    expect(toCaseState((await s.db.cases.get(caseId))!)).toEqual(foldCase(recorded));
    // nothing was sent again, nothing doubled at the hub
    const atHub = (await hub.held()).map((h) => h.id);
    expect(duplicatesIn(atHub)).toEqual([]);
    expect(atHub.filter((id) => recorded.some((e) => e.id === id))).toHaveLength(recorded.length);
  });
});
