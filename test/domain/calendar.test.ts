import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import cn2025 from '../../resources/calendar/cn-2025.json';
import cn2026 from '../../resources/calendar/cn-2026.json';
import {
  calendarWith,
  chinaDateOf,
  defaultCalendar,
  endOfChinaDay,
  formatChinaDateTime,
  isValidDate,
  parseCalendarYear,
  WorkCalendar,
  type CalendarYear,
} from '../../src-common/domain';

const cal = defaultCalendar();
/** China wall-clock time 'YYYY-MM-DD HH:mm' as an ISO instant */
const china = (s: string): string => new Date(`${s.replace(' ', 'T')}:00+08:00`).toISOString();
/** the end of a China date (23:59:59.999 +08:00), as ISO */
const endOf = (date: string): string => new Date(endOfChinaDay(date)).toISOString();

function daysOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
const weekend = (d: string) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());

/** A schedule for 2027 made up for these tests only (the real one is not yet published). */
function test2027(): CalendarYear {
  return {
    schema: 1,
    year: 2027,
    source: '测试用 2027 年节假日安排（非正式数据）',
    official: true,
    holidays: [
      { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
      { name: '春节', from: '2027-02-05', to: '2027-02-12' },
    ],
    makeupWorkdays: [{ date: '2027-02-20', for: '春节' }],
  };
}

function bad(over: Partial<Record<keyof CalendarYear, unknown>>): unknown {
  return { ...structuredClone(cn2026), ...over };
}

describe('shipped schedules', () => {
  it('are the official notices, with their document numbers', () => {
    const y25 = parseCalendarYear(cn2025);
    const y26 = parseCalendarYear(cn2026);
    expect(y25.official && y26.official).toBe(true);
    expect(y25.source).toContain('国办发明电〔2024〕12号');
    expect(y25.source).toContain('2024年11月12日');
    expect(y26.source).toContain('国办发明电〔2025〕7号');
    expect(y26.source).toContain('2025年11月4日');
    expect(cal.yearStatus(2025)).toBe('official');
    expect(cal.yearStatus(2026)).toBe('official');
    expect(cal.years().map((y) => y.year)).toEqual([2025, 2026]);
  });

  it('2025: holidays and make-up working days as published', () => {
    const off = [
      '2025-01-01',
      ...['01-28', '01-29', '01-30', '01-31', '02-01', '02-02', '02-03', '02-04'].map((d) => `2025-${d}`),
      '2025-04-04', '2025-04-05', '2025-04-06',
      '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05',
      '2025-05-31', '2025-06-01', '2025-06-02',
      ...['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => `2025-10-${d}`),
    ];
    for (const d of off) expect(cal.dayInfo(d), d).toMatchObject({ working: false, kind: 'holiday' });
    for (const d of ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']) {
      expect(cal.dayInfo(d), d).toMatchObject({ working: true, kind: 'makeupWorkday' });
    }
    expect(cal.dayInfo('2025-10-06').name).toBe('国庆节、中秋节');
    // every other day follows the week
    for (const d of daysOf(2025)) {
      const info = cal.dayInfo(d);
      if (info.kind === 'workday') expect(weekend(d)).toBe(false);
      if (info.kind === 'weekend') expect(weekend(d)).toBe(true);
    }
    expect(daysOf(2025).filter((d) => cal.dayInfo(d).kind === 'holiday')).toHaveLength(off.length);
  });

  it('2026: holidays and make-up working days as published', () => {
    const ranges: Array<[string, string, string]> = [
      ['元旦', '2026-01-01', '2026-01-03'],
      ['春节', '2026-02-15', '2026-02-23'],
      ['清明节', '2026-04-04', '2026-04-06'],
      ['劳动节', '2026-05-01', '2026-05-05'],
      ['端午节', '2026-06-19', '2026-06-21'],
      ['中秋节', '2026-09-25', '2026-09-27'],
      ['国庆节', '2026-10-01', '2026-10-07'],
    ];
    let total = 0;
    for (const [name, from, to] of ranges) {
      for (const d of daysOf(2026).filter((x) => x >= from && x <= to)) {
        expect(cal.dayInfo(d), d).toEqual({ date: d, working: false, kind: 'holiday', name, status: 'official' });
        total++;
      }
    }
    expect(total).toBe(3 + 9 + 3 + 5 + 3 + 3 + 7);
    expect(daysOf(2026).filter((d) => cal.dayInfo(d).kind === 'holiday')).toHaveLength(total);
    const makeup = daysOf(2026).filter((d) => cal.dayInfo(d).kind === 'makeupWorkday');
    expect(makeup).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // Saturday, 春节 make-up day
    expect(cal.isWorkingDay('2026-02-21')).toBe(false); // Saturday inside 春节
    expect(cal.isWorkingDay('2026-03-07')).toBe(false); // ordinary Saturday
    expect(cal.isWorkingDay('2026-03-09')).toBe(true); // ordinary Monday
  });
});

describe('China time', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  it('an instant belongs to its China date, whatever the machine zone', () => {
    for (const tz of ['UTC', 'America/New_York', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      // 2026-02-14 23:30 China is 15:30 UTC; 2026-02-15 00:30 China is 16:30 UTC
      expect(chinaDateOf('2026-02-14T15:30:00Z')).toBe('2026-02-14');
      expect(chinaDateOf('2026-02-14T16:30:00Z')).toBe('2026-02-15');
      expect(cal.isWorkingDay('2026-02-14T15:30:00Z')).toBe(true);
      expect(cal.isWorkingDay('2026-02-14T16:30:00Z')).toBe(false);
      expect(cal.addWorkingDays(china('2026-02-13 17:00'), 5)).toBe('2026-02-27T15:59:59.999Z');
      expect(formatChinaDateTime('2026-02-14T16:30:00Z')).toBe('2026-02-15 00:30');
    }
  });

  it('validates calendar dates', () => {
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2027-02-29')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('2026-1-1')).toBe(false);
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow('日期不存在');
  });
});

describe('addWorkingDays and workingDaysBetween', () => {
  it('Friday 2026-02-13 17:00 + 5 working days counts the Saturday make-up day and skips 春节', () => {
    const from = china('2026-02-13 17:00');
    expect(cal.addWorkingDays(from, 1)).toBe(endOf('2026-02-14'));
    expect(cal.addWorkingDays(from, 2)).toBe(endOf('2026-02-24'));
    expect(cal.addWorkingDays(from, 5)).toBe(endOf('2026-02-27'));
    expect(cal.addWorkingDays(from, 5)).toBe('2026-02-27T15:59:59.999Z');
    expect(cal.addWorkingDays(from, 6)).toBe(endOf('2026-02-28')); // the second make-up Saturday
    expect(cal.workingDaysBetween(from, cal.addWorkingDays(from, 5))).toBe(5);
  });

  it('an item on 2026-09-30 skips 国庆 and counts Saturday 10/10', () => {
    const from = china('2026-09-30 10:00');
    expect(cal.addWorkingDays(from, 1)).toBe(endOf('2026-10-08'));
    expect(cal.addWorkingDays(from, 3)).toBe(endOf('2026-10-10'));
    expect(cal.addWorkingDays(from, 5)).toBe(endOf('2026-10-13'));
  });

  it('the day of the hand-over is never counted, even late at night or on a holiday', () => {
    expect(cal.addWorkingDays(china('2026-03-02 23:59'), 1)).toBe(endOf('2026-03-03'));
    expect(cal.addWorkingDays(china('2026-03-03 00:00'), 1)).toBe(endOf('2026-03-04'));
    expect(cal.addWorkingDays(china('2026-02-18 03:00'), 1)).toBe(endOf('2026-02-24'));
    expect(cal.addWorkingDays(china('2026-02-13 17:00'), 0)).toBe(china('2026-02-13 17:00'));
  });

  it('crosses the year end', () => {
    // 2025-12-31 (Wed) + 1: 2026-01-01..03 off, 2026-01-04 Sunday make-up day
    expect(cal.addWorkingDays(china('2025-12-31 12:00'), 1)).toBe(endOf('2026-01-04'));
    expect(cal.addWorkingDays(china('2025-12-31 12:00'), 2)).toBe(endOf('2026-01-05'));
  });

  it('counts between two instants, negative backwards', () => {
    expect(cal.workingDaysBetween(china('2026-02-13 09:00'), china('2026-02-27 09:00'))).toBe(5);
    expect(cal.workingDaysBetween(china('2026-02-27 09:00'), china('2026-02-13 09:00'))).toBe(-5);
    expect(cal.workingDaysBetween(china('2026-02-13 09:00'), china('2026-02-13 23:00'))).toBe(0);
    expect(cal.workingDaysBetween(china('2026-02-14 09:00'), china('2026-02-23 23:00'))).toBe(0);
  });

  it('refuses a bad count or another time zone', () => {
    expect(() => cal.addWorkingDays(china('2026-02-13 09:00'), -1)).toThrow('非负整数');
    expect(() => cal.addWorkingDays(china('2026-02-13 09:00'), 1.5)).toThrow('非负整数');
    expect(() => cal.addWorkingDays(china('2026-02-13 09:00'), 1, 'UTC' as never)).toThrow('Asia/Shanghai');
    expect(() => cal.addWorkingDays('not a date', 1)).toThrow('时间格式不正确');
  });

  it('property: workingDaysBetween(x, addWorkingDays(x, n)) = n, ending at the end of a working day', () => {
    const start = Date.parse('2024-06-01T00:00:00Z');
    const end = Date.parse('2028-06-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: start, max: end }), fc.integer({ min: 1, max: 40 }), (t, n) => {
        const due = cal.addWorkingDays(t, n);
        expect(cal.workingDaysBetween(t, due)).toBe(n);
        expect(cal.isWorkingDay(due)).toBe(true);
        expect(due).toBe(endOf(chinaDateOf(due)));
        expect(cal.addWorkingDays(t, n + 1) > due).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('years without a published schedule', () => {
  it('2027 is provisional: weekends and the fixed-date statutory holidays only, no lunar holiday invented', () => {
    expect(cal.yearStatus(2027)).toBe('provisional');
    expect(cal.yearStatus(2024)).toBe('provisional');
    const days = daysOf(2027);
    const holidays = days.filter((d) => cal.dayInfo(d).kind === 'holiday');
    expect(holidays).toEqual(['2027-01-01', '2027-05-01', '2027-05-02', '2027-10-01', '2027-10-02', '2027-10-03']);
    expect(new Set(holidays.map((d) => cal.dayInfo(d).name))).toEqual(new Set(['元旦', '劳动节', '国庆节']));
    expect(days.some((d) => cal.dayInfo(d).kind === 'makeupWorkday')).toBe(false);
    for (const d of days) {
      const info = cal.dayInfo(d);
      expect(info.status).toBe('provisional');
      if (!holidays.includes(d)) expect(info.working).toBe(!weekend(d));
    }
    // 春节 2027 (除夕 2/5, 初一 2/6) is not invented: Friday 2/5 and Monday 2/8 are working days
    expect(cal.isWorkingDay('2027-02-05')).toBe(true);
    expect(cal.isWorkingDay('2027-02-08')).toBe(true);
  });

  it('loading a 2027 schedule at run time makes it official and replaces the fallback', () => {
    const loaded = cal.loadCalendarYear(test2027());
    expect(loaded).not.toBe(cal);
    expect(loaded.yearStatus(2027)).toBe('official');
    expect(loaded.isWorkingDay('2027-02-08')).toBe(false);
    expect(loaded.isWorkingDay('2027-02-20')).toBe(true); // Saturday make-up day
    expect(loaded.isWorkingDay('2027-05-01')).toBe(false); // a Saturday anyway
    expect(loaded.dayInfo('2027-05-03')).toMatchObject({ working: true, kind: 'workday' }); // not in this schedule
    expect(loaded.yearStatus(2026)).toBe('official');
    // the original is unchanged
    expect(cal.yearStatus(2027)).toBe('provisional');
    expect(cal.isWorkingDay('2027-02-08')).toBe(true);
    // through the settings helper, too
    expect(calendarWith([test2027()]).yearStatus(2027)).toBe('official');
    expect(calendarWith([]).years().map((y) => y.year)).toEqual([2025, 2026]);
  });

  it('a draft marked official: false stays provisional; a loaded year replaces a shipped one', () => {
    const draft = cal.loadCalendarYear({ ...test2027(), official: false });
    expect(draft.yearStatus(2027)).toBe('provisional');
    expect(draft.isWorkingDay('2027-02-08')).toBe(false);
    const corrected = cal.loadCalendarYear({ ...structuredClone(cn2026), holidays: [], makeupWorkdays: [] });
    expect(corrected.isWorkingDay('2026-02-16')).toBe(true);
    expect(corrected.years()).toHaveLength(2);
  });

  it('a new WorkCalendar with no years is provisional everywhere', () => {
    const empty = new WorkCalendar();
    expect(empty.yearStatus(2026)).toBe('provisional');
    expect(empty.isWorkingDay('2026-02-16')).toBe(true); // 春节 unknown without the notice
    expect(empty.isWorkingDay('2026-10-02')).toBe(false); // 国庆 fixed date
  });
});

describe('bad calendar files are refused with reasons', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'x', '日历数据不正确'],
    ['wrong schema', bad({ schema: 2 }), 'schema 必须为 1'],
    ['no source', bad({ source: '' }), '请注明来源'],
    ['date that does not exist', bad({ holidays: [{ name: '春节', from: '2026-02-30', to: '2026-03-01' }], makeupWorkdays: [] }), '日期不存在：2026-02-30'],
    ['badly written date', bad({ holidays: [{ name: '元旦', from: '2026-1-1', to: '2026-01-01' }], makeupWorkdays: [] }), 'YYYY-MM-DD'],
    ['date outside the year', bad({ holidays: [{ name: '元旦', from: '2025-12-31', to: '2026-01-01' }], makeupWorkdays: [] }), '不在 2026 年内'],
    ['end before start', bad({ holidays: [{ name: '春节', from: '2026-02-23', to: '2026-02-15' }], makeupWorkdays: [] }), '早于开始日期'],
    [
      'overlapping holidays',
      bad({ holidays: [{ name: '中秋节', from: '2026-09-25', to: '2026-10-02' }, { name: '国庆节', from: '2026-10-01', to: '2026-10-07' }], makeupWorkdays: [] }),
      '日期重叠',
    ],
    ['make-up day on a weekday', bad({ makeupWorkdays: [{ date: '2026-02-16', for: '春节' }] }), '调休上班日 2026-02-16 是周一，调休上班日必须是周六或周日'],
    ['make-up day inside a holiday', bad({ makeupWorkdays: [{ date: '2026-02-21', for: '春节' }] }), '落在春节假期内'],
    ['make-up day for an unknown holiday', bad({ makeupWorkdays: [{ date: '2026-02-14', for: '元宵节' }] }), '“元宵节”不在本年的假日列表中'],
    ['make-up day twice', bad({ makeupWorkdays: [{ date: '2026-02-14', for: '春节' }, { date: '2026-02-14', for: '春节' }] }), '重复'],
    ['unknown field', bad({ extra: 1 } as never), 'extra'],
  ];
  it.each(cases)('%s', (_name, json, message) => {
    expect(() => parseCalendarYear(json)).toThrow(message);
    expect(() => cal.loadCalendarYear(json)).toThrow('日历数据不正确');
  });

  it('names the field of each problem', () => {
    expect(() => parseCalendarYear(bad({ makeupWorkdays: [{ date: '2026-02-16', for: '春节' }] }))).toThrow('makeupWorkdays[0].date：');
  });
});
