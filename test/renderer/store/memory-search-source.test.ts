/**
 * The in-memory search as the desk runs it: filled from the case rows, then kept current by
 * every path that writes them. Each test compares the list's search pages through memory with
 * the same pages found by walking the case rows (a second connection to the same database,
 * whose in-memory search is stopped), across every sort.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { intakeCommands, type IntakeDraft, type RelayEvent, type Station, HOTLINE_TARGET } from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { exportBackup, importBackup } from '../../../src-renderer/src/store/backup';
import { RelayDb, type StoredCase } from '../../../src-renderer/src/store/db';
import { queryCasePage, type ListFilter, type ListSort, type SortKey } from '../../../src-renderer/src/store/list-query';
import { memorySearchOf, memorySearchState, startMemorySearch, stopMemorySearch } from '../../../src-renderer/src/store/memory-search-source';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { refoldCases } from '../../../src-renderer/src/store/refold';
import { CaseScript, createdPayload, H12345, P110, stationOf, T0, TO_HOTLINE } from '../../domain/fixtures';
import { steppingClock } from './helpers';

let counter = 0;
const opened: RelayDb[] = [];
/** Two connections to one new database: the desk's (memory started) and one through IndexedDB alone. */
function pair(): { db: RelayDb; idbOnly: RelayDb; factory: IDBFactory; name: string } {
  const factory = new IDBFactory();
  const name = `memory-search-${++counter}`;
  const db = new RelayDb(name, { indexedDB: factory, IDBKeyRange });
  const idbOnly = new RelayDb(name, { indexedDB: factory, IDBKeyRange });
  stopMemorySearch(idbOnly, 'this connection searches the case rows');
  opened.push(db, idbOnly);
  return { db, idbOnly, factory, name };
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

const PHRASES = ['小区停水', '暖气不热', '路灯不亮', '燃气泄漏', '拖欠工资'];
const ADDRESSES = ['兰山区通达路 100 号', '罗庄区金雀山路 8 号'];

function caseEvents(i: number, opts: { transfer?: boolean } = {}): RelayEvent[] {
  const s = new CaseScript(T0 + (i % 7) * 60_000);
  s.add(
    P110,
    'case.created',
    createdPayload(P110, 'police110', {
      caseNo: `20260302-p110-${String(i).padStart(4, '0')}`,
      receivedAt: s.t(0),
      urgency: i % 3 === 0 ? 'urgent' : 'normal',
      caller: { name: '', phone: `1391234${String(i % 10).repeat(4)}`, anonymous: false, confidential: false },
      location: { address: ADDRESSES[i % 2]!, district: '兰山区' },
      description: `${PHRASES[i % PHRASES.length]}，${PHRASES[(i * 3) % PHRASES.length]}`,
    }),
    0,
  );
  s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
  if (opts.transfer ?? i % 2 === 0) s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(40 + (i % 5)) }, 2);
  return s.events;
}

const SEARCHES: ListFilter[] = [
  { search: '停水' },
  { search: '暖气' },
  { search: '水' },
  { search: '通达路' },
  { search: '1111' },
  { search: '139' },
  { search: '停水', urgency: 'urgent' },
  { search: '灯', statuses: ['transferred'] },
  { search: '不存在' },
];
const SORTS: ListSort[] = (['updatedAt', 'receivedAt', 'dueKey'] as SortKey[]).flatMap((key) => [
  { key, dir: 'asc' as const },
  { key, dir: 'desc' as const },
]);

async function pageThrough(db: RelayDb, filter: ListFilter, sort: ListSort, limit: number): Promise<{ ids: string[]; plans: Set<string> }> {
  const ids: string[] = [];
  const plans = new Set<string>();
  let cursor = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await queryCasePage(db, filter, sort, limit, cursor);
    plans.add(page.plan.split(':')[0]!);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return { ids, plans };
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

/** Every search, every sort, pages of 4: memory answers, and answers as IndexedDB does. */
async function expectSameAnswers(db: RelayDb, idbOnly: RelayDb): Promise<number> {
  expect(memorySearchOf(db), 'the in-memory search is filled').not.toBeNull();
  let found = 0;
  for (const filter of SEARCHES) {
    for (const sort of SORTS) {
      const viaMemory = await pageThrough(db, filter, sort, 4);
      const viaIdb = await pageThrough(idbOnly, filter, sort, 4);
      expect(viaMemory.ids, `${JSON.stringify(filter)} ${sort.key} ${sort.dir}`).toEqual(viaIdb.ids);
      expect([...viaMemory.plans]).toEqual(['memory']);
      expect([...viaIdb.plans].every((p) => p !== 'memory')).toBe(true);
      found += viaMemory.ids.length;
    }
  }
  return found;
}

const desk110: Station = stationOf(P110, 'police110', '王强');
function draft(description: string): IntakeDraft {
  return {
    channel: 'call110',
    receivedAt: '2026-03-02T07:59:00.000Z',
    callerName: '张三',
    callerPhone: '13800001111',
    anonymous: false,
    confidential: false,
    address: '兰山区通达路 100 号',
    district: '兰山区',
    nature: 'help',
    category: 'utility.water',
    urgency: 'urgent',
    description,
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: true, note: '' },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the in-memory search', () => {
  it('a search asked while the fill waits for its delay starts it at once, waits for it, and answers as the rows do', async () => {
    const { db, idbOnly } = pair();
    await applyExternalEvents(db, Array.from({ length: 60 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    const started = startMemorySearch(db, { fillAfterMs: 60_000 });
    expect(memorySearchOf(db)).toBeNull();
    const page = await queryCasePage(db, { search: '停水' }, SORTS[0]!, 50);
    expect(page.plan).toBe('memory:停水');
    const state = await started;
    expect(state.failed).toBeNull();
    expect(state.ready?.size).toBe(60);
    expect(state.loadMs).toBeGreaterThanOrEqual(0);
    const walked = await queryCasePage(idbOnly, { search: '停水' }, SORTS[0]!, 50);
    expect(walked.plan).toBe(SORTS[0]!.key);
    expect(page.rows.length).toBeGreaterThan(5);
    expect(page.rows.map((r) => r.id)).toEqual(walked.rows.map((r) => r.id));
    expect(await expectSameAnswers(db, idbOnly)).toBeGreaterThan(100);
  });

  it('a search on a database whose in-memory search was never started starts it', async () => {
    const { db } = pair();
    await applyExternalEvents(db, caseEvents(3).map((event) => ({ event })));
    expect(memorySearchState(db)).toBeUndefined();
    const page = await queryCasePage(db, { search: '1391234' }, SORTS[0]!, 50);
    expect(page.plan).toBe('memory:1391234');
    expect(page.rows).toHaveLength(1);
    expect(memorySearchState(db)?.ready?.size).toBe(1);
  });

  it('fills in pages: more cases than one page are all found', async () => {
    const { db, idbOnly } = pair();
    await applyExternalEvents(db, Array.from({ length: 1300 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    const state = await startMemorySearch(db);
    expect(state.ready?.size).toBe(1300);
    const all = await pageThrough(db, { search: '139' }, { key: 'receivedAt', dir: 'asc' }, 500);
    expect(all.ids).toHaveLength(1300);
    expect(all.ids).toEqual((await pageThrough(idbOnly, { search: '139' }, { key: 'receivedAt', dir: 'asc' }, 500)).ids);
  }, 60_000);

  it('follows every path that writes case rows: a desk\u2019s recordings, pulls, refolds, removals, imports, Dexie updates', async () => {
    const { db, idbOnly } = pair();
    await applyExternalEvents(db, Array.from({ length: 20 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    await startMemorySearch(db);

    // a recording at this desk (write-and-commit.ts putAll)
    const [created] = await recordCommands(db, { station: desk110, now: steppingClock() }, intakeCommands(draft('井盖丢失，路面塌陷'), desk110, '20260302-p110-lanshan-0900', new Date(T0)));
    const mine = created!.caseId;
    expect((await queryCasePage(db, { search: '井盖' }, SORTS[1]!, 10)).rows.map((r) => r.id)).toEqual([mine]);
    await expectSameAnswers(db, idbOnly);

    // pulled events that change held cases and add new ones (apply-external.ts putAll)
    const later = Array.from({ length: 6 }, (_, i) => caseEvents(100 + i)).flat();
    const s = new CaseScript(T0 + 3 * 60 * 60_000, mine);
    const ack = s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 5);
    await applyExternalEvents(db, [...later, ack].map((event) => ({ event })));
    const row = (await db.cases.get(mine))!;
    // the hotline took the hand-over: the case moved on
    expect(row.status).toBe('pending');
    expect(memorySearchOf(db)!.sortValue(mine, 'updatedAt')).toBe(row.updatedAt);
    await expectSameAnswers(db, idbOnly);

    // a case whose creation the hub refused: the refold removes its row (refold.ts, through Dexie)
    const refusedCase = (await db.cases.toArray()).find((c) => c.id !== mine)!;
    const creation = (await db.events.where('caseId').equals(refusedCase.id).toArray()).find((e) => e.type === 'case.created')!;
    await db.transaction('rw', [db.events, db.cases, db.rejected, db.hubAcks, db.counters], async () => {
      await db.rejected.put({ eventId: creation.id, code: 'forbidden', reason: 'test', at: new Date(T0).toISOString() });
      await refoldCases(db, [refusedCase.id]);
    });
    expect(await db.cases.get(refusedCase.id)).toBeUndefined();
    expect(memorySearchOf(db)!.has(refusedCase.id)).toBe(false);
    await expectSameAnswers(db, idbOnly);

    // a Dexie update of a row (status and time changed)
    await db.cases.update(mine, { status: 'closed', updatedAt: '2026-03-09T00:00:00.000Z' } as Partial<StoredCase>);
    expect(memorySearchOf(db)!.sortValue(mine, 'updatedAt')).toBe('2026-03-09T00:00:00.000Z');
    await expectSameAnswers(db, idbOnly);

    // a backup of another desk imported here (backup.ts: applies and refolds)
    const other = pair();
    await applyExternalEvents(other.db, Array.from({ length: 5 }, (_, i) => caseEvents(200 + i)).flat().map((event) => ({ event })));
    await other.db.settings.put({ key: 'station', value: desk110 });
    await db.settings.put({ key: 'station', value: desk110 });
    await importBackup(db, JSON.stringify(await exportBackup(other.db, 'test')));
    expect(await db.cases.count()).toBe(20 + 1 + 6 - 1 + 5);
    expect(memorySearchOf(db)!.size).toBe(await db.cases.count());
    await expectSameAnswers(db, idbOnly);
  }, 60_000);

  it('does not hold a write whose transaction aborted', async () => {
    const { db } = pair();
    await applyExternalEvents(db, caseEvents(1).map((event) => ({ event })));
    await startMemorySearch(db);
    const row = (await db.cases.toCollection().first())!;
    await expect(
      db.transaction('rw', db.cases, async () => {
        await db.cases.put({ ...row, id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ', status: 'closed' });
        throw new Error('abort on purpose');
      }),
    ).rejects.toThrow('abort on purpose');
    expect(memorySearchOf(db)!.has('01ZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(false);
    expect(memorySearchOf(db)!.size).toBe(1);
  });

  it('a table cleared is read again; a row changed past its feed is corrected when a search proposes it', async () => {
    const { db, idbOnly } = pair();
    await applyExternalEvents(db, Array.from({ length: 12 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    await startMemorySearch(db);
    const index = memorySearchOf(db)!;

    // a write no feed reports (straight on another connection's IndexedDB): the row's sort value and status
    const victim = (await queryCasePage(db, { search: '停水' }, { key: 'updatedAt', dir: 'desc' }, 50)).rows.at(-1)!;
    const changed = { ...victim, status: 'closed' as const, updatedAt: '2026-03-20T00:00:00.000Z' };
    await idbOnly.open();
    await new Promise<void>((resolve, reject) => {
      const tx = idbOnly.backendDB().transaction('cases', 'readwrite');
      tx.objectStore('cases').put(changed);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    // the stale entry is seen on reading its row: corrected, and the page asked again
    const page = await queryCasePage(db, { search: '停水' }, { key: 'updatedAt', dir: 'desc' }, 50);
    expect(page.plan).toBe('memory:停水');
    expect(page.rows[0]!.id).toBe(victim.id);
    expect(index.sortValue(victim.id, 'updatedAt')).toBe('2026-03-20T00:00:00.000Z');
    await expectSameAnswers(db, idbOnly);

    await db.cases.clear();
    await until(() => memorySearchOf(db) !== null && memorySearchOf(db)!.size === 0, 'the refill after a clear');
    expect((await queryCasePage(db, { search: '停水' }, SORTS[0]!, 50)).rows).toEqual([]);
  });

  it('hears the writes of another window of the same database and reads their rows again', async () => {
    const { db, factory, name } = pair();
    await applyExternalEvents(db, caseEvents(1).map((event) => ({ event })));
    await startMemorySearch(db);
    // a second window: its own connection, its own feed
    const window2 = new RelayDb(name, { indexedDB: factory, IDBKeyRange });
    opened.push(window2);
    const [created] = await recordCommands(window2, { station: desk110, now: steppingClock() }, intakeCommands(draft('窨井冒水'), desk110, '20260302-p110-lanshan-0901', new Date(T0)));
    await until(() => memorySearchOf(db)!.has(created!.caseId), 'the other window\u2019s case');
    const page = await queryCasePage(db, { search: '窨井' }, SORTS[0]!, 10);
    expect(page.plan).toBe('memory:窨井');
    expect(page.rows.map((r) => r.id)).toEqual([created!.caseId]);
  });

  it('stops when its database closes, and starts again at the next search once it is open again', async () => {
    const { db } = pair();
    await applyExternalEvents(db, Array.from({ length: 10 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    await startMemorySearch(db);
    const before = await queryCasePage(db, { search: '停水' }, SORTS[0]!, 50);
    db.close();
    expect(memorySearchState(db)?.failed).toMatch(/clos/i);
    expect(memorySearchOf(db)).toBeNull();
    await db.open();
    const after = await queryCasePage(db, { search: '停水' }, SORTS[0]!, 50);
    expect(after.plan).toBe('memory:停水');
    expect(after.rows.map((r) => r.id)).toEqual(before.rows.map((r) => r.id));
    expect(memorySearchState(db)?.failed).toBeNull();
  });

  it('a clear heard while the first fill waits for its delay: one fill, and a search waits for it', async () => {
    const { db } = pair();
    await applyExternalEvents(db, Array.from({ length: 8 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    void startMemorySearch(db, { fillAfterMs: 60_000 });
    await db.cases.clear();
    await applyExternalEvents(db, caseEvents(50).map((event) => ({ event })));
    const page = await queryCasePage(db, { search: '1391234' }, SORTS[0]!, 50);
    expect(page.plan).toBe('memory:1391234');
    expect(page.rows).toHaveLength(1);
    expect(memorySearchOf(db)!.size).toBe(1);
  });

  it('started and cleared at once: what it resolves with is the fill after the clear', async () => {
    const { db } = pair();
    await applyExternalEvents(db, Array.from({ length: 8 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    const started = startMemorySearch(db);
    await db.cases.clear();
    const state = await started;
    expect(state.failed).toBeNull();
    expect(state.ready).not.toBeNull();
    expect(state.ready!.size).toBe(0);
  });

  it('stopped on purpose after a close, it stays stopped when the database opens again', async () => {
    const { db } = pair();
    await applyExternalEvents(db, caseEvents(1).map((event) => ({ event })));
    await startMemorySearch(db);
    db.close();
    stopMemorySearch(db, 'turned off');
    await db.open();
    const page = await queryCasePage(db, { search: '1391234' }, SORTS[0]!, 50);
    expect(page.plan).toBe(SORTS[0]!.key);
    expect(page.rows).toHaveLength(1);
    expect(memorySearchState(db)?.failed).toBe('turned off');
  });

  it('reports why it stopped when the database closes while filling', async () => {
    const { db } = pair();
    await applyExternalEvents(db, Array.from({ length: 30 }, (_, i) => caseEvents(i)).flat().map((event) => ({ event })));
    const filling = startMemorySearch(db, { fillAfterMs: 20 });
    expect(memorySearchOf(db)).toBeNull();
    db.close();
    const state = await filling;
    expect(state.ready).toBeNull();
    expect(state.failed).toMatch(/clos/i);
    expect(memorySearchState(db)).toBe(state);
  });
});
