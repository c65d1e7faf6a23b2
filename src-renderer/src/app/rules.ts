/**
 * The working-day calendar and time limits this desk uses: the shipped data, plus calendar
 * years loaded at run time (kept in the local store) — by an administrator at this desk, or
 * handed down by the city hub in the sync round (sync/calendar-sync.ts). Of two schedules for
 * one year, the one loaded last is in force.
 */
import {
  calendarWith,
  defaultTimeLimitRules,
  parseCalendarYear,
  type TimeLimitRules,
  type WorkCalendar,
} from '../../../src-common/domain';
import type { CalendarResponse } from '../../../src-common/protocol/v1';
import type { RelayDb } from '../store/db';

const CALENDAR_KEY = 'calendar:loadedYears';
/** where each loaded year came from (YearOrigin by year) */
const ORIGINS_KEY = 'calendar:origins';
/** the hub's calendar as this desk last had it (HubCalendarState) */
const HUB_CALENDAR_KEY = 'calendar:hub';

export type YearOrigin = { from: 'hub'; revision: number; at: string } | { from: 'desk'; at: string };

export interface HubCalendarState {
  /** the hub's calendar revision this desk holds (0: none yet) */
  revision: number;
  checkedAt: string | null;
  /** why the hub's last answer was not taken, in plain words; null when it was */
  error: string | null;
}

let calendar: WorkCalendar = calendarWith([]);
let origins: Record<string, YearOrigin> = {};
const rules: TimeLimitRules = defaultTimeLimitRules();

export function workCalendar(): WorkCalendar {
  return calendar;
}

export function timeLimitRules(): TimeLimitRules {
  return rules;
}

/** Where the year's schedule in force came from; undefined for a shipped year (or none). */
export function calendarYearOrigin(year: number): YearOrigin | undefined {
  return origins[String(year)];
}

async function loadedYears(db: RelayDb): Promise<unknown[]> {
  const row = await db.settings.get(CALENDAR_KEY);
  return Array.isArray(row?.value) ? row.value : [];
}

async function loadedOrigins(db: RelayDb): Promise<Record<string, YearOrigin>> {
  const row = await db.settings.get(ORIGINS_KEY);
  return row?.value && typeof row.value === 'object' ? (row.value as Record<string, YearOrigin>) : {};
}

export async function loadRules(db: RelayDb): Promise<void> {
  calendar = calendarWith(await loadedYears(db));
  origins = await loadedOrigins(db);
}

/** Add (or replace) one year's official schedule; refused with a plain message if malformed. */
export async function addCalendarYear(db: RelayDb, json: unknown): Promise<number> {
  const year = parseCalendarYear(json);
  const { rebuilt, nextOrigins } = await db.transaction('rw', db.settings, async () => {
    const others = (await loadedYears(db)).filter((y) => (y as { year?: unknown })?.year !== year.year);
    const next = [...others, json];
    const rebuilt = calendarWith(next); // throws before anything is stored if the set is bad
    const nextOrigins = { ...(await loadedOrigins(db)), [String(year.year)]: { from: 'desk', at: new Date().toISOString() } satisfies YearOrigin };
    await db.settings.put({ key: CALENDAR_KEY, value: next });
    await db.settings.put({ key: ORIGINS_KEY, value: nextOrigins });
    return { rebuilt, nextOrigins };
  });
  calendar = rebuilt;
  origins = nextOrigins;
  return year.year;
}

export async function hubCalendarState(db: RelayDb): Promise<HubCalendarState> {
  const value = (await db.settings.get(HUB_CALENDAR_KEY))?.value as Partial<HubCalendarState> | undefined;
  return { revision: typeof value?.revision === 'number' ? value.revision : 0, checkedAt: value?.checkedAt ?? null, error: value?.error ?? null };
}

/**
 * Take the hub's calendar years (already checked against the protocol's schema): each year
 * whose schedule differs from the one in force here replaces it, and the hub's revision is
 * kept, in one transaction. Returns the years that changed.
 */
export async function applyHubCalendar(db: RelayDb, answer: CalendarResponse): Promise<number[]> {
  const at = new Date().toISOString();
  const result = await db.transaction('rw', db.settings, async () => {
    let loaded = await loadedYears(db);
    const nextOrigins = { ...(await loadedOrigins(db)) };
    const inForce = calendarWith(loaded);
    const changed: number[] = [];
    for (const year of answer.years) {
      const mine = inForce.years().find((y) => y.year === year.year);
      if (mine && JSON.stringify(mine) === JSON.stringify(year)) continue;
      loaded = [...loaded.filter((y) => (y as { year?: unknown })?.year !== year.year), year];
      nextOrigins[String(year.year)] = { from: 'hub', revision: answer.revision, at };
      changed.push(year.year);
    }
    const rebuilt = changed.length > 0 ? calendarWith(loaded) : inForce;
    if (changed.length > 0) {
      await db.settings.put({ key: CALENDAR_KEY, value: loaded });
      await db.settings.put({ key: ORIGINS_KEY, value: nextOrigins });
    }
    await db.settings.put({ key: HUB_CALENDAR_KEY, value: { revision: answer.revision, checkedAt: at, error: null } satisfies HubCalendarState });
    return { changed, rebuilt, nextOrigins };
  });
  calendar = result.rebuilt;
  origins = result.nextOrigins;
  return result.changed;
}

/** The hub's calendar could not be taken: kept for the calendar panel to say why. */
export async function noteHubCalendarError(db: RelayDb, message: string): Promise<void> {
  const state = await hubCalendarState(db);
  await db.settings.put({ key: HUB_CALENDAR_KEY, value: { ...state, checkedAt: new Date().toISOString(), error: message } satisfies HubCalendarState });
}

