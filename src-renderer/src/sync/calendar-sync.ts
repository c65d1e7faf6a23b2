/**
 * The sync round's last step: the working-day calendar years loaded at the hub
 * (GET /api/v1/calendar), taken into this desk's calendar (app/rules.ts).
 *
 * Asked from the revision the desk holds, the hub answers with nothing new almost always. A
 * hub whose revision is below the desk's (another hub, or one restored from an older backup)
 * is asked again from 0. A hub without the endpoint (an older release) is left alone. A year
 * the hub sends that fails the calendar's checks is not taken: the desk keeps its calendar,
 * notes why for the calendar panel, and the round goes on — events must not wait for a
 * holiday table. Network trouble and a lost token fail the round as any request does.
 */
import { applyHubCalendar, hubCalendarState, noteHubCalendarError } from '../app/rules';
import type { RelayDb } from '../store/db';
import { HubError, type HubClient } from './hub-client';

export interface CalendarSyncResult {
  /** the hub's revision now held (unchanged when the hub had nothing new) */
  revision: number;
  /** years whose schedule changed at this desk */
  changed: number[];
  /** why the hub's calendar was not taken, when it was not */
  error?: string;
  /** the hub does not offer a calendar (older release) */
  unsupported?: boolean;
}

export async function syncCalendar(db: RelayDb, client: HubClient): Promise<CalendarSyncResult> {
  const held = await hubCalendarState(db);
  try {
    let answer = await client.calendar(held.revision);
    if (answer.revision < held.revision) answer = await client.calendar(0);
    if (answer.years.length === 0 && answer.revision === held.revision && held.error === null) return { revision: held.revision, changed: [] };
    const changed = await applyHubCalendar(db, answer);
    return { revision: answer.revision, changed };
  } catch (e) {
    if (e instanceof HubError && e.status === 404) return { revision: held.revision, changed: [], unsupported: true };
    if (e instanceof HubError && e.kind === 'protocol') {
      const error = `市级中心下发的工作日历未被采用：${e.detail || e.message}`;
      await noteHubCalendarError(db, error);
      return { revision: held.revision, changed: [], error };
    }
    throw e;
  }
}
