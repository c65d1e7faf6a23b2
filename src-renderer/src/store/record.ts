/**
 * Recording what an operator did. One call is one transaction: every event, its case
 * projection, its outbox entry and the counters commit together, or nothing does. An event
 * the case does not allow throws DomainError; a malformed one throws ValidationError; in
 * both cases nothing is written.
 */
import {
  applyEvent,
  DomainError,
  formatCaseNo,
  refusalForRole,
  parseEvent,
  ulid,
  type CaseState,
  type Command,
  type RelayEvent,
  type Station,
} from '../../../src-common/domain';
import { CounterDelta, COUNTER } from './counters';
import type { RelayDb, StoredEvent } from './db';
import { toCaseState, toStoredCase } from './projection';
import { CURSOR_KEY, cursorOf } from './pull-cursor';

const SEQ_KEY = 'station:seq';
const LSEQ_KEY = 'local:lseq';

async function nextNumber(db: RelayDb, key: string, by = 1): Promise<number> {
  const row = await db.settings.get(key);
  const current = typeof row?.value === 'number' ? row.value : 0;
  await db.settings.put({ key, value: current + by });
  return current + 1;
}

/**
 * Put this in a case.created payload's caseNo to have the number allocated inside the save's
 * own transaction (one strict commit instead of two, and no number used without its case).
 */
export const AUTO_CASE_NO = '__auto__';

function caseNoKey(day: Date): string {
  return `caseNo:${day.getFullYear()}${String(day.getMonth() + 1).padStart(2, '0')}${String(day.getDate()).padStart(2, '0')}`;
}

export interface RecordContext {
  station: Station;
  now?: () => Date;
}

export async function recordCommands(db: RelayDb, ctx: RecordContext, commands: readonly Command[]): Promise<RelayEvent[]> {
  if (commands.length === 0) return [];
  const now = ctx.now ?? (() => new Date());
  return db.transaction('rw', [db.events, db.cases, db.outbox, db.settings, db.counters], async () => {
    const firstSeq = await nextNumber(db, SEQ_KEY, commands.length);
    const firstLseq = await nextNumber(db, LSEQ_KEY, commands.length);
    const before = new Map<string, CaseState | undefined>();
    const after = new Map<string, CaseState>();
    const stored: StoredEvent[] = [];
    const counters = new CounterDelta();
    for (const [i, command] of commands.entries()) {
      if (!after.has(command.caseId) && !before.has(command.caseId)) {
        const row = await db.cases.get(command.caseId);
        before.set(command.caseId, row ? toCaseState(row) : undefined);
      }
      const at = now();
      let payload = command.payload;
      if (command.type === 'case.created' && (payload as { caseNo?: string }).caseNo === AUTO_CASE_NO) {
        const n = await nextNumber(db, caseNoKey(at));
        payload = { ...(payload as object), caseNo: formatCaseNo(ctx.station.stationId, at, n) } as typeof payload;
      }
      const event = parseEvent({
        v: 1,
        id: ulid(at.getTime()),
        caseId: command.caseId,
        stationId: ctx.station.stationId,
        operator: ctx.station.operator,
        seq: firstSeq + i,
        at: at.toISOString(),
        type: command.type,
        payload,
      });
      const state = after.get(command.caseId) ?? before.get(command.caseId);
      // this desk's role and place on the case first, then the case's own rules
      const refusal = refusalForRole(state, event, ctx.station);
      if (refusal !== null) throw new DomainError(refusal);
      after.set(command.caseId, applyEvent(state, event, 'strict'));
      stored.push({ ...event, hubSeq: null, lseq: firstLseq + i });
    }
    const queuedAt = now().toISOString();
    // what this desk knew when it acted: the hub judges the events by it
    const basis = cursorOf(await db.settings.get(CURSOR_KEY));
    await db.events.bulkAdd(stored);
    await db.outbox.bulkAdd(stored.map((e) => ({ eventId: e.id, lseq: e.lseq, queuedAt, basis })));
    await db.cases.bulkPut([...after.values()].map(toStoredCase));
    for (const [caseId, state] of after) counters.caseChanged(before.get(caseId), state);
    counters.add(COUNTER.outbox, stored.length);
    await counters.apply(db);
    return stored.map(({ hubSeq: _h, lseq: _l, ...event }) => event as RelayEvent);
  });
}

/** The next case number of this station for the given day; call inside or outside a transaction. */
export async function nextCaseNo(db: RelayDb, station: Station, day: Date = new Date()): Promise<string> {
  const n = await db.transaction('rw', db.settings, () => nextNumber(db, caseNoKey(day)));
  return formatCaseNo(station.stationId, day, n);
}
