import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, type IntakeDraft, type Station } from '../../../src-common/domain';
import { applyExternalEvents, ConflictingEventError } from '../../../src-renderer/src/store/apply-external';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupFormatError,
  exportBackup,
  rescueFile,
  importBackup,
  parseBackup,
  type BackupFile,
} from '../../../src-renderer/src/store/backup';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { CURSOR_KEY } from '../../../src-renderer/src/store/pull-cursor';
import { CaseScript, createdPayload, fullLifecycle, H12345, P110, stationOf, T0, TO_WATER } from '../../domain/fixtures';
import { COUNTER } from '../../../src-renderer/src/store/counters';
import { applyPushResponse } from '../../../src-renderer/src/sync/push';
import { acknowledgedBases } from '../../../src-renderer/src/store/hub-seqs';
import { startOverAfterHubRollback } from '../../../src-renderer/src/store/hub-rollback';
import { dump, expectCountersRight, freshDb, steppingClock, type Dump } from './helpers';

const desk110: Station = stationOf(P110, 'police110', '王强');
const desk12345: Station = stationOf(H12345, 'hotline12345', '李娜');

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function draft(i: number, over: Partial<IntakeDraft> = {}): IntakeDraft {
  return {
    channel: 'call110', receivedAt: `2026-03-02T0${i}:00:00.000Z`, callerName: '张三', callerPhone: '13912345678', anonymous: false, confidential: false,
    address: `通达路 ${i} 号`, district: '兰山区', nature: 'help', category: 'utility.water', urgency: i % 2 ? 'urgent' : 'normal',
    description: `第 ${i} 起停水`, verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
    ...over,
  };
}

/**
 * A 110 desk with history: three cases recorded here; the hub has sequenced the first case's
 * events (and the sync has taken them off the outbox); 12345 acknowledged that case.
 */
async function busyDesk(): Promise<{ d: RelayDb; first: string }> {
  const d = db();
  await d.settings.put({ key: 'station', value: desk110 });
  const clock = steppingClock();
  const ctx = { station: desk110, now: clock };
  const a = await recordCommands(d, ctx, intakeCommands(draft(1), desk110, 'A-1', new Date(T0)));
  // the desk had pulled up to 7 when it recorded the rest: the hub judges those by it
  await d.settings.put({ key: CURSOR_KEY, value: '7' });
  await recordCommands(d, ctx, intakeCommands(draft(2, { verdict: 'police', transfer: null }), desk110, 'A-2', new Date(T0)));
  await recordCommands(d, ctx, intakeCommands(draft(3), desk110, 'A-3', new Date(T0)));
  await recordCommands(d, ctx, [{ caseId: a[0]!.caseId, type: 'case.noteAdded', payload: { text: '来电人再次来电' } }]);
  // the hub numbers the first case's three events; the sync takes them off the outbox
  await applyExternalEvents(d, a.map((event, i) => ({ event, hubSeq: 10 + i })));
  await d.transaction('rw', d.outbox, d.counters, async () => {
    await d.outbox.bulkDelete(a.map((e) => e.id));
    const row = await d.counters.get('outbox');
    await d.counters.put({ key: 'outbox', n: row!.n - a.length });
  });
  const ack = new CaseScript(T0, a[0]!.caseId).add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 20);
  await applyExternalEvents(d, [{ event: ack, hubSeq: 13 }]);
  return { d, first: a[0]!.caseId };
}

const withoutLseq = (rows: unknown[]) => (rows as Array<Record<string, unknown>>).map(({ lseq: _l, ...r }) => r);
const byKey = (rows: unknown[], key: string) => [...(rows as Array<Record<string, unknown>>)].sort((x, y) => String(x[key]).localeCompare(String(y[key])));

describe('export then import', () => {
  it('restores events, cases, counters, outbox, station and sequence into a fresh database', async () => {
    const { d: source } = await busyDesk();
    const file = await exportBackup(source, '0.1.0');
    expect(file).toMatchObject({ format: BACKUP_FORMAT, formatVersion: BACKUP_FORMAT_VERSION, appVersion: '0.1.0', station: desk110 });
    const text = JSON.stringify(file);
    const src = await dump(source);

    const target = db();
    const result = await importBackup(target, text);
    const dst = await dump(target);

    expect(result).toMatchObject({ added: src.events.length, alreadyHeld: 0, casesTouched: 3, stationRestored: true, requeued: src.outbox.length });
    // events: the same, with their hub numbers, in the same local order
    expect(withoutLseq(dst.events)).toEqual(withoutLseq(src.events));
    const order = (rows: unknown[]) => [...(rows as Array<{ id: string; lseq: number }>)].sort((x, y) => x.lseq - y.lseq).map((e) => e.id);
    expect(order(dst.events)).toEqual(order(src.events));
    // cases: identical rows
    expect(dst.cases).toEqual(src.cases);
    // outbox: the same unsent events, each with the pull cursor it was recorded at
    expect(byKey(dst.outbox, 'eventId').map((o) => [o.eventId, o.basis])).toEqual(byKey(src.outbox, 'eventId').map((o) => [o.eventId, o.basis]));
    expect(new Set(byKey(src.outbox, 'eventId').map((o) => o.basis))).toEqual(new Set(['7']));
    // counters: the same numbers (zeros aside), and right
    const nonZero = (rows: unknown[]) => byKey(rows, 'key').filter((r) => r.n !== 0);
    expect(nonZero(dst.counters)).toEqual(nonZero(src.counters));
    await expectCountersRight(target, expect);
    // station and its sequence
    expect((await target.settings.get('station'))?.value).toEqual(desk110);
    expect((await target.settings.get('station:seq'))?.value).toBe((await source.settings.get('station:seq'))?.value);

    // the restored desk goes on numbering after its last event
    const [next] = await recordCommands(target, { station: desk110 }, intakeCommands(draft(4), desk110, 'A-4', new Date(T0)));
    const restoredOwn = (src.events as Array<{ stationId: string; seq: number }>).filter((e) => e.stationId === desk110.stationId);
    expect(next!.seq).toBe(Math.max(...restoredOwn.map((e) => e.seq)) + 1);
  });

  it('the pull cursors of acknowledged events travel too: a restored desk sends them again, should the hub lose them, with what it knew', async () => {
    const source = db();
    await source.settings.put({ key: 'station', value: desk110 });
    await source.settings.put({ key: CURSOR_KEY, value: '23' });
    const events = await recordCommands(source, { station: desk110, now: steppingClock() }, intakeCommands(draft(1), desk110, 'A-1', new Date(T0)));
    const bases = Object.fromEntries((await source.outbox.toArray()).map((o) => [o.eventId, o.basis!]));
    await applyPushResponse(
      source,
      { results: events.map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: 40 + i })), gaps: [], contiguousSeq: events.length },
      desk110.stationId,
      [],
      bases,
    );
    await source.settings.put({ key: CURSOR_KEY, value: '88' });
    const file = await exportBackup(source, '0.1.0');
    expect(file.outbox).toEqual([]);
    expect(file.bases).toEqual(Object.fromEntries(events.map((e) => [e.id, '23'])));

    const target = db();
    await importBackup(target, JSON.stringify(file));
    expect(await acknowledgedBases(target, events.map((e) => e.id))).toEqual(new Map(events.map((e) => [e.id, '23'])));
    const acks = await target.hubAcks.count();
    // once: importing the file again adds nothing
    await importBackup(target, JSON.stringify(file));
    expect(await target.hubAcks.count()).toBe(acks);
    // the hub, rolled back, lacks them: the latest goes out again with the cursor it was recorded at
    const over = await startOverAfterHubRollback(target);
    expect(over.requeued).toBe(events.at(-1)!.id);
    expect((await target.outbox.toArray()).map((o) => o.basis)).toEqual(['23']);
  });

  it('importing the same file again changes nothing', async () => {
    const { d: source } = await busyDesk();
    const text = JSON.stringify(await exportBackup(source, '0.1.0'));
    const target = db();
    await importBackup(target, text);
    const once = await dump(target);
    const again = await importBackup(target, text);
    expect(again).toMatchObject({ added: 0, requeued: 0, casesTouched: 0, stationRestored: false });
    expect(again.alreadyHeld).toBe(once.events.length);
    expect(await dump(target)).toEqual(once);
  });

  it('importing a desk its own backup changes nothing', async () => {
    const { d } = await busyDesk();
    const before = await dump(d);
    const result = await importBackup(d, JSON.stringify(await exportBackup(d, '0.1.0')));
    expect(result).toMatchObject({ added: 0, requeued: 0, stationRestored: false });
    expect(await dump(d)).toEqual(before);
  });

  it("the station's sequence moves past its own imported events, never back", async () => {
    const { d: source } = await busyDesk();
    const text = JSON.stringify(await exportBackup(source, '0.1.0'));
    const maxSeq = (await source.settings.get('station:seq'))!.value as number;

    // a reinstalled desk: same station configured, nothing recorded
    const target = db();
    await target.settings.put({ key: 'station', value: desk110 });
    await importBackup(target, text);
    expect((await target.settings.get('station:seq'))?.value).toBe(maxSeq);
    const [e] = await recordCommands(target, { station: desk110 }, intakeCommands(draft(5), desk110, 'A-5', new Date(T0)));
    expect(e!.seq).toBe(maxSeq + 1);

    // a desk whose counter is already further on keeps it
    const ahead = db();
    await ahead.settings.bulkPut([{ key: 'station', value: desk110 }, { key: 'station:seq', value: maxSeq + 50 }]);
    await importBackup(ahead, text);
    expect((await ahead.settings.get('station:seq'))?.value).toBe(maxSeq + 50);
  });

  it("another station's backup adds its events but neither its station nor its outbox", async () => {
    const other = db();
    await other.settings.put({ key: 'station', value: desk12345 });
    await recordCommands(other, { station: desk12345, now: steppingClock() }, intakeCommands({ ...draft(6, { transfer: null }), channel: 'call12345' }, desk12345, 'H-1', new Date(T0)));
    const text = JSON.stringify(await exportBackup(other, '0.1.0'));

    const { d: mine } = await busyDesk();
    const seqBefore = (await mine.settings.get('station:seq'))?.value;
    const outboxBefore = await mine.outbox.toArray();
    const result = await importBackup(mine, text);
    expect(result).toMatchObject({ added: 1, stationRestored: false, requeued: 0 });
    expect((await mine.settings.get('station'))?.value).toEqual(desk110);
    expect((await mine.settings.get('station:seq'))?.value).toBe(seqBefore);
    expect(await mine.outbox.toArray()).toEqual(outboxBefore);
    expect(await mine.cases.count()).toBe(4);
    await expectCountersRight(mine, expect);
  });
});

describe('refused files change nothing', () => {
  async function refusedWith(text: string, message: RegExp, kind: new (...a: never[]) => Error = BackupFormatError): Promise<void> {
    const { d } = await busyDesk();
    const before: Dump = await dump(d);
    const error = await importBackup(d, text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(kind);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/[\u4e00-\u9fff]/);
    expect(await dump(d)).toEqual(before);
  }

  async function goodFile(): Promise<BackupFile> {
    const { d } = await busyDesk();
    return exportBackup(d, '0.1.0');
  }

  it('a JSON file that is not a backup', async () => {
    await refusedWith(JSON.stringify({ name: 'package', version: '1.0.0' }), /不是接转办工作台的备份文件/);
    await refusedWith('null', /不是接转办工作台的备份文件/);
    await refusedWith('[1,2,3]', /不是接转办工作台的备份文件/);
    await refusedWith('"relay-desk-backup"', /不是接转办工作台的备份文件/);
  });

  it('a file that is not JSON at all', async () => {
    await refusedWith('PK\u0003\u0004 这是一个压缩文件', /无法读取为 JSON/);
    await refusedWith('', /无法读取为 JSON/);
  });

  it('a backup from a newer version of the program', async () => {
    const file = await goodFile();
    await refusedWith(JSON.stringify({ ...file, formatVersion: BACKUP_FORMAT_VERSION + 1 }), /版本（2）比本程序新.*升级/);
  });

  it('a backup whose version is missing is called damaged, not newer', async () => {
    const { formatVersion: _v, ...rest } = await goodFile();
    await refusedWith(JSON.stringify(rest), /不完整或已损坏/);
  });

  it('a backup with its event list missing or mangled', async () => {
    const file = await goodFile();
    await refusedWith(JSON.stringify({ ...file, events: undefined }), /不完整或已损坏/);
    await refusedWith(JSON.stringify({ ...file, events: [1, 2] }), /不完整或已损坏/);
    await refusedWith(JSON.stringify({ ...file, outbox: 'x' }), /不完整或已损坏/);
  });

  it('a backup whose recorded pull cursors are not cursors (it would stop the desk sending)', async () => {
    const file = await goodFile();
    const [queued] = file.outbox;
    expect(file.bases?.[queued!]).toMatch(/^\d/);
    await refusedWith(JSON.stringify({ ...file, bases: { ...file.bases, [queued!]: 'x' } }), /不完整或已损坏/);
    await refusedWith(JSON.stringify({ ...file, bases: { [queued!]: 7 } }), /不完整或已损坏/);
    // a file without them (written before they were kept) is still read
    const target = db();
    const { bases: _b, ...older } = file;
    expect((await importBackup(target, JSON.stringify(older))).requeued).toBe(file.outbox.length);
    expect((await target.outbox.toArray()).every((o) => o.basis === undefined)).toBe(true);
  });

  it('a backup with one malformed event among good ones', async () => {
    const file = await goodFile();
    const events = structuredClone(file.events);
    const i = events.findIndex((e) => e.type === 'case.screened');
    (events[i]!.payload as Record<string, unknown>).verdict = '说不清';
    // into a fresh database: not even the good events before it are taken in
    const fresh = db();
    const error = await importBackup(fresh, JSON.stringify({ ...file, events })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`第 ${i + 1} 条记录无效`));
    expect((error as Error).message).toContain('甄别结论');
    expect(await dump(fresh)).toEqual({ events: [], cases: [], outbox: [], settings: [], counters: [] });
    // into a desk with data: nothing changes either
    await refusedWith(JSON.stringify({ ...file, events }), /条记录无效/, Error);
  });

  it('a backup that contradicts an event already held', async () => {
    const { d } = await busyDesk();
    const file = await exportBackup(d, '0.1.0');
    const events = structuredClone(file.events);
    events[0]!.operator = '冒名顶替';
    const before = await dump(d);
    await expect(importBackup(d, JSON.stringify({ ...file, events }))).rejects.toThrow(ConflictingEventError);
    expect(await dump(d)).toEqual(before);
  });
});

describe('parseBackup', () => {
  it('reads back what exportBackup wrote', async () => {
    const d = db();
    await recordCommands(d, { station: desk110 }, intakeCommands(draft(1), desk110, 'A-1', new Date(T0)));
    const file = await exportBackup(d, '9.9.9');
    expect(file.station).toBeNull();
    expect(file.outbox).toHaveLength(3);
    expect(file.events.map((e) => e.hubSeq)).toEqual([null, null, null]);
    expect(file.events.every((e) => !('lseq' in e))).toBe(true);
    expect(parseBackup(JSON.stringify(file))).toEqual(JSON.parse(JSON.stringify(file)));
  });

  it('a backup without a station is imported, and leaves the station unset', async () => {
    const src = db();
    const s = new CaseScript();
    s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345'), 0);
    s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: s.t(30), feedbackDueBy: s.t(600) }, 1);
    await applyExternalEvents(src, s.events.map((event, i) => ({ event, hubSeq: i + 1 })));
    const target = db();
    const result = await importBackup(target, JSON.stringify(await exportBackup(src, '0.1.0')));
    expect(result).toMatchObject({ added: 2, stationRestored: false, requeued: 0 });
    expect(await target.settings.get('station')).toBeUndefined();
    expect((await target.cases.get(s.caseId))?.status).toBe('assigned');
  });

  it('a file holding other hub numbers for events already held changes none of them, nor the case', async () => {
    const s = fullLifecycle();
    const d = db();
    await applyExternalEvents(d, s.events.map((event, i) => ({ event, hubSeq: i + 1 })));
    const before = await dump(d);
    // e.g. exported before the hub was restored from an older backup and numbered anew
    const file: BackupFile = {
      ...(await exportBackup(d, '0.1.0')),
      station: null,
    };
    file.events = file.events.map((e) => (e.id === s.events[3]!.id ? { ...e, hubSeq: 999 } : e));
    const result = await importBackup(d, JSON.stringify(file));
    expect(result).toMatchObject({ added: 0, sequenced: 0 });
    expect(await dump(d)).toEqual(before);
  });

  it('events the hub refused for good travel with the backup: restored as refused, not queued again, not folded in', async () => {
    const src = db();
    await src.settings.put({ key: 'station', value: desk110 });
    const events = await recordCommands(src, { station: desk110, now: steppingClock() }, intakeCommands(draft(1), desk110, '20260302-p110-0001', new Date(T0)));
    // the hub takes the creation and the screening, and refuses the transfer for good
    await applyPushResponse(src, {
      results: [
        { id: events[0]!.id, status: 'accepted', hubSeq: 1 },
        { id: events[1]!.id, status: 'accepted', hubSeq: 2 },
        { id: events[2]!.id, status: 'rejected', code: 'transition_refused', reason: '按本站所知，不能转办' },
      ],
      gaps: [],
      contiguousSeq: 2,
    }, desk110.stationId);
    const caseId = events[0]!.caseId;
    expect((await src.cases.get(caseId))?.status).not.toBe('transferred');
    const file = await exportBackup(src, '0.1.0');
    expect(file.rejected).toEqual([expect.objectContaining({ eventId: events[2]!.id, code: 'transition_refused' })]);

    // into the same desk: nothing changes
    const before = await dump(src);
    const again = await importBackup(src, JSON.stringify(file));
    expect(again.requeued).toBe(0);
    expect(await dump(src)).toEqual(before);
    expect(await src.rejected.count()).toBe(1);

    // into a fresh desk: the refusal is restored, counted, and the case folds without it
    const fresh = db();
    const restored = await importBackup(fresh, JSON.stringify(file));
    expect(restored.requeued).toBe(0);
    expect(await fresh.outbox.count()).toBe(0);
    expect((await fresh.rejected.get(events[2]!.id))?.reason).toBe('按本站所知，不能转办');
    expect((await fresh.counters.get(COUNTER.rejected))?.n).toBe(1);
    expect(await fresh.cases.get(caseId)).toEqual(await src.cases.get(caseId));
    await expectCountersRight(fresh, expect);
  });
});

describe('the recovery screen\'s rescue file', () => {
  it('is a backup: acknowledged numbers and recorded pull cursors put back, anything not a cursor left out; it imports', async () => {
    const source = db();
    await source.settings.put({ key: 'station', value: desk110 });
    await source.settings.put({ key: CURSOR_KEY, value: '23' });
    const events = await recordCommands(source, { station: desk110, now: steppingClock() }, intakeCommands(draft(1), desk110, 'A-1', new Date(T0)));
    const bases = Object.fromEntries((await source.outbox.toArray()).map((o) => [o.eventId, o.basis!]));
    // the first two acknowledged; the third still queued, its outbox row damaged in one field
    await applyPushResponse(
      source,
      { results: events.slice(0, 2).map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: 7 + i })), gaps: [], contiguousSeq: 2 },
      desk110.stationId,
      [],
      bases,
    );
    await source.outbox.update(events[2]!.id, { basis: 'not a cursor' });
    // what the recovery screen reads, store by store
    const stores: Record<string, unknown[]> = {};
    for (const table of source.tables) stores[table.name] = await table.toArray();
    const file = rescueFile(stores, [{ store: 'alerts', error: 'Internal error' }], '0.1.0');
    expect(file).toMatchObject({ format: BACKUP_FORMAT, formatVersion: BACKUP_FORMAT_VERSION, station: desk110, outbox: [events[2]!.id] });
    expect(file.events.map((e) => [e.id, e.hubSeq])).toEqual([...events.map((e, i) => [e.id, i < 2 ? 7 + i : null])].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    expect(file.bases).toEqual({ [events[0]!.id]: '23', [events[1]!.id]: '23' });
    expect(file.rescue.unreadable).toEqual([{ store: 'alerts', error: 'Internal error' }]);

    const target = db();
    const result = await importBackup(target, JSON.stringify(file));
    expect(result).toMatchObject({ added: 3, requeued: 1 });
    expect(await acknowledgedBases(target, events.map((e) => e.id))).toEqual(new Map(events.slice(0, 2).map((e) => [e.id, '23'])));
  });
});
