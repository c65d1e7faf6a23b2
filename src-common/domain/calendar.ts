/**
 * The working-day calendar (工作日历) that time limits in working days are counted on.
 *
 * A year is either **official**, from the State Council General Office's published holiday
 * schedule (国务院办公厅关于某年部分节假日安排的通知), with its holidays and its make-up
 * working days (调休上班), or **provisional**: no schedule is loaded for it, so only weekends
 * and the fixed-date statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) are
 * days off: 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. The lunar holidays (春节,
 * 清明节, 端午节, 中秋节) and every 调休 are set by the yearly notice and are never invented.
 *
 * Shipped years live in resources/calendar/cn-<year>.json; an administrator loads a new
 * year's schedule at run time with `loadCalendarYear`, and it replaces the fallback.
 *
 * All date math is in China time (UTC+8, no daylight saving), whatever the machine's zone.
 * Pure: no Electron, React, Dexie or HTTP.
 */
import { z } from 'zod';
import cn2025 from '../../resources/calendar/cn-2025.json';
import cn2026 from '../../resources/calendar/cn-2026.json';

// ---------------------------------------------------------------------------------------
// China time
// ---------------------------------------------------------------------------------------

/** China Standard Time is UTC+8 all year. */
export const CHINA_OFFSET_MS = 8 * 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
export const CHINA_TIME_ZONE = 'Asia/Shanghai';
export type ChinaTimeZone = typeof CHINA_TIME_ZONE;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** A calendar date 'YYYY-MM-DD' that exists (2026-02-30 does not). */
export function isValidDate(date: string): boolean {
  const m = DATE_PATTERN.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Days since 1970-01-01 of a calendar date. */
function dayNumber(date: string): number {
  const m = DATE_PATTERN.exec(date)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

function dateOfDayNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function toMs(at: string | number | Date): number {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new Error(`时间格式不正确：${String(at)}`);
  return ms;
}

/** The China calendar date ('YYYY-MM-DD') of an instant. */
export function chinaDateOf(at: string | number | Date): string {
  return new Date(toMs(at) + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last millisecond (23:59:59.999 China time) of a China calendar date, as epoch ms. */
export function endOfChinaDay(date: string): number {
  return (dayNumber(date) + 1) * DAY_MS - CHINA_OFFSET_MS - 1;
}

/** 0 = Sunday … 6 = Saturday */
function weekdayOf(date: string): number {
  return new Date(dayNumber(date) * DAY_MS).getUTCDay();
}

/** An instant as China wall-clock time, 'YYYY-MM-DD HH:mm'. */
export function formatChinaDateTime(at: string | number | Date): string {
  const s = new Date(toMs(at) + CHINA_OFFSET_MS).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

/** A day given as 'YYYY-MM-DD' is a China date; anything else is an instant. */
function dateArg(date: string | number | Date): string {
  if (typeof date === 'string' && DATE_PATTERN.test(date)) {
    if (!isValidDate(date)) throw new Error(`日期不存在：${date}`);
    return date;
  }
  return chinaDateOf(date);
}

// ---------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------

export const CALENDAR_SCHEMA_VERSION = 1 as const;

const DateSchema = z
  .string({ error: '日期必须是 YYYY-MM-DD 格式的文本' })
  .refine((s) => DATE_PATTERN.test(s), { error: (issue) => `日期必须是 YYYY-MM-DD 格式：${String(issue.input)}` })
  .refine((s) => !DATE_PATTERN.test(s) || isValidDate(s), { error: (issue) => `日期不存在：${String(issue.input)}` });

const NameSchema = z.string({ error: '名称必须是文本' }).trim().min(1, '名称不能为空').max(40, '名称不能超过 40 个字');

export const CalendarYearSchema = z
  .strictObject({
    schema: z.literal(CALENDAR_SCHEMA_VERSION, { error: `schema 必须为 ${CALENDAR_SCHEMA_VERSION}` }),
    year: z.number({ error: '年份必须是数字' }).int('年份必须是整数').min(2000, '年份不能早于 2000').max(2100, '年份不能晚于 2100'),
    /** the published notice: name, document number, date */
    source: z.string({ error: '请注明来源（通知名称、文号、日期）' }).trim().min(4, '请注明来源（通知名称、文号、日期）'),
    /** true for the State Council's published schedule; false marks a draft (provisional) */
    official: z.boolean({ error: 'official 必须为 true 或 false' }),
    holidays: z.array(z.strictObject({ name: NameSchema, from: DateSchema, to: DateSchema }), { error: 'holidays 必须是假日列表' }),
    makeupWorkdays: z.array(z.strictObject({ date: DateSchema, for: NameSchema }), { error: 'makeupWorkdays 必须是调休上班日列表' }),
  })
  .superRefine((cal, ctx) => {
    const inYear = (date: string) => isValidDate(date) && date.startsWith(`${cal.year}-`);
    const spans: Array<{ from: number; to: number; i: number }> = [];
    const names = new Set(cal.holidays.map((h) => h.name));
    cal.holidays.forEach((h, i) => {
      for (const key of ['from', 'to'] as const) {
        if (isValidDate(h[key]) && !inYear(h[key])) {
          ctx.addIssue({ code: 'custom', path: ['holidays', i, key], message: `日期 ${h[key]} 不在 ${cal.year} 年内` });
        }
      }
      if (!inYear(h.from) || !inYear(h.to)) return;
      const from = dayNumber(h.from);
      const to = dayNumber(h.to);
      if (to < from) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: `${h.name}的结束日期 ${h.to} 早于开始日期 ${h.from}` });
        return;
      }
      for (const other of spans) {
        if (from <= other.to && other.from <= to) {
          const o = cal.holidays[other.i]!;
          ctx.addIssue({
            code: 'custom',
            path: ['holidays', i],
            message: `${h.name}（${h.from}至${h.to}）与${o.name}（${o.from}至${o.to}）的日期重叠`,
          });
        }
      }
      spans.push({ from, to, i });
    });
    const seen = new Set<string>();
    cal.makeupWorkdays.forEach((m, i) => {
      if (!isValidDate(m.date)) return;
      if (!inYear(m.date)) {
        ctx.addIssue({ code: 'custom', path: ['makeupWorkdays', i, 'date'], message: `日期 ${m.date} 不在 ${cal.year} 年内` });
        return;
      }
      const wd = weekdayOf(m.date);
      if (wd !== 0 && wd !== 6) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeupWorkdays', i, 'date'],
          message: `调休上班日 ${m.date} 是${WEEKDAY_NAMES[wd]}，调休上班日必须是周六或周日`,
        });
      }
      if (seen.has(m.date)) {
        ctx.addIssue({ code: 'custom', path: ['makeupWorkdays', i, 'date'], message: `调休上班日 ${m.date} 重复` });
      }
      seen.add(m.date);
      const n = dayNumber(m.date);
      const inside = spans.find((s) => n >= s.from && n <= s.to);
      if (inside) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeupWorkdays', i, 'date'],
          message: `调休上班日 ${m.date} 落在${cal.holidays[inside.i]!.name}假期内`,
        });
      }
      if (!names.has(m.for)) {
        ctx.addIssue({
          code: 'custom',
          path: ['makeupWorkdays', i, 'for'],
          message: `调休上班日 ${m.date} 所对应的假日“${m.for}”不在本年的假日列表中`,
        });
      }
    });
  });
export type CalendarYear = z.infer<typeof CalendarYearSchema>;

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(根)';
}

/**
 * Validate one year's schedule. Throws an Error naming every problem, in Chinese, e.g.
 * `日历数据不正确：makeupWorkdays[0].date：调休上班日 2026-02-16 是周一，调休上班日必须是周六或周日`.
 */
export function parseCalendarYear(json: unknown): CalendarYear {
  const result = CalendarYearSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const lines = issues.slice(0, 10).map((issue) => `${formatPath(issue.path)}：${issue.message}`);
  if (issues.length > 10) lines.push(`……另有 ${issues.length - 10} 处`);
  throw new Error(`日历数据不正确：${lines.join('；')}`);
}

// ---------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------

export type YearStatus = 'official' | 'provisional';

/**
 * Fixed-date statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, art. 2),
 * the only days off besides weekends in a year without a published schedule.
 */
export const FIXED_STATUTORY_HOLIDAYS: ReadonlyArray<{ name: string; month: number; days: readonly number[] }> = [
  { name: '元旦', month: 1, days: [1] },
  { name: '劳动节', month: 5, days: [1, 2] },
  { name: '国庆节', month: 10, days: [1, 2, 3] },
];

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeupWorkday';

export interface DayInfo {
  date: string;
  working: boolean;
  kind: DayKind;
  /** the holiday's name (for a holiday, or the holiday a make-up day is for), else null */
  name: string | null;
  /** whether the year's schedule is the published one */
  status: YearStatus;
}

interface YearIndex {
  data: CalendarYear;
  holidays: Map<string, string>;
  makeup: Map<string, string>;
}

function indexYear(data: CalendarYear): YearIndex {
  const holidays = new Map<string, string>();
  for (const h of data.holidays) {
    for (let n = dayNumber(h.from); n <= dayNumber(h.to); n++) holidays.set(dateOfDayNumber(n), h.name);
  }
  const makeup = new Map(data.makeupWorkdays.map((m) => [m.date, m.for] as const));
  return { data, holidays, makeup };
}

/** At most this many days are walked in one call (about 30 years), to stop runaway loops. */
const MAX_WALK_DAYS = 11_000;

/**
 * Working days in China time. Immutable: `loadCalendarYear` returns a new calendar.
 */
export class WorkCalendar {
  private readonly byYear: ReadonlyMap<number, YearIndex>;

  /** Later years in the list replace earlier ones for the same year. */
  constructor(years: readonly CalendarYear[] = []) {
    const map = new Map<number, YearIndex>();
    for (const y of years) map.set(y.year, indexYear(y));
    this.byYear = map;
  }

  /** The loaded schedules, by year. */
  years(): CalendarYear[] {
    return [...this.byYear.values()].map((y) => y.data).sort((a, b) => a.year - b.year);
  }

  /**
   * Add (or replace) one year's schedule from JSON, validated with `parseCalendarYear`
   * (throws with the reasons). Returns a NEW calendar; this one is unchanged.
   */
  loadCalendarYear(json: unknown): WorkCalendar {
    return this.withYear(parseCalendarYear(json));
  }

  /** A new calendar with this (already validated) year added or replaced. */
  withYear(year: CalendarYear): WorkCalendar {
    return new WorkCalendar([...this.years().filter((y) => y.year !== year.year), year]);
  }

  /** 'official' when the year's published schedule is loaded, else 'provisional'. */
  yearStatus(year: number): YearStatus {
    return this.byYear.get(year)?.data.official ? 'official' : 'provisional';
  }

  /** What a day is. `date` is a China date 'YYYY-MM-DD', or an instant (ISO, ms, Date). */
  dayInfo(date: string | number | Date): DayInfo {
    const d = dateArg(date);
    const year = Number(d.slice(0, 4));
    const status = this.yearStatus(year);
    const y = this.byYear.get(year);
    const wd = weekdayOf(d);
    const weekend = wd === 0 || wd === 6;
    if (y) {
      const makeup = y.makeup.get(d);
      if (makeup !== undefined) return { date: d, working: true, kind: 'makeupWorkday', name: makeup, status };
      const holiday = y.holidays.get(d);
      if (holiday !== undefined) return { date: d, working: false, kind: 'holiday', name: holiday, status };
    } else {
      const month = Number(d.slice(5, 7));
      const day = Number(d.slice(8, 10));
      const fixed = FIXED_STATUTORY_HOLIDAYS.find((h) => h.month === month && h.days.includes(day));
      if (fixed) return { date: d, working: false, kind: 'holiday', name: fixed.name, status };
    }
    return weekend
      ? { date: d, working: false, kind: 'weekend', name: null, status }
      : { date: d, working: true, kind: 'workday', name: null, status };
  }

  isWorkingDay(date: string | number | Date): boolean {
    return this.dayInfo(date).working;
  }

  /**
   * The deadline n working days after `fromIso`: the end (23:59:59.999 China time) of the
   * n-th working day after the China date of `fromIso`. The day of `fromIso` itself is not
   * counted (开始的当日不计入), and a period ends at the end of its last day (截止时间为二十四时).
   * n = 0 returns `fromIso` unchanged (as ISO). Returns an ISO instant (UTC, 'Z').
   */
  addWorkingDays(fromIso: string | number | Date, n: number, timeZone: ChinaTimeZone = CHINA_TIME_ZONE): string {
    if (timeZone !== CHINA_TIME_ZONE) throw new Error(`只支持 ${CHINA_TIME_ZONE} 时区`);
    if (!Number.isInteger(n) || n < 0) throw new Error(`工作日数必须是非负整数：${n}`);
    const fromMs = toMs(fromIso);
    if (n === 0) return new Date(fromMs).toISOString();
    let day = dayNumber(chinaDateOf(fromMs));
    let counted = 0;
    for (let walked = 0; walked < MAX_WALK_DAYS; walked++) {
      day++;
      if (this.isWorkingDay(dateOfDayNumber(day)) && ++counted === n) {
        return new Date(endOfChinaDay(dateOfDayNumber(day))).toISOString();
      }
    }
    throw new Error(`工作日数过大：${n}`);
  }

  /**
   * Working days d with (China date of from) < d <= (China date of to); negative when `to`
   * is earlier. workingDaysBetween(x, addWorkingDays(x, n)) === n.
   */
  workingDaysBetween(fromIso: string | number | Date, toIso: string | number | Date): number {
    const a = dayNumber(chinaDateOf(toMs(fromIso)));
    const b = dayNumber(chinaDateOf(toMs(toIso)));
    if (b < a) return -this.workingDaysBetween(toIso, fromIso);
    if (b - a > MAX_WALK_DAYS) throw new Error('时间跨度过大');
    let count = 0;
    for (let day = a + 1; day <= b; day++) if (this.isWorkingDay(dateOfDayNumber(day))) count++;
    return count;
  }
}

/** The schedules shipped in resources/calendar, validated. */
export function shippedCalendarYears(): CalendarYear[] {
  return [cn2025, cn2026].map((json) => parseCalendarYear(json));
}

let defaultCal: WorkCalendar | undefined;

/** The calendar of the shipped years (2025, 2026); other years are provisional. */
export function defaultCalendar(): WorkCalendar {
  defaultCal ??= new WorkCalendar(shippedCalendarYears());
  return defaultCal;
}

/**
 * The shipped years plus schedules an administrator loaded (e.g. kept in settings, as
 * JSON); a loaded year replaces a shipped one of the same year. Throws on a bad one.
 */
export function calendarWith(loaded: readonly unknown[]): WorkCalendar {
  return loaded.reduce<WorkCalendar>((cal, json) => cal.loadCalendarYear(json), defaultCalendar());
}
