/**
 * recordCommands writes its rows with put() and asks for the commit at once (write-and-commit.ts),
 * so it must check that the ids of the events it records are new: these tests choose the ids.
 */
import { IDBTransaction } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, ulid, type IntakeDraft, type Station } from '../../../src-common/domain';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { recordCommands } from '../../../src-renderer/src/store/record';
import type * as Domain from '../../../src-common/domain';
import { P110, stationOf } from '../../domain/fixtures';
import { dump, expectCountersRight, freshDb, steppingClock } from './helpers';

vi.mock('../../../src-common/domain', async (importOriginal) => {
  const domain = await importOriginal<typeof Domain>();
  return { ...domain, ulid: vi.fn(domain.ulid) };
});

const desk110: Station = stationOf(P110, 'police110', '王强');
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
    description: '小区停水，楼道积水',
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: true, note: '' },
  };
}

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  vi.restoreAllMocks();
  vi.mocked(ulid).mockReset();
});

describe('recordCommands: event ids', () => {
  it('asks IndexedDB to commit as soon as the writes of a save are issued', async () => {
    const d = db();
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    await recordCommands(d, { station: desk110, now: steppingClock() }, intakeCommands(draft(), desk110, 'A-1', NOW));
    expect(commit).toHaveBeenCalledTimes(1);
    expect(await d.events.count()).toBe(3);
    await expectCountersRight(d, expect);
  });

  it('refuses an event id the store holds already, and writes nothing', async () => {
    const d = db();
    const clock = steppingClock();
    const first = await recordCommands(d, { station: desk110, now: clock }, intakeCommands(draft(), desk110, 'A-1', NOW));
    const before = await dump(d);
    // the second save's middle event would get the id of the first save's last event
    vi.mocked(ulid).mockReturnValueOnce('01KJPXAAAAAAAAAAAAAAAAAAAA').mockReturnValueOnce(first[2]!.id);
    await expect(recordCommands(d, { station: desk110, now: clock }, intakeCommands(draft(), desk110, 'A-2', NOW))).rejects.toThrow(
      new RegExp(`event id not new: ${first[2]!.id}`),
    );
    expect(await dump(d)).toEqual(before);
  });

  it('refuses an id held in the outbox alone, and writes nothing', async () => {
    const d = db();
    await d.outbox.put({ eventId: '01KJPXBBBBBBBBBBBBBBBBBBBB', lseq: 99, queuedAt: NOW.toISOString() });
    const before = await dump(d);
    vi.mocked(ulid).mockReturnValueOnce('01KJPXBBBBBBBBBBBBBBBBBBBB');
    await expect(recordCommands(d, { station: desk110, now: steppingClock() }, intakeCommands(draft(), desk110, 'A-1', NOW))).rejects.toThrow(
      /event id not new: 01KJPXBBBBBBBBBBBBBBBBBBBB/,
    );
    expect(await dump(d)).toEqual(before);
  });

  it('refuses a batch that would give two events the same id, and writes nothing', async () => {
    const d = db();
    const before = await dump(d);
    vi.mocked(ulid).mockReturnValueOnce('01KJPXCCCCCCCCCCCCCCCCCCCC').mockReturnValueOnce('01KJPXCCCCCCCCCCCCCCCCCCCC');
    await expect(recordCommands(d, { station: desk110, now: steppingClock() }, intakeCommands(draft(), desk110, 'A-1', NOW))).rejects.toThrow(
      /event id not new: 01KJPXCCCCCCCCCCCCCCCCCCCC/,
    );
    expect(await dump(d)).toEqual(before);
  });
});
