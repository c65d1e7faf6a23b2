/**
 * What a desk must act on next, read through indexes: hand-overs waiting for this station,
 * open cases it owns (by deadline), assignments it handed out that are overdue, and, for
 * supervisors, everything overdue or about to be.
 */
import { awaitingKeysOf, type StationIdentity, type Status } from '../../../src-common/domain';
import { NO_DUE_KEY, type RelayDb, type StoredCase } from './db';

/** at most this many rows a queue (the desk shows "500+" beyond) */
export const QUEUE_LIMIT = 500;
const LIMIT = QUEUE_LIMIT;

/** Hand-overs (transfers, assignments) waiting for this station's acknowledgement, earliest deadline first. */
export async function awaitingMe(db: RelayDb, station: StationIdentity): Promise<StoredCase[]> {
  const rows = await db.cases.where('awaitingKey').anyOf(awaitingKeysOf(station)).limit(LIMIT).toArray();
  return rows.filter((r) => r.status === 'transferred' || r.status === 'assigned').sort(byDue);
}

/** Open cases this station owns, earliest deadline first (cases without one last). */
export async function ownedOpen(db: RelayDb, stationId: string, statuses?: readonly Status[]): Promise<StoredCase[]> {
  const rows = await db.cases
    .where('[ownerId+dueKey]')
    .between([stationId, ''], [stationId, '\uffff'], true, true)
    .filter((r) => r.status !== 'closed' && (!statuses || statuses.includes(r.status)))
    .limit(LIMIT)
    .toArray();
  return rows;
}

/** Every open case whose deadline falls before `before` (overdue and at risk), earliest first. */
export async function dueBefore(db: RelayDb, before: string): Promise<StoredCase[]> {
  return db.cases
    .where('dueKey')
    .below(before < NO_DUE_KEY ? before : NO_DUE_KEY)
    .filter((r) => r.status !== 'closed')
    .limit(LIMIT)
    .toArray();
}

function byDue(a: StoredCase, b: StoredCase): number {
  return a.dueKey < b.dueKey ? -1 : a.dueKey > b.dueKey ? 1 : a.id < b.id ? -1 : 1;
}

/**
 * Acknowledged cases this station assigned whose deadline has passed before `before`: the
 * assigner (a 12345 desk) follows up an assignment it handed out, though it no longer owns it.
 */
export async function assignedByMeDue(db: RelayDb, stationId: string, before: string): Promise<StoredCase[]> {
  return db.cases
    .where('[status+dueKey]')
    .between(['acknowledged', ''], ['acknowledged', before], true, false)
    .filter((r) => r.assignment?.by.stationId === stationId)
    .limit(LIMIT)
    .toArray();
}

