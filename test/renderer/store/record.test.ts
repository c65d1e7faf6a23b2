import { afterEach, describe, expect, it } from 'vitest';
import {
  DomainError,
  foldCase,
  HOTLINE_TARGET,
  intakeCommands,
  parseEvent,
  ValidationError,
  type Command,
  type IntakeDraft,
  type RelayEvent,
  type Station,
} from '../../../src-common/domain';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { toCaseState } from '../../../src-renderer/src/store/projection';
import { AUTO_CASE_NO, nextCaseNo, recordCommands } from '../../../src-renderer/src/store/record';
import { H12345, P110, stationOf, TO_WATER, WATER } from '../../domain/fixtures';
import { dump, expectCountersRight, freshDb, steppingClock } from './helpers';

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

function draft(over: Partial<IntakeDraft> = {}): IntakeDraft {
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
    urgency: 'normal',
    description: '小区停水，楼道积水',
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: true, note: '' },
    ...over,
  };
}

const NOW = new Date('2026-03-02T08:00:00.000Z');

describe('recordCommands', () => {
  it('writes each event, the case, the outbox rows, the counters and the sequence together', async () => {
    const d = db();
    const commands = intakeCommands(draft(), desk110, '20260302-p110-lanshan-0001', NOW);
    const events = await recordCommands(d, { station: desk110, now: steppingClock() }, commands);

    expect(events.map((e) => e.type)).toEqual(['case.created', 'case.screened', 'case.transferred']);
    for (const e of events) expect(parseEvent(e)).toEqual(e); // what it returns is a valid event
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.stationId === desk110.stationId && e.operator === '王强')).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);

    const stored = await d.events.orderBy('lseq').toArray();
    expect(stored.map(({ hubSeq: _h, lseq: _l, ...e }) => e)).toEqual(events);
    expect(stored.map((e) => [e.lseq, e.hubSeq])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);

    const outbox = await d.outbox.orderBy('lseq').toArray();
    expect(outbox.map((o) => o.eventId)).toEqual(events.map((e) => e.id));

    const row = (await d.cases.get(events[0]!.caseId))!;
    expect(row.status).toBe('transferred');
    expect(row.ownerId).toBe(desk110.stationId);
    expect(row.dueKey).toBe(row.dueAt);
    expect(row.terms).toEqual(expect.arrayContaining(['20260302-p110-lanshan-0001', '13912345678', '停水']));
    // the row kept by recording equals the case replayed from the stored events
    expect(toCaseState(row)).toEqual(foldCase(stored));

    await expectCountersRight(d, expect);
    expect(await d.counters.get('cases:status:transferred')).toEqual({ key: 'cases:status:transferred', n: 1 });
    expect((await d.settings.get('station:seq'))?.value).toBe(3);
  });

  it('returns nothing and writes nothing for an empty batch', async () => {
    const d = db();
    const before = await dump(d);
    expect(await recordCommands(d, { station: desk110 }, [])).toEqual([]);
    expect(await dump(d)).toEqual(before);
  });

  it('a DomainError in the third command of a batch leaves nothing written', async () => {
    const d = db();
    const clock = steppingClock();
    const first = await recordCommands(d, { station: desk110, now: clock }, intakeCommands(draft(), desk110, 'A-1', NOW));
    const before = await dump(d);

    const caseId = first[0]!.caseId;
    const fresh = intakeCommands(draft({ transfer: null }), desk110, 'A-2', NOW);
    const batch: Command[] = [
      fresh[0]!, // a new case...
      { caseId, type: 'case.noteAdded', payload: { text: '来电人补充门牌号' } }, // ...a note on the existing one...
      { caseId, type: 'case.feedback', payload: { result: 'resolved', text: '已处理', station: WATER } }, // ...and an illegal step
    ];
    await expect(recordCommands(d, { station: desk110, now: clock }, batch)).rejects.toThrow(DomainError);
    expect(await dump(d)).toEqual(before);
  });

  it('a ValidationError in the third command of a batch leaves nothing written', async () => {
    const d = db();
    const clock = steppingClock();
    await recordCommands(d, { station: desk110, now: clock }, intakeCommands(draft(), desk110, 'A-1', NOW));
    const before = await dump(d);
    const [created, screened] = intakeCommands(draft({ transfer: null }), desk110, 'A-2', NOW);
    const bad: Command = { caseId: created!.caseId, type: 'case.noteAdded', payload: { text: '   ' } };
    const error = await recordCommands(d, { station: desk110, now: clock }, [created!, screened!, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/备注不能为空/);
    expect(await dump(d)).toEqual(before);
  });

  it('a refused batch does not use up sequence numbers: they stay consecutive per station', async () => {
    const d = db();
    const clock = steppingClock();
    const ctx = { station: desk12345, now: clock };
    const all: RelayEvent[] = [];
    const a = intakeCommands({ ...draft({ transfer: null }), channel: 'call12345' }, desk12345, 'H-1', NOW);
    all.push(...(await recordCommands(d, ctx, a)));
    const caseId = a[0]!.caseId;
    await expect(recordCommands(d, ctx, [{ caseId, type: 'case.closed', payload: {} }])).rejects.toThrow(DomainError);
    all.push(...(await recordCommands(d, ctx, [{ caseId, type: 'case.assigned', payload: { lead: TO_WATER, ackDueBy: '2026-03-02T09:00:00.000Z', feedbackDueBy: '2026-03-03T08:00:00.000Z' } }])));
    await expect(recordCommands(d, ctx, [{ caseId: 'not-a-case', type: 'case.urged', payload: { text: '催办' } }])).rejects.toThrow(ValidationError);
    all.push(...(await recordCommands(d, ctx, [{ caseId, type: 'case.urged', payload: { text: '请尽快签收' } }, { caseId, type: 'case.noteAdded', payload: { text: '已电话催促' } }])));
    const b = intakeCommands({ ...draft({ transfer: null }), channel: 'call12345' }, desk12345, 'H-2', NOW);
    all.push(...(await recordCommands(d, ctx, b)));

    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const stored = await d.events.where('[stationId+seq]').between([desk12345.stationId, 0], [desk12345.stationId, Infinity]).toArray();
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(stored.map((e) => e.lseq)).toEqual([1, 2, 3, 4, 5]);
    expect((await d.cases.get(caseId))!.urgeCount).toBe(1);
    await expectCountersRight(d, expect);
  });

  it('batches recorded at the same time still get unique, consecutive numbers', async () => {
    const d = db();
    const batches = Array.from({ length: 8 }, (_, i) => intakeCommands(draft({ urgency: i % 2 ? 'urgent' : 'normal' }), desk110, `C-${i}`, NOW));
    const results = await Promise.all(batches.map((b) => recordCommands(d, { station: desk110 }, b)));
    const seqs = results.flat().map((e) => e.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    // within a batch the numbers are consecutive
    for (const r of results) expect(r.map((e) => e.seq)).toEqual([r[0]!.seq, r[0]!.seq + 1, r[0]!.seq + 2]);
    const lseqs = (await d.events.toArray()).map((e) => e.lseq).sort((x, y) => x - y);
    expect(lseqs).toEqual(seqs);
    expect(await d.cases.count()).toBe(8);
    expect((await d.counters.get('cases:urgentOpen'))?.n).toBe(4);
    await expectCountersRight(d, expect);
  });

  it('keeps the counters right as cases move through their statuses', async () => {
    const d = db();
    const clock = steppingClock();
    const ctx = { station: desk110, now: clock };
    const police = intakeCommands(draft({ verdict: 'police', transfer: null, urgency: 'urgent' }), desk110, 'P-1', NOW);
    await recordCommands(d, ctx, police);
    await expectCountersRight(d, expect);
    expect((await d.counters.get('cases:urgentOpen'))?.n).toBe(1);
    expect((await d.counters.get('cases:status:police'))?.n).toBe(1);

    await recordCommands(d, ctx, [{ caseId: police[0]!.caseId, type: 'case.closed', payload: { summary: '已出警处置' } }]);
    await expectCountersRight(d, expect);
    expect((await d.counters.get('cases:urgentOpen'))?.n).toBe(0);
    expect((await d.counters.get('cases:status:police'))?.n).toBe(0);
    expect((await d.counters.get('cases:status:closed'))?.n).toBe(1);

    await recordCommands(d, ctx, [{ caseId: police[0]!.caseId, type: 'case.reopened', payload: { reason: '再次报警' } }]);
    await expectCountersRight(d, expect);
    expect((await d.counters.get('cases:urgentOpen'))?.n).toBe(1);

    // several cases in one batch
    const x = intakeCommands(draft(), desk110, 'P-2', NOW);
    const y = intakeCommands(draft({ verdict: 'mixed', verdictReason: '有纠纷', transfer: null }), desk110, 'P-3', NOW);
    await recordCommands(d, ctx, [...x, ...y]);
    await expectCountersRight(d, expect);
    expect((await d.counters.get('cases:total'))?.n).toBe(3);
    expect((await d.counters.get('outbox'))?.n).toBe(2 + 1 + 1 + 3 + 2);
  });

  it('folds each command on top of the one before in the same batch', async () => {
    const d = db();
    const [created] = intakeCommands({ ...draft({ transfer: null }), channel: 'call12345' }, desk12345, 'H-9', NOW);
    const caseId = created!.caseId;
    await recordCommands(d, { station: desk12345, now: steppingClock() }, [
      created!,
      { caseId, type: 'case.assigned', payload: { lead: TO_WATER, ackDueBy: '2026-03-02T09:00:00.000Z', feedbackDueBy: '2026-03-03T08:00:00.000Z' } },
      { caseId, type: 'case.urged', payload: { text: '请尽快签收' } },
    ]);
    const row = (await d.cases.get(caseId))!;
    expect(row).toMatchObject({ status: 'assigned', department: 'water', urgeCount: 1, eventCount: 3, ownerId: desk12345.stationId, dueKey: '2026-03-02T09:00:00.000Z' });
  });
});

describe('nextCaseNo', () => {
  it('counts per station per day, from 1, without gaps or repeats', async () => {
    const d = db();
    // Beijing-time days: 09:00 on 2 March, 00:05 on 3 March, 23:59 on 2 March
    const day1 = new Date('2026-03-02T01:00:00Z');
    const day2 = new Date('2026-03-02T16:05:00Z');
    const first = await Promise.all(Array.from({ length: 5 }, () => nextCaseNo(d, desk110, day1)));
    expect([...first].sort()).toEqual([1, 2, 3, 4, 5].map((n) => `20260302-${desk110.stationId}-000${n}`));
    expect(await nextCaseNo(d, desk110, day2)).toBe(`20260303-${desk110.stationId}-0001`);
    expect(await nextCaseNo(d, desk110, new Date('2026-03-02T15:59:00Z'))).toBe(`20260302-${desk110.stationId}-0006`);
  });
});

describe('case numbers allocated inside the save', () => {
  it('numbers cases of the day in order, and a refused save uses no number', async () => {
    const d = db();
    const clock = steppingClock('2026-03-02T08:00:00.000Z');
    const save = (over: Partial<IntakeDraft> = {}) =>
      recordCommands(d, { station: desk110, now: clock }, intakeCommands(draft(over), desk110, AUTO_CASE_NO, new Date('2026-03-02T08:00:00.000Z')));
    const first = await save();
    await expect(save({ description: '' })).rejects.toThrow(ValidationError);
    const second = await save();
    const numbers = [first, second].map((events) => (events[0] as RelayEvent<'case.created'>).payload.caseNo);
    const day = new Date('2026-03-02T08:00:00.000Z');
    const ymd = `${day.getFullYear()}${String(day.getMonth() + 1).padStart(2, '0')}${String(day.getDate()).padStart(2, '0')}`;
    expect(numbers).toEqual([`${ymd}-${desk110.stationId}-0001`, `${ymd}-${desk110.stationId}-0002`]);
    // nextCaseNo continues from the same counter
    expect(await nextCaseNo(d, desk110, day)).toBe(`${ymd}-${desk110.stationId}-0003`);
  });
});
