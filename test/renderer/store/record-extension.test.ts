/**
 * The extension rules at the desk's store: a request or a grant past the cap (10 working days
 * from the assignment for a normal item), or a second extension, is refused and nothing is
 * written. With the desk's own limits (what its screens showed) the cap is exact; without, the
 * store holds to the hub's coarser check (EXTENSION_CAP_SLACK_DAYS past the shipped calendar's).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  computeDeadlines,
  defaultCalendar,
  defaultTimeLimitRules,
  DomainError,
  endOfChinaDay,
  type Command,
} from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { toCaseState } from '../../../src-renderer/src/store/projection';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { CaseScript, createdPayload, H12345, stationOf, TO_WATER, WATER } from '../../domain/fixtures';
import { dump, freshDb } from './helpers';

const rules = defaultTimeLimitRules();
const calendar = defaultCalendar();
const limits = { rules, calendar };
const china = (s: string): string => new Date(`${s.replace(' ', 'T')}:00+08:00`).toISOString();
const endOf = (date: string): string => new Date(endOfChinaDay(date)).toISOString();
const waterDesk = stationOf(WATER, 'unit', '刘师傅');
// a supervisor decides (12345's own desk would need its seq counter to follow the scripted events)
const supervisorDesk = stationOf({ stationId: 'sup-lanshan', name: '兰山区值班长' }, 'supervisor', '赵值班长');

const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

/** A water desk holding an item 12345 assigned to it on 2026-02-13 17:00 (cap: 2026-03-05), acknowledged. */
async function acknowledgedAtWater(): Promise<{ db: RelayDb; caseId: string }> {
  const db = freshDb();
  opened.push(db);
  const s = new CaseScript(Date.parse(china('2026-02-13 17:00')));
  s.add(H12345, 'case.created', createdPayload(H12345, 'hotline12345', { receivedAt: s.t(0) }), 0);
  const d = computeDeadlines(rules, calendar, { kind: 'assignment', at: s.t(1), urgency: 'normal', nature: 'help' });
  s.add(H12345, 'case.assigned', { lead: TO_WATER, ackDueBy: d.ackDueBy, feedbackDueBy: d.feedbackDueBy! }, 1);
  await applyExternalEvents(db, s.events.map((event, i) => ({ event, hubSeq: i + 1 })));
  await recordCommands(db, { station: waterDesk }, [{ caseId: s.caseId, type: 'case.acknowledged', payload: { of: 'assignment', station: WATER } }]);
  return { db, caseId: s.caseId };
}

const request = (caseId: string, until: string): Command => ({ caseId, type: 'case.extensionRequested', payload: { reason: '需更换主管道', until } });

describe('extensions at the desk', () => {
  it('holds a request to the cap the desk showed, and writes nothing when refused', async () => {
    const { db, caseId } = await acknowledgedAtWater();
    const before = await dump(db);
    await expect(recordCommands(db, { station: waterDesk, limits }, [request(caseId, endOf('2026-03-06'))])).rejects.toThrow(
      new DomainError('延期后的时限不能晚于 2026-03-05 23:59（自派单起不超过 10 个工作日）'),
    );
    expect(await dump(db)).toEqual(before);
    await recordCommands(db, { station: waterDesk, limits }, [request(caseId, endOf('2026-03-05'))]);
    expect(toCaseState((await db.cases.get(caseId))!).extension).toMatchObject({ requestedUntil: endOf('2026-03-05'), granted: null });
  });

  it('without the desk limits, refuses only what no calendar allows, as the hub does', async () => {
    const { db, caseId } = await acknowledgedAtWater();
    const before = await dump(db);
    await expect(recordCommands(db, { station: waterDesk }, [request(caseId, endOf('2026-04-30'))])).rejects.toThrow(/远超上限/);
    expect(await dump(db)).toEqual(before);
    await recordCommands(db, { station: waterDesk }, [request(caseId, endOf('2026-03-06'))]);
    expect((await db.outbox.count()) - before.outbox.length).toBe(1);
  });

  it('a grant past the cap is refused; after one granted extension a second request is refused', async () => {
    const { db, caseId } = await acknowledgedAtWater();
    await recordCommands(db, { station: waterDesk, limits }, [request(caseId, endOf('2026-03-04'))]);
    // a supervisor decides (its desk holds the same case: the events are taken in as pulled)
    const supervisorDb = freshDb();
    opened.push(supervisorDb);
    const all = (await db.events.orderBy('lseq').toArray()).map((event, i) => ({ event, hubSeq: i + 1 }));
    await applyExternalEvents(supervisorDb, all);
    const grant = (until: string): Command => ({ caseId, type: 'case.extensionDecided', payload: { granted: true, until, reason: '' } });
    await expect(recordCommands(supervisorDb, { station: supervisorDesk, limits }, [grant(endOf('2026-03-09'))])).rejects.toThrow(/不能晚于 2026-03-05/);
    const [granted] = await recordCommands(supervisorDb, { station: supervisorDesk, limits }, [grant(endOf('2026-03-04'))]);
    expect(toCaseState((await supervisorDb.cases.get(caseId))!).assignment?.feedbackDueBy).toBe(endOf('2026-03-04'));
    // back at the water desk: its own events numbered by the hub, the grant pulled after them
    await applyExternalEvents(db, [...all, { event: granted!, hubSeq: all.length + 1 }], undefined, { hubNumbers: true });
    expect(toCaseState((await db.cases.get(caseId))!).extension).toMatchObject({ granted: true });
    const before = await dump(db);
    await expect(recordCommands(db, { station: waterDesk, limits }, [request(caseId, endOf('2026-03-05'))])).rejects.toThrow(new DomainError('已延期 1 次，不能再延期'));
    await expect(recordCommands(db, { station: waterDesk }, [request(caseId, endOf('2026-03-05'))])).rejects.toThrow(new DomainError('已延期 1 次，不能再延期'));
    expect(await dump(db)).toEqual(before);
  });
});
