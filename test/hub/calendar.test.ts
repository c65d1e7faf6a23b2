/**
 * Calendar years loaded once at the hub and handed to every station (GET /api/v1/calendar):
 * appended, never edited; a bad year refused whole; the same year loaded twice changes
 * nothing; the hub judges extensions on them. The CLI loads and lists them, straight on the
 * database and through the admin API. Real HTTP against the real app, on each driver.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  calendarWith,
  defaultCalendar,
  defaultTimeLimitRules,
  EXTENSION_CAP_SLACK_DAYS,
  extensionLimit,
  parseCalendarYear,
  type RelayEvent,
  type WorkCalendar,
} from '../../src-common/domain';
import { CalendarResponseSchema, ErrorBodySchema } from '../../src-common/protocol/v1';
import { calendarFor, type CalendarLoad } from '../../src-hub/calendar/calendar-years';
import { runCalendarCli } from '../../src-hub/cli/calendar-commands';
import { draftYear2027, longHoliday2026 } from '../support/calendar-years';
import { Desk, toDepartment, toHotline } from './helpers/desk';
import { describeEachDriver, freshLocation } from './helpers/drivers';
import { ADMIN_TOKEN, pullAll, push, pushKnowing, request, startHub, type Hub } from './helpers/hub-harness';

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCalendarCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describeEachDriver('calendar years loaded at the hub', (driver) => {
  let hub: Hub;
  const p110 = Desk.of('c-p110', 'police110', '兰山区');
  const hotline = Desk.of('c-h12345', 'hotline12345', '全市');
  const water = Desk.of('c-water', 'unit', '兰山区', 'water');

  beforeAll(async () => {
    hub = await startHub(driver);
    for (const d of [p110, hotline, water]) d.token = await hub.register(d.info);
  }, 120_000);
  afterAll(async () => hub?.close());

  const admin = (method: string, path: string, body?: unknown) => request(hub.url, method, `/admin/calendar${path}`, { token: ADMIN_TOKEN, body });
  const stationCalendar = async (token: string, after?: string) => {
    const res = await request(hub.url, 'GET', `/calendar${after === undefined ? '' : `?after=${after}`}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return CalendarResponseSchema.parse(res.body);
  };
  const loadRows = async () => Number((await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM calendar_years'))[0]!.n);

  it('hands nothing before a load; only stations may ask, only the administrator may load', async () => {
    expect(await stationCalendar(p110.token)).toEqual({ revision: 0, years: [] });
    expect((await request(hub.url, 'GET', '/calendar')).status).toBe(401);
    const asStation = await request(hub.url, 'POST', '/admin/calendar', { token: p110.token, body: draftYear2027() });
    expect(asStation.status).toBe(401);
    expect(await loadRows()).toBe(0);
    const badAfter = await request(hub.url, 'GET', '/calendar?after=abc', { token: p110.token });
    expect(badAfter.status).toBe(400);
    expect(ErrorBodySchema.parse(badAfter.body).error.code).toBe('invalid_revision');
  });

  it('a loaded year reaches every station; asked again from its revision, nothing new', async () => {
    const loaded = await admin('POST', '?by=%E5%BC%A0%E7%AE%A1%E7%90%86', draftYear2027());
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(201);
    const { revision, unchanged, year } = loaded.body as { revision: number; unchanged: boolean; year: number };
    expect(year).toBe(2027);
    expect(unchanged).toBe(false);
    expect(revision).toBeGreaterThan(0);
    for (const d of [p110, hotline, water]) {
      const answer = await stationCalendar(d.token, '0');
      expect(answer.revision).toBe(revision);
      expect(answer.years).toEqual([parseCalendarYear(draftYear2027())]);
    }
    expect(await stationCalendar(p110.token, String(revision))).toEqual({ revision, years: [] });

    // the same year again changes nothing: no row, no new revision
    const again = await admin('POST', '', draftYear2027());
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ year: 2027, revision, unchanged: true });
    expect(await loadRows()).toBe(1);
  });

  it('a bad year is refused whole with a plain reason, and nothing is appended', async () => {
    const before = await loadRows();
    const bad = { ...draftYear2027(), makeupWorkdays: [{ date: '2027-10-11', for: '国庆节' }] };
    const res = await admin('POST', '', bad);
    expect(res.status).toBe(400);
    const error = ErrorBodySchema.parse(res.body).error;
    expect(error.code).toBe('invalid_calendar');
    expect(error.message).toContain('调休上班日 2027-10-11 是周一');
    for (const body of [undefined, [], { schema: 1, year: 2027 }]) {
      const r = await admin('POST', '', body);
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
    expect(await loadRows()).toBe(before);
  });

  it('a corrected year is appended: stations get the correction alone, the history keeps both', async () => {
    const first = await stationCalendar(p110.token);
    const corrected = draftYear2027('测试用：2027 年安排（虚构，更正版）');
    const res = await admin('POST', '', corrected);
    expect(res.status).toBe(201);
    const { revision } = res.body as { revision: number };
    expect(revision).toBeGreaterThan(first.revision);
    const answer = await stationCalendar(p110.token, String(first.revision));
    expect(answer).toEqual({ revision, years: [parseCalendarYear(corrected)] });

    const history = await admin('GET', '');
    expect(history.status).toBe(200);
    const loads = (history.body as { loads: CalendarLoad[] }).loads;
    expect(loads.map((l) => [l.year, l.inForce, l.source])).toEqual([
      [2027, true, corrected.source],
      [2027, false, draftYear2027().source],
    ]);
    expect(loads[1]!.loadedBy).toBe('张管理');
  });

  it('the hub judges extensions on the years loaded at it', async () => {
    const c = p110.created('自来水主管道爆裂，路面积水');
    const caseId = c.caseId;
    const sent = await push(hub.url, p110.token, [c, p110.screened(caseId), p110.transferred(caseId, toHotline())]);
    expect(sent.body.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const acknowledged = hotline.acknowledged(caseId, 'transfer');
    const assigned = hotline.assigned(caseId, toDepartment('water'));
    const handed = (await pushKnowing(hub.url, hotline.token, [acknowledged, assigned])).body.results;
    expect(handed.map((r) => r.status), JSON.stringify(handed)).toEqual([
      'accepted',
      'accepted',
    ]);
    const knows = (await pullAll(hub.url, water.token, '0')).cursor;
    const sendWater = async (events: RelayEvent[]) => (await push(hub.url, water.token, events, Object.fromEntries(events.map((e) => [e.id, knows])))).body.results;
    expect((await sendWater([water.acknowledged(caseId, 'assignment')])).map((r) => r.status)).toEqual(['accepted']);

    // a date within the cap the loaded 2026 gives, but past the shipped calendar's cap and its slack
    const rules = defaultTimeLimitRules();
    const limitOn = (calendar: WorkCalendar) =>
      Date.parse(extensionLimit(rules, calendar, { assignedAt: assigned.at, urgency: 'normal', nature: 'help' }).maxUntil!);
    const loadedCalendar = calendarWith([longHoliday2026()]);
    const shippedCap = limitOn(defaultCalendar());
    const loadedCap = limitOn(loadedCalendar);
    const until = new Date(shippedCap + (EXTENSION_CAP_SLACK_DAYS + 3) * 86_400_000).toISOString();
    expect(Date.parse(until)).toBeLessThanOrEqual(loadedCap);

    const early = water.extensionRequested(caseId, until);
    const [refused] = await sendWater([early]);
    expect(refused).toMatchObject({ status: 'rejected', code: 'transition_refused' });

    expect((await admin('POST', '', longHoliday2026())).status).toBe(201);
    expect(calendarFor(hub.db).yearStatus(2026)).toBe('official');
    expect(calendarFor(hub.db).isWorkingDay('2026-03-10')).toBe(false);
    const later = water.extensionRequested(caseId, until);
    expect((await sendWater([later])).map((r) => r.status)).toEqual(['accepted']);
  });

  it('the CLI loads a file and lists the history, on the database and through the admin API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-calendar-'));
    const file = join(dir, 'cn-2027.json');
    writeFileSync(file, JSON.stringify(draftYear2027('测试用：经命令行载入（虚构）')));
    const location = freshLocation(driver);
    try {
      // the hub stopped: straight on its database
      const loaded = await cli(['load', file, '--by', '李值班长'], location.env);
      expect(loaded.err).toEqual([]);
      expect(loaded.code).toBe(0);
      expect(loaded.out.join('\n')).toContain('已载入 2027 年的工作日历');
      const list = await cli(['list'], location.env);
      expect(list.out.join('\n')).toMatch(/\t2027\t草案\t现行\t.*\t李值班长\t测试用：经命令行载入/);

      // a running hub: through its admin API; the same file twice changes nothing
      const env = { HUB_URL: hub.url, HUB_ADMIN_TOKEN: ADMIN_TOKEN };
      const first = await cli(['load', file, '--by', '李值班长', '--json'], env);
      expect(first.code, first.err.join('\n')).toBe(0);
      expect(JSON.parse(first.out.join('\n'))).toMatchObject({ year: 2027, unchanged: false });
      const twice = await cli(['load', file, '--by', '李值班长'], env);
      expect(twice.out.join('\n')).toContain('完全相同，未作改动');

      // bad input: a clear message, exit 1 or 2, nothing loaded
      const rowsBefore = await loadRows();
      writeFileSync(join(dir, 'bad.json'), '{"schema":1,');
      const notJson = await cli(['load', join(dir, 'bad.json'), '--by', '李值班长'], env);
      expect(notJson.code).toBe(1);
      expect(notJson.err.join('\n')).toContain('不是有效的 JSON');
      const missing = await cli(['load', join(dir, 'none.json'), '--by', '李值班长'], env);
      expect(missing.err.join('\n')).toContain('读不到日历文件');
      expect((await cli(['load', file], env)).code).toBe(2);
      expect((await cli(['load', file, '--by', 'x'], { HUB_URL: hub.url })).code).toBe(2);
      expect(await loadRows()).toBe(rowsBefore);
    } finally {
      await location.cleanup();
    }
  });
});
