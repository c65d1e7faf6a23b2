/**
 * Working-day calendar years loaded at the hub, for every station to count working days on.
 *
 * The State Council publishes each year's holiday schedule late in the year before; an
 * administrator loads it once at the hub (`npm run hub:calendar -- load FILE`, or
 * POST /api/v1/admin/calendar) instead of at every desk, and the stations fetch it in their
 * sync round (GET /api/v1/calendar). Loads are appended, never edited: a year's schedule in
 * force is its latest load, earlier loads stay as its history. Loading a year exactly as it
 * stands changes nothing (no new revision), so running the same load twice is harmless.
 *
 * The hub judges extensions (knowledge.ts) on the shipped years plus these (calendarFor).
 */
import { calendarWith, defaultCalendar, parseCalendarYear, type CalendarYear, type WorkCalendar } from '../../src-common/domain';
import type { CalendarResponse } from '../../src-common/protocol/v1';
import type { Database, Queryable } from '../db/database';
import { HubError } from '../errors';

/** Serialises loads (their check-then-append), apart from the sync log's lock. ('CALEN') */
const CALENDAR_LOCK_KEY = 0x43414c454e;

export interface CalendarLoad {
  /** the calendar's revision this load made (or, unchanged, the revision in force) */
  revision: number;
  year: number;
  official: boolean;
  source: string;
  loadedBy: string;
  loadedAt: string;
  /** whether it is the year's schedule in force (its latest load) */
  inForce: boolean;
}

export interface LoadResult {
  year: number;
  revision: number;
  /** the year was already in force exactly so: nothing was appended */
  unchanged: boolean;
}

/** One year's schedule as the hub stores and compares it: parsed (trimmed), in schema order. */
function canonical(year: CalendarYear): string {
  return JSON.stringify(year);
}

function parseForHub(json: unknown): CalendarYear {
  try {
    return parseCalendarYear(json);
  } catch (e) {
    throw new HubError(400, 'invalid_calendar', (e as Error).message);
  }
}

async function revisionOf(q: Queryable): Promise<number> {
  const rows = await q.query<{ revision: number | null }>('SELECT max(seq) AS revision FROM calendar_years');
  return Number(rows[0]?.revision ?? 0);
}

/** Append one year's schedule (validated first: a bad one is refused whole, 400 invalid_calendar). */
export async function loadCalendarYear(db: Database, json: unknown, loadedBy: string): Promise<LoadResult> {
  const year = parseForHub(json);
  const body = canonical(year);
  const by = loadedBy.trim().slice(0, 80) || '未署名';
  const result = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${CALENDAR_LOCK_KEY})`);
    const current = await tx.query<{ seq: number; body: string }>('SELECT seq, body FROM calendar_years WHERE year = $1 ORDER BY seq DESC LIMIT 1', [year.year]);
    if (current[0]?.body === body) return { year: year.year, revision: await revisionOf(tx), unchanged: true };
    const rows = await tx.query<{ seq: number }>('INSERT INTO calendar_years (year, body, loaded_by) VALUES ($1, $2, $3) RETURNING seq', [year.year, body, by]);
    return { year: year.year, revision: Number(rows[0]!.seq), unchanged: false };
  });
  if (!result.unchanged) {
    forget(db);
    await refreshCalendar(db);
  }
  return result;
}

/** The years in force (the latest load of each), in year order, with the calendar's revision. */
async function yearsInForce(q: Queryable): Promise<{ revision: number; years: CalendarYear[] }> {
  const rows = await q.query<{ body: string }>('SELECT DISTINCT ON (year) year, body FROM calendar_years ORDER BY year, seq DESC');
  return { revision: await revisionOf(q), years: rows.map((r) => JSON.parse(r.body) as CalendarYear) };
}

/** What a station is answered: the years in force, or none when it holds revision `after` already. */
export async function calendarAfter(db: Database, after: number): Promise<CalendarResponse> {
  const revision = await revisionOf(db);
  if (after >= revision) return { revision, years: [] };
  return yearsInForce(db);
}

/** Every load, newest first (the history an administrator lists). */
export async function calendarLoads(db: Database): Promise<CalendarLoad[]> {
  const rows = await db.query<{ seq: number; year: number; body: string; loaded_by: string; loaded_at: Date | string }>(
    'SELECT seq, year, body, loaded_by, loaded_at FROM calendar_years ORDER BY seq DESC',
  );
  const seenYears = new Set<number>();
  return rows.map((r) => {
    const body = JSON.parse(r.body) as CalendarYear;
    const year = Number(r.year);
    const inForce = !seenYears.has(year);
    seenYears.add(year);
    return {
      revision: Number(r.seq),
      year,
      official: body.official,
      source: body.source,
      loadedBy: r.loaded_by,
      loadedAt: new Date(r.loaded_at).toISOString(),
      inForce,
    };
  });
}

/** The 'after' query of GET /api/v1/calendar: a revision, 0 or absent for everything. */
export function parseRevisionQuery(query: unknown): number {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const after = q.after;
  if (after === undefined) return 0;
  if (typeof after !== 'string' || !/^(0|[1-9][0-9]{0,14})$/.test(after)) {
    throw new HubError(400, 'invalid_revision', `after=${String(after).slice(0, 40)} 不正确：请传回上次响应中的 revision（首次为 0）`);
  }
  return Number(after);
}

// ---- the calendar the hub judges by ------------------------------------------------------

/** How often a hub re-reads the loads it did not make itself (the CLI on PostgreSQL while it runs). */
export const CALENDAR_REFRESH_MS = 60_000;

const cached = new WeakMap<Database, { calendar: WorkCalendar; revision: number; readAt: number }>();

function forget(db: Database): void {
  cached.delete(db);
}

/**
 * The calendar the hub judges by now: the shipped years plus those loaded here. Synchronous
 * for the push's judging; `refreshCalendar` keeps it current.
 */
export function calendarFor(db: Database): WorkCalendar {
  return cached.get(db)?.calendar ?? defaultCalendar();
}

/** Read the loaded years again when they changed, or when the last read is older than maxAgeMs. */
export async function refreshCalendar(db: Database, maxAgeMs = CALENDAR_REFRESH_MS): Promise<WorkCalendar> {
  const known = cached.get(db);
  if (known && Date.now() - known.readAt < maxAgeMs) return known.calendar;
  const { revision, years } = await yearsInForce(db);
  if (known && known.revision === revision) {
    cached.set(db, { ...known, readAt: Date.now() });
    return known.calendar;
  }
  const calendar = calendarWith(years);
  cached.set(db, { calendar, revision, readAt: Date.now() });
  return calendar;
}
