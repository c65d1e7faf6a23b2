/**
 * A desk reloaded in the middle of a sync: its RelayDb closed while a request is in flight
 * (or its answer was lost), and a new RelayDb opened on the same name and IndexedDB factory,
 * as a window reload does. The store must resume from what it committed: an unanswered push
 * is still queued and goes again as duplicates; a pull resumes at the cursor of the last page
 * it applied (each page and its cursor are one transaction), so nothing is skipped and
 * nothing comes twice; a page that cannot be applied leaves neither its events nor its cursor.
 */
import Dexie from 'dexie';
import { IDBObjectStore } from 'fake-indexeddb';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { PullResponse, PushResponse } from '../../src-common/protocol/v1';
import { CURSOR_KEY } from '../../src-renderer/src/sync/pull';
import { gate, isPull, isPush } from './faulty-fetch';
import { describeEachDriver, duplicatesIn, expectStationConverged, H12345, P110, startSyncHub, SyncStation, type SyncHub } from './harness';

describeEachDriver('sync: a desk reloaded mid-sync', (driver) => {
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

  async function intakes(s: SyncStation, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(...(await s.intake()).map((e) => e.id));
    return ids;
  }

  it('reloaded with a push in flight (the hub committed; the old page never applies the answer): the new page re-sends, nothing doubled', async () => {
    const s = await station();
    const ids = await intakes(s, 20);
    const answer = gate();
    let committed = false;
    s.faulty.next({ kind: 'none', onAnswered: () => (committed = true), after: answer.promise }, isPush);
    const oldDb = s.db;
    const inFlight = s.push().catch((e: unknown) => e);
    await expect.poll(() => committed, { timeout: 10_000 }).toBe(true);

    await s.reload(); // the window reloads: the old store is closed
    answer.open(); // the old page's answer arrives, to a closed store
    const old = await inFlight;
    expect(old).toBeInstanceOf(Dexie.DatabaseClosedError);
    expect(oldDb.isOpen()).toBe(false);

    expect(await s.outboxIds()).toEqual(ids);
    expect((await s.events()).every((e) => e.hubSeq === null)).toBe(true);
    const first = s.faulty.calls[0]!.hubAnswers[0]!.body as PushResponse;
    expect(first.results.filter((r) => r.status === 'accepted')).toHaveLength(60);

    const { pushed, pulled } = await s.sync();
    expect(pushed).toMatchObject({ accepted: 0, duplicates: 60, rejected: 0 });
    expect(pulled).toMatchObject({ received: 60, added: 0 });
    const held = await hub.held();
    expect(held.map((h) => h.id)).toEqual(ids);
    expect(await s.db.cases.count()).toBe(20);
    await expectStationConverged(s, held, new Set(ids));
  });

  it('reloaded after the push answer was lost, then again before the next sync: converges, nothing doubled', async () => {
    const s = await station();
    const ids = await intakes(s, 10);
    s.faulty.script(['none', 'lost'], isPush);
    await expect(s.push({ maxEvents: 12 })).rejects.toMatchObject({ kind: 'network' });
    await s.reload();
    expect(await s.outboxIds()).toEqual(ids.slice(12));
    await s.reload();
    expect(await s.push({ maxEvents: 12 })).toMatchObject({ accepted: 6, duplicates: 12 });
    await s.reload();
    expect(await s.pull()).toMatchObject({ added: 0 });
    await expectStationConverged(s, await hub.held(), new Set(ids));
  });

  it('reloaded between pull pages: resumes at the last applied page’s cursor, skips nothing, takes nothing twice', async () => {
    const s110 = await station(P110);
    const ids = await intakes(s110, 10); // 30 events
    await s110.push();
    const s = await station(H12345);
    // pages of 7: pages 1 and 2 are applied; page 3 is answered by the hub while the window reloads
    const answer = gate();
    let page3 = false;
    s.faulty.script(['none', 'none', { kind: 'none', onAnswered: () => (page3 = true), after: answer.promise }], isPull);
    const inFlight = s.pull(7).catch((e: unknown) => e);
    // (page 3 is fetched while page 2 is applied: wait for both)
    await expect.poll(async () => page3 && (await s.events()).length === 14, { timeout: 10_000 }).toBe(true);
    await s.reload();
    answer.open();
    expect(await inFlight).toBeInstanceOf(Dexie.DatabaseClosedError);

    // (page 4 may have been asked for as page 3 arrived: it is never applied)
    const pages = s.faulty.calls.slice(0, 3).map((c) => c.hubAnswers[0]!.body as PullResponse);
    expect(pages.map((p) => p.events.length)).toEqual([7, 7, 7]);
    // exactly pages 1 and 2, with page 2's cursor
    expect((await s.events()).map((e) => e.id).sort()).toEqual([...pages[0]!.events, ...pages[1]!.events].map((e) => (e.event as { id: string }).id).sort());
    expect(await s.cursor()).toBe(pages[1]!.cursor);

    // and once more: page 3 lost, a reload, then the rest
    s.faulty.next('lost', isPull);
    await expect(s.pull(7)).rejects.toMatchObject({ kind: 'network' });
    expect(s.faulty.calls.at(-1)!.query).toContain(`after=${encodeURIComponent(pages[1]!.cursor)}`);
    await s.reload();
    expect(await s.cursor()).toBe(pages[1]!.cursor);
    const rest = await s.pull(7);
    expect(rest).toMatchObject({ received: 16, added: 16 });
    const again = await s.pull(7);
    expect(again).toMatchObject({ pages: 1, received: 0, added: 0 });

    const held = await hub.held();
    const mine = await s.events();
    expect(duplicatesIn(mine.map((e) => e.id))).toEqual([]);
    await expectStationConverged(s, held, new Set(ids));
    // the lseq of pulled events follows the hub's order: nothing was applied out of turn
    expect([...mine].sort((a, b) => a.lseq - b.lseq).map((e) => e.hubSeq)).toEqual(held.map((h) => h.hubSeq));
  });

  it('the cursor cannot be stored (the store fails mid-page): the page’s events go with it; the next pull takes the page again', async () => {
    const s110 = await station(P110);
    const ids = await intakes(s110, 5); // 15 events
    await s110.push();
    const s = await station(H12345);
    let failCursor = 2; // the second page's cursor write fails
    // at the IndexedDB level (the page's writes go straight to its transaction: write-and-commit.ts)
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name === 'settings' && (value as { key?: unknown })?.key === CURSOR_KEY && --failCursor === 0) throw new Error('磁盘写入失败（测试注入）');
      return put.call(this, value, key);
    } as typeof put;
    try {
      await expect(s.pull(6)).rejects.toThrow(/磁盘写入失败/);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(failCursor).toBe(0);
    // page 3 was asked for while page 2 was being applied, and dropped when that failed
    expect(s.faulty.calls).toHaveLength(3);
    const pages = s.faulty.calls.slice(0, 2).map((c) => c.hubAnswers[0]!.body as PullResponse);
    expect(pages.map((p) => p.events.length)).toEqual([6, 6]);
    // page 1 and its cursor, nothing of page 2
    expect((await s.events()).map((e) => e.id).sort()).toEqual(pages[0]!.events.map((e) => (e.event as { id: string }).id).sort());
    expect(await s.cursor()).toBe(pages[0]!.cursor);
    await s.reload();
    expect(await s.pull(6)).toMatchObject({ received: 9, added: 9 });
    await expectStationConverged(s, await hub.held(), new Set(ids));
  });

  it('a pull page that cannot be applied leaves neither its events nor its cursor (one transaction)', async () => {
    const s110 = await station(P110);
    const ids = await intakes(s110, 4); // 12 events
    await s110.push();
    const s = await station(H12345);
    expect(await s.pull(5)).toMatchObject({ received: 12, added: 12 });
    await s.db.settings.put({ key: CURSOR_KEY, value: '0' }); // pull from the start again
    const cursorBefore = await s.cursor();
    const countersBefore = await s.db.counters.toArray();
    // page 1 of the re-pull arrives with its last event altered (same id, other content)
    s.faulty.next(
      {
        kind: 'none',
        mutate: (body) => {
          const page = body as PullResponse;
          const last = page.events.at(-1)!.event as { operator: string };
          last.operator = '冒名顶替';
          return page;
        },
      },
      isPull,
    );
    await expect(s.pull(5)).rejects.toThrow(/内容不同/);
    expect(await s.cursor()).toBe(cursorBefore);
    expect(await s.db.counters.toArray()).toEqual(countersBefore);
    expect((await s.events()).map((e) => e.id).sort()).toEqual([...ids].sort());

    // a page of new events with one malformed event: nothing of the page is written
    await s.reload();
    const fresh = await intakes(s110, 2);
    await s110.push();
    s.faulty.next(
      {
        kind: 'none',
        mutate: (body) => {
          const page = body as PullResponse;
          (page.events.at(-1)!.event as { type: string }).type = 'case.nonsense';
          return page;
        },
      },
      isPull,
    );
    await s.db.settings.put({ key: CURSOR_KEY, value: String(12) });
    await expect(s.pull(100)).rejects.toThrow(/第 6 条记录无效/);
    expect(await s.cursor()).toBe('12');
    expect((await s.events()).filter((e) => fresh.includes(e.id))).toEqual([]);
    expect(await s.pull(100)).toMatchObject({ received: 6, added: 6 });
    await expectStationConverged(s, await hub.held(), new Set([...ids, ...fresh]));
  });
});
