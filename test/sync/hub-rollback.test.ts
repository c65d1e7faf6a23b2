/**
 * The hub restored from an older backup (src-hub/db/pglite-backup.ts): its log ends before
 * what the stations already pushed and pulled. The stations must not get stuck (a pull from a
 * cursor the hub no longer has is `409 cursor_ahead`), and what the hub lost must come back
 * from the stations that recorded it: each station starts over from 0, queues its own latest
 * event again, the hub's answer reports the lost sequence numbers as gaps, and the station sends
 * those again from its local log. Afterwards every event is at the hub exactly once and every
 * station holds the hub's numbers and folds.
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restorePgliteBackup } from '../../src-hub/db/pglite-backup';
import { CURSOR_KEY } from '../../src-renderer/src/sync/pull';
import { isPull } from './faulty-fetch';
import { duplicatesIn, expectStationConverged, H12345, P110, startSyncHub, SyncStation, type SyncHub } from './harness';

describe('sync: the hub restored from an older backup [PGlite]', () => {
  let hub: SyncHub;
  const stations: SyncStation[] = [];

  beforeAll(async () => {
    hub = await startSyncHub('pglite');
  }, 60_000);
  afterAll(async () => {
    await hub?.destroy();
  });
  afterEach(() => {
    for (const s of stations.splice(0)) s.close();
  });

  it('the stations start over from 0, send again what the hub lost, and converge; nothing twice', async () => {
    const s110 = await new SyncStation(hub, P110).register();
    const s12345 = await new SyncStation(hub, H12345).register();
    stations.push(s110, s12345);

    const before: string[] = [];
    for (let i = 0; i < 3; i++) before.push(...(await s110.intake({ description: `备份前第 ${i + 1} 件：小区停水` })).map((e) => e.id));
    await s110.sync();
    await s12345.sync();
    const backup = await hub.db.backup!();

    const after: string[] = [];
    for (let i = 0; i < 3; i++) after.push(...(await s110.intake({ description: `备份后第 ${i + 1} 件：暖气不热` })).map((e) => e.id));
    const ack = await s12345.intake({ description: '12345 自己受理的一件', transfer: null });
    await s110.sync();
    await s12345.sync();
    expect(await s110.outboxIds()).toEqual([]); // acknowledged: gone from the outbox
    expect((await hub.held()).length).toBe(before.length + after.length + ack.length);
    const cursorBefore = await s12345.cursor();

    // the hub's disk is lost; the administrator restores the backup made before
    await hub.stop();
    rmSync(hub.dataDir, { recursive: true, force: true });
    const restored = await restorePgliteBackup(hub.dataDir, backup);
    expect(restored.events).toBe(before.length);
    await hub.start();

    // 12345 first: its pull finds the hub's log shorter than its cursor and starts over
    const first = await s12345.sync();
    expect(first.pulled.startedOver).toBe(true);
    const aheadAnswers = s12345.faulty.calls.filter((c) => isPull(c) && c.status === 409);
    expect(aheadAnswers).toHaveLength(1);
    expect(await s12345.cursor()).not.toBe(cursorBefore);
    // its own lost intake went back to the hub
    const heldNow = new Set((await hub.held()).map((h) => h.id));
    for (const id of ack.map((e) => e.id)) expect(heldNow.has(id)).toBe(true);

    // 110 has nothing queued; its pull starts over and it sends its lost events again
    const second = await s110.sync();
    expect(second.pulled.startedOver).toBe(true);
    expect(second.pushed.accepted).toBe(after.length);
    await s12345.sync(); // picks up what 110 sent again, under the hub's new numbers

    const held = await hub.held();
    expect(duplicatesIn(held.map((h) => h.id))).toEqual([]);
    expect(new Set(held.map((h) => h.id))).toEqual(new Set([...before, ...after, ...ack.map((e) => e.id)]));
    const all = new Set(held.map((h) => h.id));
    await expectStationConverged(s110, held, new Set(held.filter((h) => h.stationId === P110.stationId || after.includes(h.id) || before.includes(h.id)).map((h) => h.id)));
    await expectStationConverged(s12345, held, all);

    // and the next round is quiet: no more starting over
    const quiet = await s12345.sync();
    expect(quiet.pulled.startedOver).toBeUndefined();
    expect((await s12345.db.settings.get(CURSOR_KEY))?.value).toBe(await s12345.cursor());
  }, 120_000);
});
