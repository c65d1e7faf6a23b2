/**
 * A property-based model test of the whole sync, with real parts: a real hub over real HTTP
 * (emptied before each run), three real desk stores (110, 12345, a housing duty room), and
 * random sequences of what desks and networks do:
 *
 * - 110 takes a call and transfers it to 12345 (one intake save: created, screened, transferred);
 * - 12345 acknowledges a transfer it sees, or assigns a case it owns to the housing duty room;
 * - the duty room acknowledges an assignment it sees; any desk adds a note to a case it sees;
 * - a desk syncs (push then pull, small batches and pages) with a fault at its k-th request:
 *   none, hub down, answer lost after the hub committed, delivered twice, 503; or with
 *   seeded random faults on every request ("chaos"); or all three desks sync at once;
 * - a desk records while it syncs;
 * - a desk is reloaded (its store closed and opened again), between syncs or with the answer
 *   to its k-th request in flight; the hub is restarted (optionally with a desk trying to sync
 *   while it is down).
 *
 * Then every desk syncs twice without faults, and:
 * - every event recorded by any desk is at the hub exactly once (its database, and what a
 *   whole-city supervisor pulls), each desk's sequence numbers 1..n without a hole;
 * - every desk's outbox is empty, its counters right, nothing refused;
 * - every desk holds exactly the events it may see (its own cases; 12345 every transferred
 *   case; the duty room every case assigned to it), each once, with the hub's numbers;
 * - every desk that sees a case shows the same case: the hub's own fold of it.
 *
 * Reproduce a failure with the seed it prints: SYNC_MODEL_SEED=<seed> (and SYNC_MODEL_PATH=<path>
 * from fast-check's report); SYNC_MODEL_RUNS=<n> changes the number of runs; SYNC_MODEL_SHRINK=1
 * lets fast-check shrink a failure (slow: each run talks to a real hub).
 */
import Dexie from 'dexie';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RelayEvent } from '../../src-common/domain';
import { HubError } from '../../src-renderer/src/sync/hub-client';
import { gate, type FaultKind } from './faulty-fetch';
import {
  describeEachDriver,
  duplicatesIn,
  expectStationConverged,
  H12345,
  heldByPull,
  HOUSING,
  P110,
  startSyncHub,
  SUPERVISOR,
  SyncStation,
  type HeldEvent,
  type SyncHub,
} from './harness';

type NetFault = 'none' | 'hubDown' | 'responseLost' | 'duplicate' | 'http503' | 'chaos';
type Who = 0 | 1 | 2;

type Action =
  | { t: 'intake'; n: number }
  | { t: 'work12345'; pick: number }
  | { t: 'workUnit'; pick: number }
  | { t: 'note'; who: Who; pick: number }
  | { t: 'sync'; who: Who; fault: NetFault; at: number; seed: number }
  | { t: 'syncAll'; faults: [NetFault, NetFault, NetFault]; at: number; seed: number }
  | { t: 'busySync'; who: Who; fault: NetFault; at: number; seed: number; pick: number }
  | { t: 'reload'; who: Who }
  | { t: 'reloadMidSync'; who: Who; at: number }
  | { t: 'restartHub'; syncWhileDown: Who | null };

const who = fc.constantFrom<Who>(0, 1, 2);
const netFault = fc.constantFrom<NetFault>('none', 'hubDown', 'responseLost', 'duplicate', 'http503', 'chaos');
const syncArb = (w: fc.Arbitrary<Who>) => fc.record({ t: fc.constant('sync' as const), who: w, fault: netFault, at: fc.nat(2), seed: fc.nat() });

/** What desks do between syncs, and the odd sync, reload or restart. */
const workArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('intake' as const), n: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('work12345' as const), pick: fc.nat(99) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('workUnit' as const), pick: fc.nat(99) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('note' as const), who, pick: fc.nat(99) }) },
  { weight: 2, arbitrary: syncArb(who) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('syncAll' as const), faults: fc.tuple(netFault, netFault, netFault), at: fc.nat(2), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('busySync' as const), who, fault: netFault, at: fc.nat(2), seed: fc.nat(), pick: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reload' as const), who }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reloadMidSync' as const), who, at: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restartHub' as const), syncWhileDown: fc.option(who, { nil: null }) }) },
);

/**
 * A round: some work, then each desk syncs (in the order cases flow, 110 → 12345 → duty
 * room, or shuffled), each with its own fault or none, or not at all. Rounds let a case get
 * through several hands within one run; plain random sequences of the same actions rarely do.
 */
const roundArb: fc.Arbitrary<Action[]> = fc
  .record({
    work: fc.array(workArb, { minLength: 1, maxLength: 5 }),
    order: fc.oneof(fc.constant<Who[]>([0, 1, 2]), fc.shuffledSubarray<Who>([0, 1, 2], { minLength: 3, maxLength: 3 })),
    syncs: fc.tuple(...([0, 1, 2] as const).map((w) => fc.option(syncArb(fc.constant(w)), { nil: null, freq: 5 }))),
    faultFree: fc.boolean(),
  })
  .map(({ work, order, syncs, faultFree }) => [
    ...work,
    ...order.flatMap((w) => {
      const sync = syncs[w];
      if (!sync) return [];
      return [faultFree ? { ...sync, fault: 'none' as const } : sync];
    }),
  ]);

const runArb: fc.Arbitrary<Action[]> = fc.array(roundArb, { minLength: 3, maxLength: 8 }).map((rounds) => rounds.flat());

const FAULT_OF: Record<Exclude<NetFault, 'none' | 'chaos'>, FaultKind> = {
  hubDown: 'down',
  responseLost: 'lost',
  duplicate: 'duplicate',
  http503: 'http503',
};

/** The kind of HubError each fault must surface as, when it strikes. */
const ERROR_OF: Partial<Record<NetFault, string>> = { hubDown: 'network', responseLost: 'network', http503: 'server' };

const SEED = process.env.SYNC_MODEL_SEED ? Number(process.env.SYNC_MODEL_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = process.env.SYNC_MODEL_RUNS ? Number(process.env.SYNC_MODEL_RUNS) : 20;

interface Recorded {
  id: string;
  caseId: string;
  stationId: string;
  type: RelayEvent['type'];
}

/** What each desk may see, from what was recorded: see src-hub/sync/audience.ts. */
function visibleTo(s: SyncStation, recorded: readonly Recorded[]): Set<string> {
  const cases = new Set<string>();
  for (const r of recorded) {
    if (r.stationId === s.id) cases.add(r.caseId);
    if (s.station.role === 'hotline12345' && r.type === 'case.transferred') cases.add(r.caseId);
    if (s.station.role === 'unit' && r.type === 'case.assigned') cases.add(r.caseId);
  }
  return new Set(recorded.filter((r) => cases.has(r.caseId)).map((r) => r.id));
}

describeEachDriver('sync: model of desks, faults, reloads and restarts (fast-check)', (driver) => {
  let hub: SyncHub;

  beforeAll(async () => {
    hub = await startSyncHub(driver);
  }, 60_000);
  afterAll(async () => {
    await hub?.destroy();
  });

  /** What the runs did, to see that they reach deep enough (printed at the end). */
  const tally = new Map<string, number>();
  const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

  async function run(actions: readonly Action[]): Promise<void> {
    if (!hub.running) await hub.start();
    await hub.reset();
    const desks = [new SyncStation(hub, P110), new SyncStation(hub, H12345), new SyncStation(hub, HOUSING)] as const;
    const [s110, s12345, unit] = desks;
    const log: string[] = [];
    const recorded: Recorded[] = [];
    const keep = (events: readonly RelayEvent[]) => recorded.push(...events.map((e) => ({ id: e.id, caseId: e.caseId, stationId: e.stationId, type: e.type })));
    try {
      for (const d of desks) await d.register();
      const supervisor = await hub.register({ ...SUPERVISOR, department: null });

      /**
       * One sync of a desk with a fault at its `at`-th request; checks what it must surface as.
       * `alongside`: the desk records something while it syncs (what it records may stay queued).
       */
      const syncWith = async (d: SyncStation, fault: NetFault, at: number, seed: number, alongside?: () => Promise<string>): Promise<string> => {
        const before = d.faulty.calls.length;
        if (fault === 'chaos') d.faulty.random(seed, { down: 0.1, lost: 0.1, duplicate: 0.15, http503: 0.1, delay: 0.15 });
        else if (fault !== 'none') d.faulty.script([...Array<FaultKind>(at).fill('none'), FAULT_OF[fault]]);
        let error: unknown = null;
        const already = new Set(recorded.map((r) => r.id));
        const [synced, worked] = await Promise.allSettled([d.sync({ maxEvents: 4, pullLimit: 5 }), alongside ? alongside() : Promise.resolve('')]);
        d.faulty.calm();
        if (worked.status === 'rejected') throw worked.reason;
        if (synced.status === 'rejected') error = synced.reason;
        const recordedAlongside = new Set(recorded.filter((r) => !already.has(r.id)).map((r) => r.id));
        const calls = d.faulty.calls.slice(before);
        const struck = calls.filter((c) => c.fault !== 'none' && c.fault !== 'duplicate' && c.fault !== 'delay');
        if (error !== null) {
          // only a retryable failure of the network or the hub, and only when a fault struck
          expect(error, `${d.id}: ${String(error)}`).toBeInstanceOf(HubError);
          expect((error as HubError).retryable).toBe(true);
          expect(struck.length, `${d.id} failed with no fault: ${String(error)}`).toBeGreaterThan(0);
          const kind = ERROR_OF[fault];
          if (kind) expect((error as HubError).kind).toBe(kind);
        } else {
          expect(struck, `${d.id}: a fault struck and the sync went on`).toEqual([]);
          const left = (await d.outboxIds()).filter((id) => !recordedAlongside.has(id));
          expect(left, `${d.id}: outbox after a good sync`).toEqual([]);
        }
        const faults = calls.map((c) => c.fault).join(',');
        return error === null ? `ok [${faults}]` : `failed (${(error as HubError).kind}) [${faults}]`;
      };

      type WorkAction = Extract<Action, { t: 'intake' | 'work12345' | 'workUnit' | 'note' }>;
      /** What a desk does at its keyboard; returns a note for the run log. */
      const work = async (a: WorkAction): Promise<string> => {
        switch (a.t) {
          case 'intake':
            for (let i = 0; i < a.n; i++) keep(await s110.intake());
            return '';
          case 'work12345': {
            // acknowledge a transfer it sees, or assign a case it owns to the duty room
            const todo = await s12345.casesWhere((c) => c.status === 'transferred' || (c.status === 'pending' && c.owner.stationId === s12345.id));
            const c = todo[a.pick % Math.max(1, todo.length)];
            if (c?.status === 'transferred') keep(await s12345.acknowledge(c.id, 'transfer'));
            else if (c) keep(await s12345.assign(c.id));
            return c ? `${c.status === 'transferred' ? 'acknowledge' : 'assign'} ${c.id}` : 'nothing to do';
          }
          case 'workUnit': {
            const todo = await unit.casesWhere((c) => c.status === 'assigned');
            const c = todo[a.pick % Math.max(1, todo.length)];
            if (c) keep(await unit.acknowledge(c.id, 'assignment'));
            return c ? `acknowledge ${c.id}` : 'nothing to do';
          }
          case 'note': {
            const d = desks[a.who];
            const seen = await d.casesWhere(() => true);
            const c = seen[a.pick % Math.max(1, seen.length)];
            if (c) keep(await d.note(c.id, `${d.id} 跟进`));
            return `${d.id} ${c ? c.id : 'sees no case'}`;
          }
        }
      };

      for (const a of actions) {
        let note = '';
        switch (a.t) {
          case 'intake':
          case 'work12345':
          case 'workUnit':
          case 'note':
            note = await work(a);
            break;
          case 'sync':
            note = `${desks[a.who].id} ${a.fault}@${a.at}: ${await syncWith(desks[a.who], a.fault, a.at, a.seed)}`;
            break;
          case 'syncAll': {
            const results = await Promise.all(desks.map((d, i) => syncWith(d, a.faults[i]!, a.at, a.seed + i)));
            note = results.map((r, i) => `${desks[i]!.id} ${a.faults[i]}: ${r}`).join('; ');
            break;
          }
          case 'busySync': {
            const w: WorkAction = a.who === 0 ? { t: 'intake', n: 1 } : a.who === 1 ? { t: 'work12345', pick: a.pick } : { t: 'workUnit', pick: a.pick };
            let did = '';
            const r = await syncWith(desks[a.who], a.fault, a.at, a.seed, async () => (did = await work(w)));
            note = `${desks[a.who].id} ${a.fault}@${a.at} while ${w.t} ${did}: ${r}`;
            break;
          }
          case 'reloadMidSync': {
            // the window reloads once the hub has answered the desk's `at`-th request, before
            // the desk takes the answer in; the old page's sync dies with its store
            const d = desks[a.who];
            const answer = gate();
            let answered!: () => void;
            let answeredPath = '';
            const reached = new Promise<void>((resolve) => (answered = resolve));
            d.faulty.script([
              ...Array<FaultKind>(a.at).fill('none'),
              {
                kind: 'none',
                onAnswered: (call) => {
                  answeredPath = call.path;
                  answered();
                },
                after: answer.promise,
              },
            ]);
            const syncing = d.sync({ maxEvents: 4, pullLimit: 5 }).then(
              () => 'finished first',
              (e: unknown) => e,
            );
            const first = await Promise.race([reached.then(() => 'answered'), syncing]);
            await d.reload();
            answer.open();
            const outcome = await syncing;
            d.faulty.calm();
            // an answer the desk takes into its store fails with the closed store; the calendar's
            // answer with nothing new is taken in without touching it
            if (first === 'answered' && !(answeredPath.endsWith('/calendar') && outcome === 'finished first')) {
              expect(outcome, `${d.id}: the old page's sync (answer to ${answeredPath})`).toBeInstanceOf(Dexie.DatabaseClosedError);
            }
            note = `${d.id} @${a.at}: ${first === 'answered' ? 'reloaded with an answer in flight' : 'sync finished before; reloaded after'}`;
            break;
          }
          case 'reload':
            await desks[a.who].reload();
            note = desks[a.who].id;
            break;
          case 'restartHub':
            await hub.stop();
            if (a.syncWhileDown !== null) {
              const d = desks[a.syncWhileDown];
              const error = await d.sync({ maxEvents: 4, pullLimit: 5 }).then(
                () => null,
                (e: unknown) => e,
              );
              expect(error, `${d.id} synced with the hub stopped`).toBeInstanceOf(HubError);
              expect((error as HubError).kind).toBe('network');
              note = `${d.id} refused while down`;
            }
            await hub.start();
            break;
        }
        log.push(`${a.t}${note ? ` ${note}` : ''}`);
        count(
          a.t === 'sync' || a.t === 'busySync'
            ? `${a.t} ${a.fault} ${note.includes(': ok') ? 'ok' : 'failed'}`
            : a.t === 'reloadMidSync'
              ? `${a.t} ${note.includes('in flight') ? 'with an answer in flight' : 'after the sync'}`
              : /nothing|no case/.test(note)
              ? `${a.t} (no-op)`
              : a.t.startsWith('work')
                ? `${a.t} ${note.split(' ')[0]}`
                : a.t,
        );
      }
      count(`events recorded: ${recorded.length < 10 ? '<10' : recorded.length < 30 ? '10-29' : '30+'}`);

      // every desk, twice, without faults
      for (let round = 0; round < 2; round++) {
        for (const d of desks) {
          const r = await d.sync({ maxEvents: 4, pullLimit: 5 });
          log.push(`final ${round + 1} ${d.id}: pushed ${r.pushed.accepted}+${r.pushed.duplicates}dup, pulled ${r.pulled.added}/${r.pulled.received}`);
        }
      }

      // the hub: every recorded event exactly once, and nothing else
      const held: HeldEvent[] = await hub.held();
      expect(duplicatesIn(held.map((h) => h.id)), 'hub: duplicate ids').toEqual([]);
      expect(held.length, 'hub: event count').toBe(recorded.length);
      expect(new Set(held.map((h) => h.id)), 'hub: the recorded events').toEqual(new Set(recorded.map((r) => r.id)));
      for (const d of desks) {
        const seqs = held.filter((h) => h.stationId === d.id).map((h) => h.seq).sort((x, y) => x - y);
        expect(seqs, `hub: ${d.id}'s sequence numbers`).toEqual(seqs.map((_, i) => i + 1));
      }
      const seen = await heldByPull(hub.url, supervisor);
      expect(seen.map((h) => [h.id, h.hubSeq]), 'a whole-city supervisor pulls the same log').toEqual(held.map((h) => [h.id, h.hubSeq]));

      // every desk: exactly what it may see, settled, each case as the hub folds it
      for (const d of desks) {
        await expectStationConverged(d, held, visibleTo(d, recorded));
        expect(await d.pull(), `${d.id}: nothing more to pull`).toMatchObject({ received: 0, added: 0 });
      }
      const states = await Promise.all(desks.map((d) => d.caseStates()));
      const caseIds = new Set(recorded.map((r) => r.caseId));
      for (const caseId of caseIds) {
        const shown = states.map((m) => m.get(caseId)).filter((c) => c !== undefined);
        expect(shown.length, `case ${caseId} is seen by 110 and 12345 at least`).toBeGreaterThanOrEqual(2);
        for (const c of shown.slice(1)) expect(c, `case ${caseId}: the same at every desk`).toEqual(shown[0]);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new Error(`${message}\n--- run log (${driver}) ---\n${log.join('\n')}`, { cause: e });
    } finally {
      for (const d of desks) d.close();
    }
  }

  it(
    `random desk actions, network faults, reloads and hub restarts converge (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      console.info(`[sync model ${driver}] seed ${SEED}, ${RUNS} runs (reproduce: SYNC_MODEL_SEED=${SEED})`);
      const stats = { runs: 0, actions: 0 };
      await fc.assert(
        fc.asyncProperty(runArb, async (actions) => {
          stats.runs++;
          stats.actions += actions.length;
          await run(actions);
        }),
        {
          seed: SEED,
          numRuns: RUNS,
          ...(process.env.SYNC_MODEL_PATH ? { path: process.env.SYNC_MODEL_PATH } : {}),
          endOnFailure: !process.env.SYNC_MODEL_SHRINK,
        },
      );
      expect(stats.runs).toBe(RUNS);
      const what = [...tally.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([k, n]) => `${k}: ${n}`);
      console.info(`[sync model ${driver}] ${stats.runs} runs, ${stats.actions} actions\n  ${what.join('\n  ')}`);
    },
    300_000,
  );
});
