/**
 * The check a desk makes when it opens after a session that did not end cleanly (a crash, a
 * killed process, a power cut).
 *
 * Chromium's IndexedDB commits a transaction as several LevelDB writes (the writes made before
 * each read inside it go out unsynced; the commit is one synced write), and LevelDB does not
 * sync its old log file when it moves to a new one (google/leveldb#193). A transaction that
 * straddles that move, cut by a power failure before LevelDB's background flush is on disk,
 * comes back in part: its commit and later writes kept, its first writes lost. Strict
 * durability cannot prevent it; test/e2e/power-cut.spec.ts makes it happen. What it can leave:
 * case rows that count more (or fewer) events than are held, events without their case row,
 * counters off, and a pull cursor past events that are not there.
 *
 * So, after an unclean end, the latest writes are looked at for signs of a torn transaction
 * (tornSigns: cheap). If there is one, the whole store is checked: every case row is compared
 * with the events held for it (counted from the events' case index, not read); a case that
 * disagrees is folded again from its events (the projection is derived data); the counters are
 * counted again from the rows; and if anything disagreed, the pull cursor goes back to 0, so
 * the next sync round pulls every event again and takes what is missing (held ids are skipped). Nothing recorded is deleted or
 * rewritten. An event of this desk's own lost that way is beyond repair here (its outbox entry
 * went with it); the hub reports the gap in its sequence if a later event reached it.
 *
 * The marker: a settings row naming the page sessions open, this page's added (strict) when
 * the desk opens and removed when the page is hidden for good. Another found at open whose page
 * is not open any more (its Web Lock is free): a session did not end cleanly (or its removal did
 * not finish: then the check finds nothing and changes nothing).
 */
import type { Table } from 'dexie';
import type { Status } from '../../../src-common/domain';
import { COUNTER } from './counters';
import type { CounterRow, RelayDb, StoredCase } from './db';
import { CURSOR_KEY } from './pull-cursor';

const LSEQ_KEY = 'local:lseq';
import { refoldCases, refusedIds } from './refold';

export const SESSION_KEY = 'session:open';

export interface CrashCheck {
  /** the last session ended uncleanly, so the data was checked */
  checked: boolean;
  /** case rows folded again and written (their row disagreed with the events held) */
  refolded: number;
  /** case rows taken down because their creation is not held (shown again once pulled again) */
  hidden?: number;
  /** records put again as they were, their index entries having been lost */
  reindexed?: number;
  /** counters corrected, with the value kept and the count of the rows */
  counters: Array<{ key: string; kept: number; rows: number }>;
  /** the pull cursor given up (null: left as it was) */
  rewound: string | null;
  /** what the quick look at the latest writes found (tornSigns), when it was made */
  signs?: string[];
}

/** The sessions marked open: page session id → when it opened (an older desk wrote one string). */
function openSessions(value: unknown): Record<string, string> {
  if (typeof value === 'string') return { earlier: value };
  return value && typeof value === 'object' ? { ...(value as Record<string, string>) } : {};
}

/**
 * Mark this page's session open; returns whether a session that is not open any more was left
 * marked: one that did not end cleanly. `alive` names the other sessions known to be open still
 * (other tabs of the browser edition, each holding its Web Lock): theirs stay marked; the rest
 * are dropped, this check standing for them.
 *
 * A session left marked is no unclean end when one alive now was marked open at or before it:
 * the browser that holds the store (and the Web Locks) has run without a break since then, so
 * that page went away alone (a tab closed before its pagehide's write finished) and nothing of
 * the store can be torn. A session marked open again (a reload of the same tab) keeps the time
 * it was first marked.
 */
export async function openSession(db: RelayDb, session: string, alive: ReadonlySet<string> = new Set(), now: Date = new Date()): Promise<boolean> {
  return db.transaction('rw', db.settings, async () => {
    const open = openSessions((await db.settings.get(SESSION_KEY))?.value);
    const others = Object.keys(open).filter((id) => id !== session);
    const living = others.filter((id) => alive.has(id));
    const kept = Object.fromEntries(living.map((id) => [id, open[id]!]));
    const since = open[session] !== undefined && Number.isFinite(Date.parse(open[session])) ? open[session] : now.toISOString();
    await db.settings.put({ key: SESSION_KEY, value: { ...kept, [session]: since } });
    const earliestAlive = Math.min(...living.map((id) => Date.parse(open[id]!)).filter(Number.isFinite));
    return others.some((id) => !alive.has(id) && !(Date.parse(open[id]!) >= earliestAlive));
  });
}

/** This page's session ends cleanly (best effort: called as the page goes away). */
export async function closeSession(db: RelayDb, session: string): Promise<void> {
  await db.transaction('rw', db.settings, async () => {
    const open = openSessions((await db.settings.get(SESSION_KEY))?.value);
    delete open[session];
    if (Object.keys(open).length === 0) await db.settings.delete(SESSION_KEY);
    else await db.settings.put({ key: SESSION_KEY, value: open });
  });
}

/**
 * Every case whose row disagrees with the events held for it, and cases held only as events;
 * with every case row as read.
 */
async function disagreeing(db: RelayDb): Promise<{ ids: string[]; rows: StoredCase[] }> {
  const [eventCaseIds, rows, refused] = await Promise.all([db.events.orderBy('caseId').keys() as Promise<string[]>, db.cases.toArray(), refusedIds(db)]);
  const held = new Map<string, number>();
  for (const caseId of eventCaseIds) held.set(caseId, (held.get(caseId) ?? 0) + 1);
  if (refused.size > 0) {
    for (const e of await db.events.bulkGet([...refused])) if (e) held.set(e.caseId, (held.get(e.caseId) ?? 1) - 1);
  }
  const ids: string[] = [];
  const withRow = new Set<string>();
  for (const row of rows) {
    withRow.add(row.id);
    if ((held.get(row.id) ?? 0) !== row.eventCount) ids.push(row.id);
  }
  // events without a row: a case whose row was lost (or whose creation has not arrived: then
  // folding again finds nothing to show, and changes nothing)
  for (const [caseId, n] of held) if (n > 0 && !withRow.has(caseId)) ids.push(caseId);
  return { ids, rows };
}

/** The counters as the rows give them. */
async function countedCounters(db: RelayDb, rows: Iterable<StoredCase>): Promise<Map<string, number>> {
  const counts = new Map<string, number>([
    [COUNTER.total, 0],
    [COUNTER.urgentOpen, 0],
  ]);
  for (const row of rows) {
    counts.set(COUNTER.total, counts.get(COUNTER.total)! + 1);
    const status = COUNTER.status(row.status as Status);
    counts.set(status, (counts.get(status) ?? 0) + 1);
    if (row.urgency === 'urgent' && row.status !== 'closed') counts.set(COUNTER.urgentOpen, counts.get(COUNTER.urgentOpen)! + 1);
  }
  counts.set(COUNTER.outbox, await db.outbox.count());
  counts.set(COUNTER.rejected, await db.rejected.count());
  return counts;
}

/**
 * After an unclean end (see above): check, fold again what disagrees, count the counters
 * again, and rewind the pull cursor when anything disagreed. One transaction: a desk that loses
 * power again meanwhile finds the marker still there and checks again.
 */
export async function checkAfterUncleanEnd(db: RelayDb): Promise<CrashCheck> {
  return db.transaction('rw', [db.settings, db.events, db.cases, db.outbox, db.rejected, db.counters, db.hubAcks], async () => {
    // records whose index entries were lost (first: everything below reads through indexes)
    const reindexed = (await reindexMissing(db.events, EVENT_INDEXES)) + (await reindexMissing(db.cases, CASE_ROW_INDEXES));
    const keptBefore = new Map((await db.counters.toArray()).map((row: CounterRow) => [row.key, row.n]));
    const { ids, rows } = await disagreeing(db);
    // rows written again (a case held only as events of a handover sheet has none: unchanged)
    const refolded = ids.length > 0 ? await refoldCases(db, ids) : 0;
    const byId = new Map(rows.map((row) => [row.id, row]));
    let hidden = 0;
    if (ids.length > 0) {
      const now = await db.cases.bulkGet(ids);
      ids.forEach((id, i) => {
        if (now[i]) byId.set(id, now[i]);
        else if (byId.delete(id)) hidden++; // its creation is not held: shown again once pulled again
      });
    }
    const counted = await countedCounters(db, byId.values());
    const keptNow = new Map((await db.counters.toArray()).map((row: CounterRow) => [row.key, row.n]));
    const keys = new Set([...counted.keys(), ...[...keptNow.keys(), ...keptBefore.keys()].filter((k) => k.startsWith('cases:'))]);
    const fix = [...keys].filter((key) => (keptNow.get(key) ?? 0) !== (counted.get(key) ?? 0));
    if (fix.length > 0) await db.counters.bulkPut(fix.map((key) => ({ key, n: counted.get(key) ?? 0 })));
    // as stored before the check (the refold moved them meanwhile)
    const counters = [...keys].filter((key) => (keptBefore.get(key) ?? 0) !== (counted.get(key) ?? 0)).map((key) => ({ key, kept: keptBefore.get(key) ?? 0, rows: counted.get(key) ?? 0 }));
    let rewound: string | null = null;
    if (refolded > 0 || hidden > 0 || reindexed > 0 || counters.length > 0) {
      const cursor = (await db.settings.get(CURSOR_KEY))?.value;
      if (typeof cursor === 'string' && cursor !== '0') {
        await db.settings.put({ key: CURSOR_KEY, value: '0' });
        rewound = cursor;
      }
    }
    return { checked: true, refolded, hidden, reindexed, counters, rewound };
  });
}

/** The event indexes every event has a key in (hubSeq is absent until the hub numbers it). */
const EVENT_INDEXES = ['caseId', '[stationId+seq]', 'lseq'];
/** One index every case row has a key in: a row whose entries were lost is missing from it. */
const CASE_ROW_INDEXES = ['updatedAt', '[status+updatedAt]'];
/** The index of each store the quick look counts against the store. */
const QUICK_EVENT_INDEX = 'lseq';
const QUICK_CASE_INDEX = 'updatedAt';

/**
 * Records held in a store but missing from one of its indexes (a torn transaction kept the
 * record and lost its index entries: every query through that index misses it, and a pull
 * again skips it, as held). Each is put again as it is, which writes its index entries anew;
 * its content does not change. Returns how many.
 */
async function reindexMissing<T, K extends string>(table: Table<T, K>, indexes: readonly string[]): Promise<number> {
  const all = (await table.toCollection().primaryKeys()) as K[];
  const missing = new Set<K>();
  for (const index of indexes) {
    // compared key by key: entries pointing to no record could offset a count
    const indexed = new Set((await table.orderBy(index).primaryKeys()) as K[]);
    for (const key of all) if (!indexed.has(key)) missing.add(key);
  }
  if (missing.size === 0) return 0;
  const rows = (await table.bulkGet([...missing])).filter((row): row is NonNullable<typeof row> => row !== undefined);
  await table.bulkPut(rows as T[]);
  return rows.length;
}

/**
 * How far back a torn transaction can lie, in events: LevelDB syncs a log file before it
 * records the flush of the memtable that log fed, so only its last two logs (a few MB of
 * writes, a few thousand events) can hold writes a power cut takes back.
 */
export const RECENT_EVENTS = 10_000;

/**
 * Quick signs of a torn transaction, looking only at the most recent writes and at counts:
 * local numbers (lseq) missing among the latest events or out of step with the number kept;
 * the latest events' cases counting other events than are held, or held without their row; the
 * kept counts of cases and of the outbox against the rows; events and case rows counted by
 * their store against one of their indexes (a record whose index entries were lost). Empty:
 * nothing torn.
 */
export async function tornSigns(db: RelayDb): Promise<string[]> {
  return db.transaction('r', [db.settings, db.events, db.cases, db.outbox, db.rejected, db.counters], async () => {
    const signs: string[] = [];
    const [recent, kept, total, outbox, counters, events, ...indexed] = await Promise.all([
      db.events.orderBy('lseq').reverse().limit(RECENT_EVENTS).toArray(),
      db.settings.get(LSEQ_KEY),
      db.cases.count(),
      db.outbox.count(),
      db.counters.bulkGet([COUNTER.total, COUNTER.outbox]),
      db.events.count(),
      // one index of each store (an index count costs ~0.8 s at 300,000 events): a tear takes a
      // record's index entries together (seen in every torn profile replayed)
      db.events.orderBy(QUICK_EVENT_INDEX).count(),
      db.cases.orderBy(QUICK_CASE_INDEX).count(),
    ]);
    // a record whose index entries a tear took: counted by its store, not by the index
    if (indexed[0] !== events) signs.push(`events held ${events}, in the ${QUICK_EVENT_INDEX} index ${indexed[0]}`);
    if (indexed[1] !== total) signs.push(`case rows ${total}, in the ${QUICK_CASE_INDEX} index ${indexed[1]}`);
    const lseqs = recent.map((e) => e.lseq);
    if (lseqs.length > 0 && typeof kept?.value === 'number' && kept.value !== lseqs[0]) signs.push(`local number kept ${kept.value}, latest held ${lseqs[0]}`);
    for (let i = 1; i < lseqs.length; i++) {
      if (lseqs[i - 1]! - lseqs[i]! !== 1) {
        signs.push(`local numbers ${lseqs[i]! + 1}–${lseqs[i - 1]! - 1} missing`);
        break;
      }
    }
    if ((counters[0]?.n ?? 0) !== total) signs.push(`cases counted ${counters[0]?.n ?? 0}, rows ${total}`);
    if ((counters[1]?.n ?? 0) !== outbox) signs.push(`outbox counted ${counters[1]?.n ?? 0}, rows ${outbox}`);
    const caseIds = [...new Set(recent.map((e) => e.caseId))];
    const [heldKeys, rows, refused] = await Promise.all([db.events.where('caseId').anyOf(caseIds).keys() as Promise<string[]>, db.cases.bulkGet(caseIds), refusedIds(db)]);
    const held = new Map<string, number>();
    for (const caseId of heldKeys) held.set(caseId, (held.get(caseId) ?? 0) + 1);
    if (refused.size > 0) for (const e of await db.events.bulkGet([...refused])) if (e && held.has(e.caseId)) held.set(e.caseId, held.get(e.caseId)! - 1);
    const created = new Set(recent.filter((e) => e.type === 'case.created').map((e) => e.caseId));
    let off = 0;
    caseIds.forEach((caseId, i) => {
      const row = rows[i];
      if (row ? row.eventCount !== held.get(caseId) : created.has(caseId) && !refused.has(recent.find((e) => e.caseId === caseId && e.type === 'case.created')!.id)) off++;
    });
    if (off > 0) signs.push(`${off} recent cases disagree with their events`);
    return signs;
  });
}

const LOCK_PREFIX = 'relay-desk-session:';

/**
 * Hold this page's session lock for as long as the page lives (the browser lets it go when the
 * page closes or dies), and name the other sessions whose locks are held: pages open still.
 * Without Web Locks (tests in Node), none.
 */
async function holdSessionLock(session: string): Promise<Set<string>> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return new Set();
  await new Promise<void>((granted) => {
    void locks.request(`${LOCK_PREFIX}${session}`, () => {
      granted();
      return new Promise<never>(() => undefined);
    });
  });
  const state = await locks.query();
  return new Set(
    (state.held ?? [])
      .map((lock) => lock.name ?? '')
      .filter((name) => name.startsWith(LOCK_PREFIX))
      .map((name) => name.slice(LOCK_PREFIX.length))
      .filter((id) => id !== session),
  );
}

/** The key of this tab's session: kept across a reload of the page, gone with the browser. */
const TAB_KEY = 'relay:tab-session';

/**
 * At open: mark the session; when another was left marked (a session that did not end
 * cleanly), look for signs of a torn transaction and, if any, check the whole store. A reload
 * of the same page (the tab's session storage still holds its id) is no unclean end: the
 * browser that holds the store went on running. Returns the check and this page's session id
 * (for closeSession).
 */
export async function checkAtOpen(
  db: RelayDb,
  tab: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.sessionStorage ?? null,
): Promise<CrashCheck & { session: string }> {
  const held = tab?.getItem(TAB_KEY) ?? null;
  const session = held ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  tab?.setItem(TAB_KEY, session);
  const unclean = await openSession(db, session, await holdSessionLock(session));
  if (!unclean || held !== null) return { checked: false, refolded: 0, counters: [], rewound: null, signs: [], session };
  const signs = await tornSigns(db);
  if (signs.length === 0) return { checked: true, refolded: 0, counters: [], rewound: null, signs, session };
  return { ...(await checkAfterUncleanEnd(db)), signs, session };
}
