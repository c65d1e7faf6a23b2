import { afterEach, describe, expect, it } from 'vitest';
import {
  DomainError,
  HOTLINE_TARGET,
  intakeCommands,
  loadDefaultCatalogue,
  parseEvent,
  ULID_PATTERN,
  ValidationError,
  type IntakeDraft,
  type PayloadInput,
  type Station,
} from '../../../src-common/domain';
import { buildHandoverSheet, handoverPayload, maskSheet, readHandoverSheet } from '../../../src-common/reports';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { recordHandover } from '../../../src-renderer/src/store/record-handover';
import { H12345, P110, stationOf } from '../../domain/fixtures';
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

const NOW = new Date('2026-03-02T08:00:00.000Z');

function draft(): IntakeDraft {
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
    description: '小区停水，楼道积水，联系电话 13912345678',
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: true, note: '' },
  };
}

/** One case taken in and transferred by the 110 desk, then the sheet of that shift, masked, as the screen makes it. */
async function deskWithShift(d: RelayDb, station: Station = desk110) {
  const commands = intakeCommands(draft(), desk110, '20260302-p110-lanshan-0001', NOW);
  await recordCommands(d, { station: desk110, now: steppingClock() }, commands);
  const events = await d.events.toArray();
  const unsynced = new Set(await d.outbox.toCollection().primaryKeys());
  const sheet = buildHandoverSheet({
    station,
    shiftStart: '2026-03-01T20:00:00.000Z',
    shiftEnd: '2026-03-02T08:00:30.000Z',
    operators: [station.operator],
    events,
    unsyncedEventIds: unsynced,
    now: '2026-03-02T08:01:00.000Z',
    catalogue: loadDefaultCatalogue(),
  });
  return maskSheet({ ...sheet, notes: '水务抢修回电 13912345678 未接通' });
}

describe('recordHandover', () => {
  it('appends the event, its outbox row, the outbox counter and the station sequence together, touching no case', async () => {
    const d = db();
    const masked = await deskWithShift(d);
    const payload = handoverPayload(masked, { incoming: ['赵敏'], notes: masked.notes });
    const casesBefore = await d.cases.toArray();

    const event = await recordHandover(d, desk110, payload, () => new Date('2026-03-02T08:02:00.000Z'));

    expect(parseEvent(event)).toEqual(event);
    expect(event.type).toBe('shift.handover');
    expect(event.stationId).toBe(desk110.stationId);
    expect(event.operator).toBe('王强');
    expect(event.seq).toBe(4); // after created, screened, transferred
    expect(event.at).toBe('2026-03-02T08:02:00.000Z');
    expect(event.caseId).toMatch(ULID_PATTERN);
    expect(event.caseId).not.toBe(event.id);
    expect(casesBefore.some((c) => c.id === event.caseId)).toBe(false);

    const stored = (await d.events.get(event.id))!;
    expect(stored.hubSeq).toBeNull();
    expect(stored.lseq).toBe(4);
    expect((await d.outbox.get(event.id))?.lseq).toBe(4);
    expect((await d.settings.get('station:seq'))?.value).toBe(4);
    expect((await d.settings.get('local:lseq'))?.value).toBe(4);
    expect(await d.cases.toArray()).toEqual(casesBefore);
    await expectCountersRight(d, expect);
    expect((await d.counters.get('outbox'))?.n).toBe(4);

    // the stored sheet reads back as it was printed: masked, with the names and notes filled in
    const back = readHandoverSheet(stored.type === 'shift.handover' ? stored.payload.sheet : null);
    expect(back.masked).toBe(true);
    expect(back.counts).toEqual(masked.counts);
    expect(back.signatures.incoming.names).toEqual(['赵敏']);
    expect(back.notes).toBe('水务抢修回电 139****5678 未接通');
    expect(JSON.stringify(back)).not.toContain('13912345678');

    // the next case event continues the station's sequence
    const caseId = casesBefore[0]!.id;
    const next = await recordCommands(d, { station: desk110, now: steppingClock('2026-03-02T08:03:00.000Z') }, [
      { caseId, type: 'case.noteAdded', payload: { text: '已交班' } },
    ]);
    expect(next[0]!.seq).toBe(5);
  });

  it('shows up on the next sheet as a record not yet at the hub, belonging to no case', async () => {
    const d = db();
    const masked = await deskWithShift(d);
    const event = await recordHandover(d, desk110, handoverPayload(masked, {}), () => new Date('2026-03-02T08:02:00.000Z'));
    const next = buildHandoverSheet({
      station: desk110,
      shiftStart: '2026-03-02T08:00:30.000Z',
      shiftEnd: '2026-03-02T20:00:00.000Z',
      operators: ['赵敏'],
      events: await d.events.toArray(),
      unsyncedEventIds: new Set(await d.outbox.toCollection().primaryKeys()),
      now: '2026-03-02T20:00:00.000Z',
      catalogue: loadDefaultCatalogue(),
    });
    const group = next.unsynced.cases.find((g) => g.caseId === event.caseId)!;
    expect(group.caseNo).toBeNull();
    expect(group.events.map((e) => e.type)).toEqual(['shift.handover']);
    expect(next.unsynced.total).toBe(4);
  });

  it('writes nothing when the payload is malformed', async () => {
    const d = db();
    const masked = await deskWithShift(d);
    const before = await dump(d);
    const good = handoverPayload(masked, {});

    const noOutgoing: PayloadInput<'shift.handover'> = { ...good, outgoing: [] };
    await expect(recordHandover(d, desk110, noOutgoing)).rejects.toBeInstanceOf(ValidationError);
    const badTime: PayloadInput<'shift.handover'> = { ...good, shiftEnd: 'yesterday' };
    await expect(recordHandover(d, desk110, badTime)).rejects.toBeInstanceOf(ValidationError);
    const notASheet: PayloadInput<'shift.handover'> = { ...good, sheet: { version: 1, counts: {} } };
    await expect(recordHandover(d, desk110, notASheet)).rejects.toBeInstanceOf(ValidationError);

    expect(await dump(d)).toEqual(before);
  });

  it("refuses another station's sheet and writes nothing", async () => {
    const d = db();
    const theirs = await deskWithShift(d, desk12345);
    const before = await dump(d);
    await expect(recordHandover(d, desk110, handoverPayload(theirs, {}))).rejects.toBeInstanceOf(DomainError);
    expect(await dump(d)).toEqual(before);
  });
});
