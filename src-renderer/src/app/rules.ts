/**
 * The working-day calendar and time limits this desk uses: the shipped data, plus calendar
 * years an administrator loaded at run time (kept in the local store).
 */
import {
  calendarWith,
  defaultTimeLimitRules,
  parseCalendarYear,
  type TimeLimitRules,
  type WorkCalendar,
} from '../../../src-common/domain';
import type { RelayDb } from '../store/db';

const CALENDAR_KEY = 'calendar:loadedYears';

let calendar: WorkCalendar = calendarWith([]);
const rules: TimeLimitRules = defaultTimeLimitRules();

export function workCalendar(): WorkCalendar {
  return calendar;
}

export function timeLimitRules(): TimeLimitRules {
  return rules;
}

async function loadedYears(db: RelayDb): Promise<unknown[]> {
  const row = await db.settings.get(CALENDAR_KEY);
  return Array.isArray(row?.value) ? row.value : [];
}

export async function loadRules(db: RelayDb): Promise<void> {
  calendar = calendarWith(await loadedYears(db));
}

/** Add (or replace) one year's official schedule; refused with a plain message if malformed. */
export async function addCalendarYear(db: RelayDb, json: unknown): Promise<number> {
  const year = parseCalendarYear(json);
  const others = (await loadedYears(db)).filter((y) => (y as { year?: unknown })?.year !== year.year);
  const next = [...others, json];
  const rebuilt = calendarWith(next); // throws before anything is stored if the set is bad
  await db.settings.put({ key: CALENDAR_KEY, value: next });
  calendar = rebuilt;
  return year.year;
}
