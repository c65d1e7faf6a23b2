/**
 * The desk takes the calendar years loaded at the hub (sync/calendar-sync.ts, app/rules.ts):
 * against the real hub over real HTTP, on a desk store in fake-indexeddb. A changed year
 * replaces the desk's, kept across a restart; nothing new writes nothing; a bad answer changes
 * nothing and is noted; an older hub without the endpoint is left alone.
 */
import { afterAll, beforeAll, beforeEach, expect, it, describe } from 'vitest';
import { parseCalendarYear } from '../../../src-common/domain';
import { API_PREFIX } from '../../../src-common/protocol/v1';
import { loadCalendarYear } from '../../../src-hub/calendar/calendar-years';
import { addCalendarYear, calendarYearOrigin, hubCalendarState, loadRules, workCalendar } from '../../../src-renderer/src/app/rules';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { syncCalendar } from '../../../src-renderer/src/sync/calendar-sync';
import { createHubClient, HubError } from '../../../src-renderer/src/sync/hub-client';
import { startHub, type Hub } from '../../hub/helpers/hub-harness';
import { draftYear2027 } from '../../support/calendar-years';
import { dump, freshDb } from '../store/helpers';

describe('a desk takes the calendar years loaded at the hub', () => {
  let hub: Hub;
  let token: string;
  let db: RelayDb;

  beforeAll(async () => {
    hub = await startHub('pglite');
    token = await hub.register({ stationId: 'cal-p110', name: '兰山110接警台', role: 'police110', district: '兰山区' });
  }, 120_000);
  afterAll(async () => hub?.close());
  beforeEach(async () => {
    db = freshDb();
    await loadRules(db);
  });

  const client = (fetchImpl?: typeof fetch) => createHubClient({ baseUrl: hub.url, token, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  /** the hub's answer to /calendar replaced (status, body); every other request goes through */
  const answering = (status: number, body: unknown): typeof fetch => (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input).includes(`${API_PREFIX}/calendar`)) return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    return fetch(input, init);
  }) as typeof fetch;

  it('takes a year loaded at the hub, keeps it across a restart, and writes nothing when nothing is new', async () => {
    expect(workCalendar().yearStatus(2027)).toBe('provisional');
    // provisional 2027: 5 October is an ordinary Tuesday
    expect(workCalendar().isWorkingDay('2027-10-05')).toBe(true);
    const first = await syncCalendar(db, client());
    expect(first).toMatchObject({ changed: [] });

    const { revision } = await loadCalendarYear(hub.db, draftYear2027(), '张管理');
    const taken = await syncCalendar(db, client());
    expect(taken).toEqual({ revision, changed: [2027] });
    expect(workCalendar().isWorkingDay('2027-10-05')).toBe(false);
    expect(workCalendar().dayInfo('2027-10-09')).toMatchObject({ working: true, kind: 'makeupWorkday', name: '国庆节' });
    expect(calendarYearOrigin(2027)).toMatchObject({ from: 'hub', revision });
    expect(await hubCalendarState(db)).toMatchObject({ revision, error: null });

    // the desk restarts: the year is read back from its store
    await loadRules(freshDb());
    expect(workCalendar().isWorkingDay('2027-10-05')).toBe(true);
    await loadRules(db);
    expect(workCalendar().isWorkingDay('2027-10-05')).toBe(false);
    expect(calendarYearOrigin(2027)?.from).toBe('hub');

    // nothing new at the hub: not a row written
    const before = await dump(db);
    expect(await syncCalendar(db, client())).toEqual({ revision, changed: [] });
    expect(await dump(db)).toEqual(before);
  });

  it('a correction at the hub replaces a year loaded at the desk; the same schedule is not taken twice', async () => {
    const local = draftYear2027('本站载入：2027 年安排（虚构）');
    await addCalendarYear(db, local);
    expect(calendarYearOrigin(2027)?.from).toBe('desk');
    const corrected = { ...draftYear2027('测试用：2027 年安排（虚构，中心更正版）'), makeupWorkdays: [{ date: '2027-10-10', for: '国庆节' }] };
    const { revision } = await loadCalendarYear(hub.db, corrected, '张管理');
    const taken = await syncCalendar(db, client());
    expect(taken.changed).toEqual([2027]);
    expect(workCalendar().years().find((y) => y.year === 2027)).toEqual(parseCalendarYear(corrected));
    expect(workCalendar().isWorkingDay('2027-10-09')).toBe(false);
    expect(workCalendar().isWorkingDay('2027-10-10')).toBe(true);
    expect(calendarYearOrigin(2027)).toMatchObject({ from: 'hub', revision });

    // another desk that loaded exactly the hub's schedule itself: nothing changes there
    const other = freshDb();
    await loadRules(other);
    await addCalendarYear(other, corrected);
    expect((await syncCalendar(other, client())).changed).toEqual([]);
    expect(calendarYearOrigin(2027)?.from).toBe('desk');
    expect(await hubCalendarState(other)).toMatchObject({ revision });
  });

  it('a hub behind the desk (another hub, or one restored) is asked again from the start', async () => {
    const hub2 = await startHub('pglite');
    try {
      const token2 = await hub2.register({ stationId: 'cal-p110', name: '兰山110接警台', role: 'police110', district: '兰山区' });
      await syncCalendar(db, client());
      const held = (await hubCalendarState(db)).revision;
      expect(held).toBeGreaterThan(1);
      const { revision } = await loadCalendarYear(hub2.db, draftYear2027('测试用：另一中心的 2027 年安排（虚构）'), '王管理');
      expect(revision).toBeLessThan(held);
      const taken = await syncCalendar(db, createHubClient({ baseUrl: hub2.url, token: token2 }));
      expect(taken).toEqual({ revision, changed: [2027] });
      expect(workCalendar().years().find((y) => y.year === 2027)?.source).toBe('测试用：另一中心的 2027 年安排（虚构）');
    } finally {
      await hub2.close();
    }
  });

  it('a year that fails the calendar checks is not taken: the calendar stays, the reason is kept, the round goes on', async () => {
    await syncCalendar(db, client());
    const before = workCalendar().years();
    const revision = (await hubCalendarState(db)).revision;
    const bad = { ...draftYear2027(), makeupWorkdays: [{ date: '2027-10-11', for: '国庆节' }] };
    const result = await syncCalendar(db, client(answering(200, { revision: revision + 1, years: [bad] })));
    expect(result.changed).toEqual([]);
    expect(result.error).toContain('市级中心下发的工作日历未被采用');
    expect(result.error).toContain('调休上班日 2027-10-11 是周一');
    expect(workCalendar().years()).toEqual(before);
    expect(await hubCalendarState(db)).toMatchObject({ revision, error: result.error });
    // the hub's good answer clears the note
    await syncCalendar(db, client());
    expect((await hubCalendarState(db)).error).toBeNull();
  });

  it('an older hub without the calendar is left alone; network trouble fails the round as any request does', async () => {
    const before = await dump(db);
    const old = await syncCalendar(db, client(answering(404, { error: { code: 'not_found', message: '没有这个接口：GET /api/v1/calendar' } })));
    expect(old).toMatchObject({ unsupported: true, changed: [] });
    expect(await dump(db)).toEqual(before);
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    const error = await syncCalendar(db, client(down)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).retryable).toBe(true);
    expect(await dump(db)).toEqual(before);
  });
});
