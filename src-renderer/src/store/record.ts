/**
 * Recording what an operator did. One call is one transaction: every event, its case
 * projection, its outbox entry and the counters commit together, or nothing does. An event
 * the case does not allow throws DomainError; a malformed one throws ValidationError; in
 * both cases nothing is written.
 */
import Dexie from 'dexie';
import {
  applyEvent,
  defaultCalendar,
  defaultTimeLimitRules,
  DomainError,
  EXTENSION_CAP_SLACK_DAYS,
  extensionEventRefusal,
  caseNoDay,
  formatCaseNo,
  refusalForRole,
  parseEvent,
  ulid,
  type CaseState,
  type Command,
  type RelayEvent,
  type Station,
  type TimeLimitRules,
  type WorkCalendar,
} from '../../../src-common/domain';
import { CounterDelta, COUNTER } from './counters';
import type { RelayDb, SettingRow, StoredEvent } from './db';
import { toCaseState, toStoredCase } from './projection';
import { CURSOR_KEY, cursorOf } from './pull-cursor';
import { getAll, getMany, heldKeys } from './read-at-once';
import { putAll } from './write-and-commit';

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

/** the daily counter of case numbers: one per Beijing-time day, as in the numbers (formatCaseNo) */
function caseNoKey(day: Date): string {
  return `caseNo:${caseNoDay(day)}`;
}

export interface RecordContext {
  station: Station;
  now?: () => Date;
  /**
   * The time limits and calendar the desk's screens count by (app/rules.ts): an extension is
   * then held to exactly the cap they showed. Without them, to the hub's coarser check (the
   * shipped calendar, EXTENSION_CAP_SLACK_DAYS past its cap), which never refuses what a
   * desk's own calendar may allow.
   */
  limits?: { rules: TimeLimitRules; calendar: WorkCalendar };
}

const numberOf = (row: SettingRow | undefined): number => (typeof row?.value === 'number' ? row.value : 0);

/**
 * The transaction makes two round trips to IndexedDB: every read first, at once (settings,
 * case rows, counters, and whether the new event ids are free), then every write, at once,
 * followed by the commit without waiting for the writes' answers (write-and-commit.ts). Search
 * reads the case rows' terms through the in-memory index (memory-search.ts), which hears of
 * the commit (case-write-feed.ts): nothing more is written for it.
 */
export async function recordCommands(db: RelayDb, ctx: RecordContext, commands: readonly Command[]): Promise<RelayEvent[]> {
  if (commands.length === 0) return [];
  const now = ctx.now ?? (() => new Date());
  // inside a caller's transaction (demo-fill.ts), whose commit is not known here
  const nested = Dexie.currentTransaction !== null;
  return db.transaction('rw', [db.events, db.cases, db.outbox, db.settings, db.counters], async (tx) => {
    // one reading of the clock per command, in order, then one for the outbox (demo-fill.ts relies on it)
    const ats = commands.map(() => now());
    const ids = ats.map((at) => ulid(at.getTime()));
    const caseIds = [...new Set(commands.map((c) => c.caseId))];
    const isAuto = (c: Command) => c.type === 'case.created' && (c.payload as { caseNo?: string }).caseNo === AUTO_CASE_NO;
    const caseNoKeys = [...new Set(commands.flatMap((c, i) => (isAuto(c) ? [caseNoKey(ats[i]!)] : [])))];
    const settingKeys = [SEQ_KEY, LSEQ_KEY, ...caseNoKeys];
    const counters = new CounterDelta();
    // all at once, past Dexie (read-at-once.ts)
    const [settingRows, caseRows, counterRows, heldEvents, heldOutbox] = await Promise.all([
      // with what this desk knew when it acted (the pull cursor): the hub judges the events by it
      getMany(tx, db.settings, [...settingKeys, CURSOR_KEY]),
      getMany(tx, db.cases, caseIds),
      getAll(tx, db.counters),
      // the writes are puts (see write-and-commit.ts): new rows must not overwrite held ones
      heldKeys(tx, db.events, ids, db.keyRange),
      heldKeys(tx, db.outbox, ids, db.keyRange),
    ]);
    counters.prefetched(counterRows);
    const held = [...heldEvents, ...heldOutbox, ...ids.filter((id, i) => ids.indexOf(id) !== i)];
    if (held.length > 0) throw new Error(`event id not new: ${[...new Set(held)].join(', ')}`);
    const basis = cursorOf(settingRows[settingKeys.length]);
    const settings = new Map(settingKeys.map((key, i) => [key, numberOf(settingRows[i])]));
    const firstSeq = settings.get(SEQ_KEY)! + 1;
    const firstLseq = settings.get(LSEQ_KEY)! + 1;
    const before = new Map<string, CaseState | undefined>(caseIds.map((id, i) => [id, caseRows[i] ? toCaseState(caseRows[i]) : undefined]));
    const after = new Map<string, CaseState>();
    const stored: StoredEvent[] = [];
    for (const [i, command] of commands.entries()) {
      const at = ats[i]!;
      let payload = command.payload;
      if (isAuto(command)) {
        const key = caseNoKey(at);
        const n = settings.get(key)! + 1;
        settings.set(key, n);
        payload = { ...(payload as object), caseNo: formatCaseNo(ctx.station.stationId, at, n) } as typeof payload;
      }
      const event = parseEvent({
        v: 1,
        id: ids[i]!,
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
      const refusal =
        refusalForRole(state, event, ctx.station) ??
        (ctx.limits
          ? extensionEventRefusal(ctx.limits.rules, ctx.limits.calendar, state, event)
          : extensionEventRefusal(defaultTimeLimitRules(), defaultCalendar(), state, event, { capSlackDays: EXTENSION_CAP_SLACK_DAYS }));
      if (refusal !== null) throw new DomainError(refusal);
      after.set(command.caseId, applyEvent(state, event, 'strict'));
      stored.push({ ...event, hubSeq: null, lseq: firstLseq + i });
    }
    const queuedAt = now().toISOString();
    const lastLseq = firstLseq + commands.length - 1;
    const rows = [...after.values()].map((state) => toStoredCase(state));
    const settingWrites: SettingRow[] = [
      { key: SEQ_KEY, value: firstSeq + commands.length - 1 },
      { key: LSEQ_KEY, value: lastLseq },
      ...caseNoKeys.map((key) => ({ key, value: settings.get(key)! })),
    ];
    for (const [caseId, state] of after) counters.caseChanged(before.get(caseId), state);
    counters.add(COUNTER.outbox, stored.length);
    // everything handed back is made before the writes: after the commit is asked, nothing may throw
    const events = stored.map(({ hubSeq: _h, lseq: _l, ...event }) => event as RelayEvent);
    await putAll(
      tx,
      [
        { table: db.settings, rows: settingWrites },
        { table: db.events, rows: stored },
        { table: db.outbox, rows: stored.map((e) => ({ eventId: e.id, lseq: e.lseq, queuedAt, basis })) },
        { table: db.cases, rows },
        { table: db.counters, rows: counters.rows() },
      ],
      // nested, the caller's transaction goes on: it commits
      { commit: !nested },
    );
    return events;
  });
}

/** The next case number of this station for the given day; call inside or outside a transaction. */
export async function nextCaseNo(db: RelayDb, station: Station, day: Date = new Date()): Promise<string> {
  const n = await db.transaction('rw', db.settings, () => nextNumber(db, caseNoKey(day)));
  return formatCaseNo(station.stationId, day, n);
}
