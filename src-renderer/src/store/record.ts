/**
 * Recording what an operator did. One call is one transaction: every event, its case
 * projection, its outbox entry and the counters commit together, or nothing does. An event
 * the case does not allow throws DomainError; a malformed one throws ValidationError; in
 * both cases nothing is written.
 */
import Dexie, { type Transaction } from 'dexie';
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
import type { CounterRow, RelayDb, SettingRow, StoredEvent } from './db';
import { toCaseState, toStoredCase } from './projection';
import { CURSOR_KEY, cursorOf } from './pull-cursor';
import { getAll, getMany, heldKeys } from './read-at-once';
import { forgetBasis, rememberBasis, seenBasis } from './save-basis';
import { commitNow, putAll, type TablePuts } from './write-and-commit';

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

/** What a recording is worked out from, as read in its transaction (or as predicted: save-basis.ts). */
interface Basis {
  /** SEQ_KEY, LSEQ_KEY and the day's case-number keys: the numbers they hold (0 where none) */
  settings: Map<string, number>;
  /** the pull cursor (the outbox rows' basis) */
  cursor: string;
  cases: Map<string, CaseState | undefined>;
  counters: Map<string, number>;
}

/** What the reads answered: the basis, and the new event ids already held (none, but checked). */
interface Read {
  basis: Basis;
  held: string[];
}

/** A recording worked out in full before anything is written: its writes and what it hands back. */
interface Planned {
  events: RelayEvent[];
  puts: TablePuts[];
  settingWrites: SettingRow[];
  counterWrites: CounterRow[];
}

/** How intake saves went since the page opened: predicted right (one round trip), or not (done again). For benchmarks and tests. */
export const predictionStats = { predicted: 0, mispredicted: 0 };

/**
 * Record commands in one transaction. A recording needs what the store holds (the station's
 * numbers, the case rows, the counters, the pull cursor); it is worked out, then written.
 *
 * Two round trips to IndexedDB at most: every read at once, then every write at once followed by
 * the commit without waiting for the writes' answers (write-and-commit.ts). When every command
 * is on a case it creates (an intake) and this window has seen the numbers and counters before,
 * one: the reads and the writes worked out from the predicted basis go out together, and when
 * the reads come back (before any write is answered: IndexedDB answers a transaction's requests
 * in order) the commit is asked only if they show exactly the basis predicted; otherwise the
 * transaction is aborted (nothing of it is written) and the recording is done again the
 * two-round-trip way. Search reads the case rows' terms through the in-memory index
 * (memory-search.ts), which hears of the commit (case-write-feed.ts): nothing more is written
 * for it.
 */
export async function recordCommands(db: RelayDb, ctx: RecordContext, commands: readonly Command[]): Promise<RelayEvent[]> {
  if (commands.length === 0) return [];
  // inside a caller's transaction (demo-fill.ts), whose commit is not known here
  const nested = Dexie.currentTransaction !== null;
  // the same clock readings and ids whichever way it is recorded
  const shape = shapeOf(ctx, commands);
  if (!nested && commandsCreateTheirCases(commands) && predictable(db, shape)) {
    const outcome = await recordPredicted(db, ctx, commands, shape);
    if (outcome !== MISPREDICTED) {
      predictionStats.predicted++;
      return outcome;
    }
    predictionStats.mispredicted++;
  }
  return db.transaction('rw', [db.events, db.cases, db.outbox, db.settings, db.counters], async (tx) => {
    const read = await readBasis(tx, db, shape);
    if (read.held.length > 0) throw new Error(`event id not new: ${read.held.join(', ')}`);
    const planned = plan(db, ctx, commands, shape, read.basis);
    await putAll(tx, planned.puts, { commit: !nested });
    // nested, the caller's transaction may still abort: nothing to learn from yet
    if (!nested) remember(db, read.basis, planned);
    return planned.events;
  });
}

const MISPREDICTED = Symbol('mispredicted');

/** The one-round-trip recording; MISPREDICTED when the store was not as predicted (nothing written). */
async function recordPredicted(db: RelayDb, ctx: RecordContext, commands: readonly Command[], shape: Shape): Promise<RelayEvent[] | typeof MISPREDICTED> {
  let mispredicted = false;
  try {
    return await db.transaction('rw', [db.events, db.cases, db.outbox, db.settings, db.counters], async (tx) => {
      const seen = seenBasis(db);
      // forgotten since (a delete in this window)
      if (!seen || !predictable(db, shape)) {
        mispredicted = true;
        throw new Error('not predicted');
      }
      // issued first: IndexedDB answers them before any of the writes below
      const reading = readBasis(tx, db, shape);
      // awaited below, unless a write is refused as it is issued: then the abort rejects it unheard
      reading.catch(() => undefined);
      const predicted: Basis = {
        settings: new Map(shape.settingKeys.map((key) => [key, seen.settings.get(key)!])),
        cursor: seen.cursor,
        cases: new Map(shape.caseIds.map((id) => [id, undefined])),
        counters: seen.counters,
      };
      let planned: Planned;
      try {
        planned = plan(db, ctx, commands, shape, predicted);
      } catch (error) {
        // refused on the predicted basis: refused on the real one too, if they are the same
        const read = await reading;
        if (!sameBasis(read, predicted, [])) mispredicted = true;
        throw error;
      }
      const written = putAll(tx, planned.puts, { commit: false });
      // answered only if the transaction commits; an abort below rejects it, and that is expected
      written.catch(() => undefined);
      const read = await reading;
      if (!sameBasis(read, predicted, planned.counterWrites)) {
        mispredicted = true;
        tx.idbtrans.abort();
        throw new Error('the store was not as predicted');
      }
      commitNow(tx);
      await written;
      remember(db, read.basis, planned);
      return planned.events;
    });
  } catch (error) {
    if (mispredicted) {
      forgetBasis(db);
      return MISPREDICTED;
    }
    throw error;
  }
}

/** Whether this window has seen every number the recording reads (not a new day's case numbers, say). */
function predictable(db: RelayDb, shape: Shape): boolean {
  const seen = seenBasis(db);
  return seen !== undefined && shape.settingKeys.every((key) => seen.settings.has(key));
}

/** Every case the commands touch is one they create first (an intake): none is held yet. */
function commandsCreateTheirCases(commands: readonly Command[]): boolean {
  const created = new Set<string>();
  for (const command of commands) {
    if (command.type === 'case.created') created.add(command.caseId);
    else if (!created.has(command.caseId)) return false;
  }
  return true;
}

/** Whether the reads show the predicted basis: the numbers, the cursor, no case, no held id, and the counters written. */
function sameBasis(read: Read, predicted: Basis, counterWrites: readonly CounterRow[]): boolean {
  if (read.held.length > 0) return false;
  if (read.basis.cursor !== predicted.cursor) return false;
  for (const [key, n] of predicted.settings) if (read.basis.settings.get(key) !== n) return false;
  for (const [id] of predicted.cases) if (read.basis.cases.get(id) !== undefined) return false;
  for (const { key } of counterWrites) if ((read.basis.counters.get(key) ?? 0) !== (predicted.counters.get(key) ?? 0)) return false;
  return true;
}

function remember(db: RelayDb, basis: Basis, planned: Planned): void {
  const counters = new Map(basis.counters);
  for (const { key, n } of planned.counterWrites) counters.set(key, n);
  const settings = new Map(basis.settings);
  for (const { key, value } of planned.settingWrites) settings.set(key, value as number);
  rememberBasis(db, { settings, cursor: basis.cursor, counters });
}

interface Shape {
  ats: Date[];
  ids: string[];
  caseIds: string[];
  settingKeys: string[];
}

function shapeOf(ctx: RecordContext, commands: readonly Command[]): Shape {
  const now = ctx.now ?? (() => new Date());
  // one reading of the clock per command, in order, then one for the outbox (demo-fill.ts relies on it)
  const ats = commands.map(() => now());
  const ids = ats.map((at) => ulid(at.getTime()));
  const caseIds = [...new Set(commands.map((c) => c.caseId))];
  const caseNoKeys = [...new Set(commands.flatMap((c, i) => (isAuto(c) ? [caseNoKey(ats[i]!)] : [])))];
  return { ats, ids, caseIds, settingKeys: [SEQ_KEY, LSEQ_KEY, ...caseNoKeys] };
}

const isAuto = (c: Command) => c.type === 'case.created' && (c.payload as { caseNo?: string }).caseNo === AUTO_CASE_NO;

/** Issue every read of a recording at once, past Dexie (read-at-once.ts); the requests are made before this returns. */
async function readBasis(tx: Transaction, db: RelayDb, shape: Shape): Promise<Read> {
  const { ids, caseIds, settingKeys } = shape;
  const [settingRows, caseRows, counterRows, heldEvents, heldOutbox] = await Promise.all([
    // with what this desk knew when it acted (the pull cursor): the hub judges the events by it
    getMany(tx, db.settings, [...settingKeys, CURSOR_KEY]),
    getMany(tx, db.cases, caseIds),
    getAll(tx, db.counters),
    // the writes are puts (see write-and-commit.ts): new rows must not overwrite held ones
    heldKeys(tx, db.events, ids, db.keyRange),
    heldKeys(tx, db.outbox, ids, db.keyRange),
  ]);
  const held = [...heldEvents, ...heldOutbox, ...ids.filter((id, i) => ids.indexOf(id) !== i)];
  return {
    basis: {
      settings: new Map(settingKeys.map((key, i) => [key, numberOf(settingRows[i])])),
      cursor: cursorOf(settingRows[settingKeys.length]),
      cases: new Map(caseIds.map((id, i) => [id, caseRows[i] ? toCaseState(caseRows[i]) : undefined])),
      counters: new Map(counterRows.map((row) => [row.key, row.n])),
    },
    held: [...new Set(held)],
  };
}

/** Work the recording out in full from its basis: events checked and folded, every row to write. Throws, writing nothing, when refused. */
function plan(db: RelayDb, ctx: RecordContext, commands: readonly Command[], shape: Shape, basis: Basis): Planned {
  const now = ctx.now ?? (() => new Date());
  const { ats, ids, settingKeys } = shape;
  const counters = new CounterDelta();
  counters.prefetched([...basis.counters].map(([key, n]) => ({ key, n })));
  const settings = new Map(basis.settings);
  const firstSeq = settings.get(SEQ_KEY)! + 1;
  const firstLseq = settings.get(LSEQ_KEY)! + 1;
  const before = basis.cases;
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
    ...settingKeys.slice(2).map((key) => ({ key, value: settings.get(key)! })),
  ];
  for (const [caseId, state] of after) counters.caseChanged(before.get(caseId), state);
  counters.add(COUNTER.outbox, stored.length);
  const counterWrites = counters.rows();
  // everything handed back is made before the writes: after the commit is asked, nothing may throw
  const events = stored.map(({ hubSeq: _h, lseq: _l, ...event }) => event as RelayEvent);
  const basisCursor = basis.cursor;
  return {
    events,
    settingWrites,
    counterWrites,
    puts: [
      { table: db.settings, rows: settingWrites },
      { table: db.events, rows: stored },
      { table: db.outbox, rows: stored.map((e) => ({ eventId: e.id, lseq: e.lseq, queuedAt, basis: basisCursor })) },
      { table: db.cases, rows },
      { table: db.counters, rows: counterWrites },
    ],
  };
}

/** The next case number of this station for the given day; call inside or outside a transaction. */
export async function nextCaseNo(db: RelayDb, station: Station, day: Date = new Date()): Promise<string> {
  const n = await db.transaction('rw', db.settings, () => nextNumber(db, caseNoKey(day)));
  return formatCaseNo(station.stationId, day, n);
}
