/**
 * An intake save predicts its basis (the station's numbers, the counters, the pull cursor) from
 * the last one this window committed, issues its reads and writes together, and commits only
 * if the reads show exactly what was predicted (record.ts). These tests make the prediction
 * wrong in every way another writer can (another tab, a pull, the next day) and check that the
 * save then comes out as if it had read first: right numbers, right counters, nothing twice.
 */
import { IDBDatabase, IDBFactory, IDBObjectStore, IDBTransaction } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainError, HOTLINE_TARGET, intakeCommands, type IntakeDraft, type Station } from '../../../src-common/domain';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { caseWriteFeedOf } from '../../../src-renderer/src/store/case-write-feed';
import { CURSOR_KEY } from '../../../src-renderer/src/store/pull-cursor';
import { AUTO_CASE_NO, recordCommands } from '../../../src-renderer/src/store/record';
import { fullLifecycle, H12345, P110, stationOf } from '../../domain/fixtures';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { dump, expectCountersRight, freshDb, steppingClock } from './helpers';

const desk110: Station = stationOf(P110, 'police110', '王强');
const desk12345: Station = stationOf(H12345, 'hotline12345', '李娜');

const opened: RelayDb[] = [];
function db(name?: string, factory?: IDBFactory): RelayDb {
  const d = freshDb(name, factory);
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  vi.restoreAllMocks();
});

function draft(urgency: 'urgent' | 'normal' = 'normal'): IntakeDraft {
  return {
    channel: 'call110',
    receivedAt: '2026-03-02T07:59:00.000Z',
    callerName: '张三',
    callerPhone: '13912345678',
    anonymous: false,
    confidential: false,
    address: '兰山区通达路 100 号',
    district: '兰山区',
    nature: 'help',
    category: 'utility.water',
    urgency,
    description: '小区停水，楼道积水',
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: true, note: '' },
  };
}

function intake(d: RelayDb, clock: () => Date, station: Station = desk110, urgency: 'urgent' | 'normal' = 'normal') {
  const now = clock();
  return recordCommands(d, { station, now: clock }, intakeCommands(draft(urgency), desk110, AUTO_CASE_NO, now));
}

/** How many read-write transactions the database was asked for, and whether each save's writes went out before its reads were answered. */
function watchTransactions() {
  const ended = { complete: 0, abort: 0 };
  const transaction = IDBDatabase.prototype.transaction;
  vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    const tx = transaction.apply(this, args);
    if (args[1] === 'readwrite') {
      tx.addEventListener('complete', () => ended.complete++);
      tx.addEventListener('abort', () => ended.abort++);
    }
    return tx;
  });
  const reads: IDBRequest[] = [];
  const get = IDBObjectStore.prototype.get;
  vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
    const request = get.call(this, key);
    reads.push(request);
    return request;
  });
  const put = IDBObjectStore.prototype.put;
  const putsBeforeReadsAnswered: boolean[] = [];
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    putsBeforeReadsAnswered.push(reads.length > 0 && reads.some((r) => r.readyState === 'pending'));
    return put.call(this, value, key);
  });
  return {
    committed: () => ended.complete,
    aborted: () => ended.abort,
    putsBeforeReadsAnswered,
    reset() {
      ended.complete = 0;
      ended.abort = 0;
      reads.length = 0;
      putsBeforeReadsAnswered.length = 0;
    },
  };
}

const lseqs = async (d: RelayDb) => (await d.events.toArray()).map((e) => e.lseq).sort((a, b) => a - b);
const seqs = async (d: RelayDb) => (await d.events.toArray()).map((e) => e.seq).sort((a, b) => a - b);
const caseNos = async (d: RelayDb) => (await d.cases.toArray()).map((c) => c.caseNo).sort();
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('recordCommands: an intake predicted from the last save', () => {
  it('issues the second save’s writes before its reads are answered, in one transaction, and commits it', async () => {
    const d = db();
    const clock = steppingClock();
    const watch = watchTransactions();
    await intake(d, clock);
    // the first save of a window reads first
    expect(watch.putsBeforeReadsAnswered.length).toBeGreaterThan(0);
    expect(watch.putsBeforeReadsAnswered.every((early) => !early)).toBe(true);
    watch.reset();
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    await intake(d, clock);
    // asked as soon as the reads showed the prediction right, not left to the writes' answers
    expect(commit).toHaveBeenCalledTimes(1);
    expect(watch.putsBeforeReadsAnswered.length).toBeGreaterThan(0);
    expect(watch.putsBeforeReadsAnswered.every((early) => early)).toBe(true);
    expect(watch.committed()).toBe(1);
    expect(watch.aborted()).toBe(0);
    expect(await lseqs(d)).toEqual(range(6));
    expect(await seqs(d)).toEqual(range(6));
    const nos = await caseNos(d);
    expect(nos).toHaveLength(2);
    expect(nos[0]).toMatch(/0001$/);
    expect(nos[1]).toMatch(/0002$/);
    await expectCountersRight(d, expect);
  });

  it('when another window saved in between, aborts the predicted transaction and records on what it reads: no number twice', async () => {
    const factory = new IDBFactory();
    const here = db('shared', factory);
    const there = db('shared', factory);
    const clock = steppingClock();
    // before the databases open: Dexie takes IndexedDB's transaction() as it opens
    const watch = watchTransactions();
    await intake(here, clock);
    await intake(there, clock);
    await intake(there, clock, desk110, 'urgent');
    watch.reset();
    await intake(here, clock);
    // the prediction (lseq 3, two cases) was wrong: one transaction aborted, one committed
    expect(watch.committed()).toBe(1);
    expect(watch.aborted()).toBe(1);
    expect(await lseqs(here)).toEqual(range(12));
    expect(await seqs(here)).toEqual(range(12));
    expect(new Set(await caseNos(here)).size).toBe(4);
    await expectCountersRight(here, expect);
    expect((await here.counters.get('cases:urgentOpen'))?.n).toBe(1);
    // and learned: the next save here is predicted right again
    watch.reset();
    await intake(here, clock);
    expect(watch.committed()).toBe(1);
    expect(watch.aborted()).toBe(0);
    expect(await lseqs(here)).toEqual(range(15));
  });

  it('when another window moved a counter since, records on the counter as it is', async () => {
    const factory = new IDBFactory();
    const here = db('counters', factory);
    const there = db('counters', factory);
    const clock = steppingClock();
    const watch = watchTransactions();
    await intake(here, clock);
    // what a case pulled in the other tab does to the counters: not seen here
    await there.counters.bulkPut([
      { key: 'cases:total', n: 41 },
      { key: 'cases:status:transferred', n: 41 },
    ]);
    watch.reset();
    await intake(here, clock);
    expect(watch.aborted()).toBe(1);
    expect((await here.counters.get('cases:total'))?.n).toBe(42);
    expect((await here.counters.get('cases:status:transferred'))?.n).toBe(42);
    expect((await here.counters.get('outbox'))?.n).toBe(6);
  });

  it('when another window moved the pull cursor since, gives the new events the cursor as it is', async () => {
    const factory = new IDBFactory();
    const here = db('cursor', factory);
    const there = db('cursor', factory);
    const clock = steppingClock();
    await intake(here, clock);
    await there.settings.put({ key: CURSOR_KEY, value: '1234' });
    await intake(here, clock);
    const bases = (await here.outbox.toArray()).map((row) => row.basis);
    expect(bases).toEqual(['0', '0', '0', '1234', '1234', '1234']);
  });

  it('learns what this window writes between saves (a pull page, a push settled, a number taken): the next save is predicted right', async () => {
    const d = db();
    const clock = steppingClock();
    const watch = watchTransactions();
    await intake(d, clock);
    // a pull page: another station's case, its events numbered here, the cursor moved (putAll)
    const script = fullLifecycle();
    await applyExternalEvents(
      d,
      script.events.map((event, i) => ({ event, hubSeq: 100 + i })),
      undefined,
      { settings: [{ key: CURSOR_KEY, value: String(100 + script.events.length - 1) }] },
    );
    // a push settled: the outbox emptied and its counter put (through Dexie, as push.ts does)
    await d.transaction('rw', [d.outbox, d.counters], async () => {
      await d.outbox.clear();
      await d.counters.put({ key: 'outbox', n: 0 });
    });
    // a number taken through Dexie (as a handover sheet takes its local number)
    const lseq = (await d.settings.get('local:lseq'))!.value as number;
    await d.settings.put({ key: 'local:lseq', value: lseq + 1 });
    watch.reset();
    await intake(d, clock);
    expect(watch.aborted()).toBe(0);
    expect(watch.committed()).toBe(1);
    await expectCountersRight(d, expect);
    const mine = (await d.events.toArray()).filter((e) => e.stationId === desk110.stationId).map((e) => e.lseq);
    expect(mine.slice(-3)).toEqual([lseq + 2, lseq + 3, lseq + 4]);
    expect((await d.outbox.toArray()).map((row) => row.basis)).toEqual(Array(3).fill(String(100 + script.events.length - 1)));
  });

  it('forgets what it saw when this window deletes counters or settings: the next save reads first', async () => {
    const d = db();
    const clock = steppingClock();
    const watch = watchTransactions();
    await intake(d, clock);
    await d.counters.delete('cases:urgentOpen');
    watch.reset();
    await intake(d, clock);
    // read first: its writes waited for the reads, and nothing was aborted
    expect(watch.aborted()).toBe(0);
    expect(watch.putsBeforeReadsAnswered.every((early) => !early)).toBe(true);
    await expectCountersRight(d, expect);
  });

  it('on a new day, numbers the case from that day’s counter', async () => {
    const d = db();
    const clock = steppingClock('2026-03-02T15:59:50.000Z');
    const watch = watchTransactions();
    await intake(d, clock);
    // Beijing midnight passes between the two saves
    watch.reset();
    await intake(d, steppingClock('2026-03-02T16:00:10.000Z'));
    // the new day's counter was never seen: read first, no transaction wasted
    expect(watch.aborted()).toBe(0);
    expect(watch.committed()).toBe(1);
    expect(watch.putsBeforeReadsAnswered.every((early) => !early)).toBe(true);
    const nos = await caseNos(d);
    expect(nos).toHaveLength(2);
    expect(nos[0]).toMatch(/^20260302-.*0001$/);
    expect(nos[1]).toMatch(/^20260303-.*0001$/);
  });

  it('a refused intake writes nothing, predicted or not', async () => {
    const d = db();
    const clock = steppingClock();
    await intake(d, clock);
    const before = await dump(d);
    // commands made for a 110 desk, recorded at the hotline's: 受理岗位与本站岗位不符
    await expect(intake(d, clock, desk12345)).rejects.toThrow(DomainError);
    expect(await dump(d)).toEqual(before);
    await intake(d, clock);
    expect(await lseqs(d)).toEqual(range(6));
  });

  it('an aborted prediction is never announced to the in-memory search: each case arrives once, committed', async () => {
    const factory = new IDBFactory();
    const here = db('feed', factory);
    const there = db('feed', factory);
    const clock = steppingClock();
    const watch = watchTransactions();
    await intake(here, clock);
    await intake(there, clock);
    const announced: string[] = [];
    const feed = caseWriteFeedOf(here);
    expect(feed).toBeDefined();
    const stop = feed!.listen((writes) => announced.push(...writes.puts.map((row) => row.id)));
    watch.reset();
    const [created] = await intake(here, clock);
    stop();
    expect(watch.aborted()).toBe(1);
    expect(announced).toEqual([created!.caseId]);
  });
});
