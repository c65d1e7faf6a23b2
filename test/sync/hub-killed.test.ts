/**
 * The hub SIGKILLed in the middle of a station's push, and started again on the same data
 * and port. The hub runs as its own process (child-hub.ts); the station is a real store
 * pushing over real HTTP with pushOutbox. The kill is timed from the first batch of the same
 * push (how long the hub took to answer it): into the second batch's processing, or later;
 * and once right after the hub committed batch 2 and answered it, the answer lost with the
 * process (committed, never answered). Whatever it hit, every batch is at the hub entirely or not at all, the station keeps
 * exactly what was not answered, and the re-push after the restart converges: each event
 * once at the hub, `duplicate` for what was committed but never answered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HubError } from '../../src-renderer/src/sync/hub-client';
import { freshLocation } from '../hub/helpers/drivers';
import { freePort, startChildHub, type ChildHub } from './child-hub';
import { isPush, type CallRecord } from './faulty-fetch';
import { describeEachDriver, duplicatesIn, expectStationConverged, H12345, heldByPull, P110, SUPERVISOR, SyncStation } from './harness';

const requestIds = (call: CallRecord) => ((call.requestBody as { events: Array<{ id: string }> }).events ?? []).map((e) => e.id);

/** About 1.8 kB of description per case, so a batch takes the hub a while. */
const LONG = '供水管道爆裂，楼道积水，整栋楼停水，老人小孩无水可用，请尽快派人抢修。'.repeat(18);

describeEachDriver('sync: hub killed mid-batch (SIGKILL) and restarted', (driver) => {
  let location: ReturnType<typeof freshLocation>;
  let port: number;
  let hub: ChildHub | undefined;
  const stations: SyncStation[] = [];

  beforeAll(async () => {
    location = freshLocation(driver);
    port = await freePort();
  });
  afterAll(async () => {
    for (const s of stations) s.close();
    await hub?.kill();
    await location?.cleanup();
  });

  it(
    'each killed batch is all or nothing; the station keeps exactly what was not answered; the re-push converges',
    async () => {
      hub = await startChildHub(location.env, port);
      const s110 = await new SyncStation(hub, P110).register();
      const s12345 = await new SyncStation(hub, H12345).register();
      stations.push(s110, s12345);
      const supervisor = await hub.register({ ...SUPERVISOR, department: null });

      const recorded: string[] = [];
      const outcomes: string[] = [];
      // when to kill: a share of the time the hub took to answer batch 1, counted from sending
      // batch 2; or right after the hub answered batch 2 (committed), with that answer lost
      const plan: Array<{ share: number } | { afterCommit: true }> = [{ share: 0.1 }, { share: 0.4 }, { share: 0.8 }, { share: 1.5 }, { afterCommit: true }];
      for (const when of plan) {
        for (let i = 0; i < 60; i++) recorded.push(...(await s110.intake({ description: `第 ${i} 件：${LONG}` })).map((e) => e.id));
        const queued = await s110.outboxIds();
        expect(queued).toHaveLength(180);
        const firstCall = s110.faulty.calls.length;
        let sentAt = 0;
        let window = 0;
        let killing: Promise<unknown> | undefined;
        let killedAfterMs = 0;
        const timing = { kind: 'none' as const, onSent: () => (sentAt = performance.now()), onAnswered: () => (window = performance.now() - sentAt) };
        if ('share' in when) {
          s110.faulty.script(
            [
              timing,
              {
                kind: 'none',
                onSent: () => {
                  killedAfterMs = Math.max(1, Math.round(window * when.share));
                  setTimeout(() => (killing = hub!.kill()), killedAfterMs);
                },
              },
            ],
            isPush,
          );
        } else {
          s110.faulty.script([timing, { kind: 'lost', onAnswered: () => (killing = hub!.kill()) }], isPush);
        }
        const result = await s110.push({ maxEvents: 60 }).catch((e: unknown) => e);
        await expect.poll(() => killing !== undefined, { timeout: 10_000 }).toBe(true);
        expect(await killing).toMatchObject({ signal: 'SIGKILL' });
        const calls = s110.faulty.calls.slice(firstCall);
        if (result instanceof Error) {
          expect(result).toBeInstanceOf(HubError);
          expect(result).toMatchObject({ kind: 'network' });
        }

        // the station: exactly the unanswered events stay queued; the answered ones are numbered
        const answered = new Set(calls.filter((c) => c.outcome === 'answered').flatMap(requestIds));
        const left = await s110.outboxIds();
        expect(left).toEqual(queued.filter((id) => !answered.has(id)));
        const numbered = (await s110.events()).filter((e) => e.hubSeq !== null).map((e) => e.id);
        expect(numbered.filter((id) => queued.includes(id)).sort()).toEqual([...answered].sort());

        // restarted on the same data and port: every batch sent is there entirely or not at all
        hub = await startChildHub(location.env, port);
        const heldIds = new Set((await heldByPull(hub.url, supervisor)).map((h) => h.id));
        const perBatch = calls.map((c) => {
          const ids = requestIds(c);
          const present = ids.filter((id) => heldIds.has(id)).length;
          expect([0, ids.length], `batch of call ${c.n}`).toContain(present);
          if (c.outcome === 'answered') expect(present).toBe(ids.length);
          return `${c.outcome === 'answered' ? 'answered' : 'no answer'}/${present === 0 ? 'not stored' : 'stored'}`;
        });
        const committedUnanswered = left.filter((id) => heldIds.has(id));

        // the re-push: duplicates for what the hub took without answering, the rest accepted
        const summary = await s110.push({ maxEvents: 60 });
        expect(summary).toMatchObject({ accepted: left.length - committedUnanswered.length, duplicates: committedUnanswered.length, rejected: 0 });
        expect(await s110.outboxIds()).toEqual([]);
        const moment = 'share' in when ? `${killedAfterMs} ms after batch 2 was sent (batch 1 took ${Math.round(window)} ms)` : 'once batch 2 was committed, its answer lost';
        outcomes.push(`killed ${moment}: ${perBatch.join(', ')}; re-push ${summary.duplicates} duplicate, ${summary.accepted} accepted`);
        if (!('share' in when)) expect(summary.duplicates).toBe(60);
      }

      // everything once, in one order, at every desk
      const held = await heldByPull(hub.url, supervisor);
      expect(duplicatesIn(held.map((h) => h.id))).toEqual([]);
      expect(new Set(held.map((h) => h.id))).toEqual(new Set(recorded));
      expect(held.map((h) => h.seq).sort((a, b) => a - b)).toEqual(recorded.map((_, i) => i + 1));
      expect(await s110.pull()).toMatchObject({ added: 0 });
      expect(await s12345.pull(400)).toMatchObject({ added: recorded.length });
      await expectStationConverged(s110, held, new Set(recorded));
      await expectStationConverged(s12345, held, new Set(recorded));
      console.info(`[${driver}] hub killed mid-push:\n  ${outcomes.join('\n  ')}`);

      expect(await hub.stop()).toEqual({ code: 0, signal: null });
    },
    180_000,
  );
});
