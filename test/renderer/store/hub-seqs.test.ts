/**
 * Hub numbers kept beside the events (schema v5 hubAcks): how they are looked up, which one
 * wins, and that the readers that take events in (pull, backup) see them.
 */
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, type IntakeDraft, type RelayEvent, type Station } from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { exportBackup, importBackup } from '../../../src-renderer/src/store/backup';
import { RelayDb } from '../../../src-renderer/src/store/db';
import { acknowledgedNumbers, countSequenced, readAllEvents, recordHubSeqs, withHubSeqs } from '../../../src-renderer/src/store/hub-seqs';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { applyPushResponse } from '../../../src-renderer/src/sync/push';
import { P110, stationOf } from '../../domain/fixtures';
import { expectCountersRight, freshDb, steppingClock } from './helpers';

const desk: Station = stationOf(P110, 'police110', '王强');

const opened: Dexie[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function draft(i: number): IntakeDraft {
  return {
    channel: 'call110', receivedAt: '2026-03-02T08:00:00.000Z', callerName: '张三', callerPhone: '13912345678', anonymous: false, confidential: false,
    address: `通达路 ${i} 号`, district: '兰山区', nature: 'help', category: 'utility.water', urgency: 'normal',
    description: `第 ${i} 起停水`, verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
  };
}

async function recordIntakes(d: RelayDb, n: number): Promise<RelayEvent[]> {
  const clock = steppingClock();
  const out: RelayEvent[] = [];
  for (let i = 1; i <= n; i++) out.push(...(await recordCommands(d, { station: desk, now: clock }, intakeCommands(draft(i), desk, `A-${i}`, clock()))));
  return out;
}

/** The hub accepted all of `events`, numbered from `from`. */
function accepted(events: readonly RelayEvent[], from = 1) {
  return { results: events.map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: from + i })), gaps: [], contiguousSeq: 0 };
}

describe('hubAcks', () => {
  it('finds numbers by a key range of ids, or one by one when the ids are spread over many acknowledgements; the later acknowledgement wins', async () => {
    const d = db();
    const ids = Array.from({ length: 3000 }, (_, i) => `E${String(i).padStart(5, '0')}`);
    await d.transaction('rw', d.hubAcks, async () => {
      for (let b = 0; b < 30; b++) await recordHubSeqs(d, ids.slice(b * 100, b * 100 + 100).map((id, i) => [id, b * 100 + i + 1] as const));
      await recordHubSeqs(d, [['E00150', 9001]]); // numbered again later (the hub lost it and took it anew)
    });
    // a tight run: one key range
    const run = ids.slice(140, 160);
    const near = await d.transaction('r', d.hubAcks, () => acknowledgedNumbers(d, run));
    expect(near).toEqual(new Map(run.map((id) => [id, id === 'E00150' ? 9001 : Number(id.slice(1)) + 1])));
    // two ids far apart (the range would hold 3000 entries): looked up one by one
    const spread = await d.transaction('r', d.hubAcks, () => acknowledgedNumbers(d, ['E00000', 'E02999', 'E00150', 'NOPE']));
    expect(spread).toEqual(new Map([['E00000', 1], ['E02999', 3000], ['E00150', 9001]]));
    expect(await d.transaction('r', d.hubAcks, () => acknowledgedNumbers(d, []))).toEqual(new Map());
  });

  it('a number on the event row wins; events without any stay null; missing entries pass through', async () => {
    const d = db();
    const [a, b, c] = (await recordIntakes(d, 1)) as [RelayEvent, RelayEvent, RelayEvent];
    await d.events.update(a.id, { hubSeq: 5 });
    await d.transaction('rw', d.hubAcks, () => recordHubSeqs(d, [[a.id, 50], [b.id, 6]]));
    const rows = await d.events.bulkGet([a.id, b.id, 'missing', c.id]);
    const merged = await d.transaction('r', [d.events, d.hubAcks], () => withHubSeqs(d, rows));
    expect(merged.map((e) => e?.hubSeq)).toEqual([5, 6, undefined, null]);
    expect(rows[1]!.hubSeq).toBeNull(); // the rows read are not changed
    expect(await countSequenced(d)).toBe(2);
  });

  it('a pull that brings back this desk’s acknowledged events takes them as held and already numbered: no row rewritten', async () => {
    const d = db();
    const events = await recordIntakes(d, 2);
    await applyPushResponse(d, accepted(events, 11), desk.stationId, events as unknown as Array<Record<string, unknown>>);
    const rowsBefore = await d.events.toArray();
    const casesBefore = await d.cases.toArray();
    const result = await applyExternalEvents(d, events.map((event, i) => ({ event, hubSeq: 11 + i })));
    expect(result).toMatchObject({ added: 0, alreadyHeld: 6, sequenced: 0 });
    expect(await d.events.toArray()).toEqual(rowsBefore);
    expect(await d.cases.toArray()).toEqual(casesBefore);
    await expectCountersRight(d, expect);
  });

  it('a backup carries the acknowledged numbers; restored elsewhere, nothing acknowledged goes back into the outbox', async () => {
    const d = db();
    await d.settings.put({ key: 'station', value: desk });
    const events = await recordIntakes(d, 2);
    await applyPushResponse(d, accepted(events.slice(0, 3), 21), desk.stationId);
    const file = await exportBackup(d, 'test');
    expect(file.events.map((e) => e.hubSeq)).toEqual([21, 22, 23, null, null, null]);
    expect(file.outbox).toEqual(events.slice(3).map((e) => e.id));

    const fresh = db();
    const r = await importBackup(fresh, JSON.stringify(file));
    expect(r.requeued).toBe(3);
    expect((await fresh.outbox.orderBy('lseq').toArray()).map((o) => o.eventId)).toEqual(events.slice(3).map((e) => e.id));
    expect((await readAllEvents(fresh)).map((e) => e.hubSeq).sort()).toEqual([21, 22, 23, null, null, null].sort());
    await expectCountersRight(fresh, expect);
  });

  it('importing a backup into the same desk after its push: the acknowledged events are not queued again', async () => {
    const d = db();
    await d.settings.put({ key: 'station', value: desk });
    const events = await recordIntakes(d, 1);
    // the backup was taken before the push (nothing numbered, everything queued)
    const file = await exportBackup(d, 'test');
    await applyPushResponse(d, accepted(events, 1), desk.stationId);
    expect(await d.outbox.count()).toBe(0);
    const r = await importBackup(d, JSON.stringify(file));
    expect(r.requeued).toBe(0);
    expect(await d.outbox.count()).toBe(0);
    await expectCountersRight(d, expect);
  });
});

describe('schema v5', () => {
  it('a version 3 store opens as the current version (v5 and on), its numbered events as they were, with an empty hubAcks', async () => {
    const factory = new IDBFactory();
    // the shipped layout up to version 3, written by an earlier build
    const old = new Dexie('desk-v3', { indexedDB: factory, IDBKeyRange });
    old.version(1).stores({ events: 'id, caseId, [stationId+seq], lseq, hubSeq', cases: 'id', outbox: 'eventId, lseq', settings: 'key', counters: 'key' });
    old.version(2).stores({ rejected: 'eventId, at' });
    old.version(3).stores({ alerts: 'id, caseId, ackedAt, raisedAt' });
    await old.open();
    const events = (await recordIntakes(db(), 1)).map((e, i) => ({ ...e, hubSeq: i + 1, lseq: i + 1 }));
    await old.table('events').bulkAdd(events);
    old.close();

    const d = new RelayDb('desk-v3', { indexedDB: factory, IDBKeyRange });
    opened.push(d);
    await d.open();
    expect(d.verno).toBeGreaterThanOrEqual(5);
    expect(await d.hubAcks.count()).toBe(0);
    expect((await readAllEvents(d)).map((e) => e.hubSeq)).toEqual([1, 2, 3]);
    expect(await countSequenced(d)).toBe(3);
  });
});
