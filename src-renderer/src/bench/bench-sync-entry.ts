/**
 * The sync benchmark's page (bench-sync.html): functions on `window.relaySyncBench` that
 * scripts/bench-sync.ts calls through Playwright. A station here is the real store (RelayDb,
 * strict durability, on disk) and the real sync code (createHubClient, pushOutbox, pullAll,
 * applyExternalEvents), talking over real HTTP to the hub the Node process runs (another
 * origin: the hub answers with CORS headers). Beside the store's figures, the RAW figure of
 * bare Dexie in the same browser, so the store's own cost can be told from the machine's.
 */
import Dexie, { type Table } from 'dexie';
import {
  HOTLINE_TARGET,
  StationSchema,
  foldCase,
  intakeCommands,
  loadDefaultCatalogue,
  parseEvent,
  type Command,
  type IntakeDraft,
  type Station,
} from '../../../src-common/domain';
import type { PullResponse } from '../../../src-common/protocol/v1';
import { applyExternalEvents } from '../store/apply-external';
import { CounterDelta, readCounters } from '../store/counters';
import { RelayDb, type StoredEvent } from '../store/db';
import { countSequenced } from '../store/hub-seqs';
import { foldTipOf, toStoredCase } from '../store/projection';
import { AUTO_CASE_NO, recordCommands } from '../store/record';
import { createHubClient, type HubClient } from '../sync/hub-client';
import { startMemorySearch } from '../store/memory-search-source';
import { CURSOR_KEY, pullAll } from '../sync/pull';
import { applyPushResponse, nextBatchRead, pushOutbox } from '../sync/push';

// ---- databases --------------------------------------------------------------------------

const open = new Map<string, Dexie>();

function relayDb(name: string): RelayDb {
  let db = open.get(name);
  if (!db) {
    db = new RelayDb(name);
    open.set(name, db);
  }
  return db as RelayDb;
}

/**
 * Open a station's database as the desk does (openDb): with its in-memory search following every
 * case-row write, so what is measured includes keeping it current. (The desk fills it 1.5 s after
 * opening; these databases are new, so filling it is immediate.)
 */
async function openAsDesk(db: RelayDb): Promise<void> {
  await db.open();
  const search = await startMemorySearch(db);
  if (search.failed) throw new Error(`in-memory search: ${search.failed}`);
}

function deleteDatabase(name: string): Promise<void> {
  open.get(name)?.close();
  open.delete(name);
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error(`cannot delete ${name}`));
    req.onblocked = () => reject(new Error(`deleting ${name} is blocked by an open connection`));
  });
}

/** Bare Dexie: the events table with the store's own indexes and durability, nothing else. */
class RawDb extends Dexie {
  events!: Table<StoredEvent, string>;
  constructor(name: string) {
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({ events: 'id, caseId, [stationId+seq], lseq, hubSeq' });
  }
}

// ---- the station's offline work ---------------------------------------------------------

let intakeNo = 0;

const CATEGORIES = ['housing.water', 'housing.heating', 'housing.gas', 'power.outage', 'transport.taxi-lost', 'hrss.wages'];

function draft(now: Date): IntakeDraft {
  intakeNo++;
  const n = intakeNo;
  return {
    channel: 'call110',
    receivedAt: new Date(now.getTime() - 90_000).toISOString(),
    callerName: '王建国',
    callerPhone: `1390539${String(n % 10000).padStart(4, '0')}`,
    anonymous: false,
    confidential: false,
    address: `解放路${(n % 300) + 1}号凤凰城小区${(n % 30) + 1}号楼门口`,
    district: '兰山区',
    nature: 'help',
    category: CATEGORIES[n % CATEGORIES.length]!,
    urgency: n % 7 === 0 ? 'urgent' : 'normal',
    description: `凤凰城小区${(n % 30) + 1}号楼门口主水管爆裂，水流到路面，请尽快抢修（同步基准测试 ${n}）`,
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: n % 2 === 0, note: '请尽快安排抢修' },
  };
}

// ---- network timing ---------------------------------------------------------------------

interface CallTimes {
  calls: number;
  ms: number;
}

/** The real client, with the time spent waiting for the hub (HTTP + hub + response parsing) summed. */
function timedClient(hubUrl: string, token: string, times: CallTimes): HubClient {
  const client = createHubClient({ baseUrl: hubUrl, token, timeoutMs: 60_000 });
  const time = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      times.ms += performance.now() - t0;
      times.calls++;
    }
  };
  return {
    health: () => client.health(),
    me: () => client.me(),
    push: (events) => time(() => client.push(events)),
    pushSerialized: (body) => time(() => client.pushSerialized!(body)),
    pull: (after, limit) => time(() => client.pull(after, limit)),
    calendar: (after) => client.calendar(after),
  };
}

async function storeFigures(db: RelayDb) {
  const counters = await readCounters(db);
  return {
    events: await db.events.count(),
    sequenced: await countSequenced(db),
    cases: await db.cases.count(),
    outbox: await db.outbox.count(),
    outboxCounter: counters.outbox ?? 0,
    rejected: await db.rejected.count(),
    casesCounter: counters['cases:total'] ?? 0,
  };
}

// pages fetched once, then applied (or bulk-put) without the network in the way
let prefetched: Array<{ events: PullResponse['events']; cursor: string }> = [];

// ---- the API ----------------------------------------------------------------------------

const api = {
  /** Delete these databases (and forget prefetched pages). */
  async reset(names: string[]): Promise<void> {
    for (const name of names) await deleteDatabase(name);
    prefetched = [];
  },

  /**
   * Record `events` events offline at a 110 desk, as intakes (created + screened +
   * transferred to 12345, one case each); a remainder of 1 or 2 is notes on the first case.
   * `intakesPerTx` intakes per recordCommands call (one transaction each).
   */
  async fillOutbox(options: { dbName: string; station: Station; events: number; intakesPerTx?: number }) {
    loadDefaultCatalogue();
    const station = StationSchema.parse(options.station);
    await deleteDatabase(options.dbName);
    const db = relayDb(options.dbName);
    await openAsDesk(db);
    await db.settings.put({ key: 'station', value: station });
    const intakes = Math.floor(options.events / 3);
    const per = Math.max(1, options.intakesPerTx ?? 250);
    const t0 = performance.now();
    let firstCase: string | null = null;
    for (let done = 0; done < intakes; done += per) {
      const commands: Command[] = [];
      for (let i = done; i < Math.min(intakes, done + per); i++) {
        const now = new Date();
        commands.push(...intakeCommands(draft(now), station, AUTO_CASE_NO, now));
      }
      firstCase ??= commands[0]!.caseId;
      await recordCommands(db, { station }, commands);
    }
    const notes: Command[] = [];
    for (let i = 0; i < options.events - intakes * 3; i++) {
      notes.push({ caseId: firstCase!, type: 'case.noteAdded', payload: { text: `来电人再次来电催问（${i + 1}）` } });
    }
    if (notes.length > 0) await recordCommands(db, { station }, notes);
    const ms = performance.now() - t0;
    return { ms, intakes, notes: notes.length, ...(await storeFigures(db)) };
  },

  /** Deliver the whole outbox (pushOutbox), timed until it returns with the outbox empty. */
  async push(options: { dbName: string; hubUrl: string; token: string; stationId: string }) {
    const db = relayDb(options.dbName);
    await db.open();
    const before = await storeFigures(db);
    const net: CallTimes = { calls: 0, ms: 0 };
    const client = timedClient(options.hubUrl, options.token, net);
    const t0 = performance.now();
    const summary = await pushOutbox(db, client, options.stationId);
    const ms = performance.now() - t0;
    return { ms, summary, network: net, before, after: await storeFigures(db) };
  },

  /** A fresh station pulls everything it may see (pullAll), end to end. */
  async pull(options: { dbName: string; hubUrl: string; token: string; limit: number }) {
    await deleteDatabase(options.dbName);
    const db = relayDb(options.dbName);
    await openAsDesk(db);
    const net: CallTimes = { calls: 0, ms: 0 };
    const client = timedClient(options.hubUrl, options.token, net);
    const t0 = performance.now();
    const summary = await pullAll(db, client, options.limit, 100_000);
    const ms = performance.now() - t0;
    return { ms, summary, network: net, after: await storeFigures(db) };
  },

  /** Fetch every page once (not timed as apply), to apply them again without the network. */
  async prefetch(options: { hubUrl: string; token: string; limit: number }) {
    const client = createHubClient({ baseUrl: options.hubUrl, token: options.token, timeoutMs: 60_000 });
    prefetched = [];
    const t0 = performance.now();
    let cursor = '0';
    for (;;) {
      const page = await client.pull(cursor, options.limit);
      prefetched.push({ events: page.events, cursor: page.cursor });
      cursor = page.cursor;
      if (!page.more) break;
    }
    return { ms: performance.now() - t0, pages: prefetched.length, events: prefetched.reduce((n, p) => n + p.events.length, 0) };
  },

  /**
   * applyExternalEvents on the prefetched pages into a fresh store, one call per page with
   * the cursor written in the same transaction (as pullAll does). `parseMs`: the time
   * parseEvent alone takes on the same events (part of the apply), measured separately.
   */
  async applyOnly(options: { dbName: string }) {
    await deleteDatabase(options.dbName);
    const db = relayDb(options.dbName);
    await openAsDesk(db);
    const t0 = performance.now();
    let added = 0;
    for (const page of prefetched) {
      const result = await applyExternalEvents(
        db,
        page.events.map((e) => ({ event: e.event, hubSeq: e.hubSeq })),
        undefined,
        // as pullAll does
        { settings: [{ key: CURSOR_KEY, value: page.cursor }] },
      );
      added += result.added;
    }
    const ms = performance.now() - t0;
    const p0 = performance.now();
    for (const page of prefetched) for (const e of page.events) parseEvent(e.event);
    const parseMs = performance.now() - p0;
    return { ms, parseMs, added, pages: prefetched.length, after: await storeFigures(db) };
  },

  /**
   * Where a push's time goes: the same loop as pushOutbox, written out (nextBatch, the
   * hub's answer, applyPushResponse), each part summed. Diagnostic: the figure that counts
   * is push() above.
   */
  async pushBreakdown(options: { dbName: string; hubUrl: string; token: string; stationId: string }) {
    const db = relayDb(options.dbName);
    await db.open();
    const client = createHubClient({ baseUrl: options.hubUrl, token: options.token, timeoutMs: 60_000 });
    const parts = { nextBatch: 0, hub: 0, applyPushResponse: 0 };
    let batches = 0;
    let events = 0;
    const t0 = performance.now();
    for (;;) {
      let t = performance.now();
      const read = await nextBatchRead(db, 500, 1024 * 1024);
      const batch = read.events;
      parts.nextBatch += performance.now() - t;
      if (batch.length === 0) break;
      t = performance.now();
      const response = await client.push(batch, read.basis);
      parts.hub += performance.now() - t;
      t = performance.now();
      await applyPushResponse(db, response, options.stationId, batch, read.basis, read.sent);
      parts.applyPushResponse += performance.now() - t;
      batches++;
      events += batch.length;
    }
    return { ms: performance.now() - t0, batches, events, parts, after: await storeFigures(db) };
  },

  /**
   * Where an apply's time goes: the steps of applyExternalEvents for a fresh station, written
   * out and timed one by one inside one transaction per page (as it runs them, except that its
   * reads and its writes are each issued at once there), plus the commit. Diagnostic: the
   * figure that counts is applyOnly().
   * `readAnyOfMs`: every page's cases' events read again as one where('caseId').anyOf(...), for
   * comparison with what the incremental apply avoids.
   */
  async applyBreakdown(options: { dbName: string }) {
    await deleteDatabase(options.dbName);
    const db = relayDb(options.dbName);
    await db.open();
    const parts = { parse: 0, reads: 0, heldEventsOfNewCases: 0, fold: 0, eventsBulkAdd: 0, casesBulkPut: 0, countersAndCursor: 0, commit: 0 };
    let readAnyOfMs = 0;
    let lseq = 0;
    let cases = 0;
    const t0 = performance.now();
    for (const page of prefetched) {
      let t = performance.now();
      const lap = (part: keyof typeof parts) => {
        const now = performance.now();
        parts[part] += now - t;
        t = now;
      };
      const parsed = page.events.map((e) => ({ event: parseEvent(e.event), hubSeq: e.hubSeq }));
      lap('parse');
      const caseIds = [...new Set(parsed.map((p) => p.event.caseId))];
      await db.transaction('rw', [db.events, db.cases, db.settings, db.counters, db.outbox], async () => {
        const counters = new CounterDelta();
        const [, , before] = await Promise.all([
          db.events.bulkGet(parsed.map((p) => p.event.id)),
          db.settings.get('local:lseq'),
          db.cases.bulkGet(caseIds),
          counters.prefetch(db),
        ]);
        lap('reads');
        const stored = parsed.map((p) => ({ ...p.event, hubSeq: p.hubSeq, lseq: ++lseq }));
        const rowless = caseIds.filter((_, i) => !before[i]);
        const held = rowless.length > 0 ? await db.events.where('caseId').anyOf(rowless).toArray() : [];
        lap('heldEventsOfNewCases');
        const byCase = new Map<string, StoredEvent[]>();
        for (const e of [...held, ...stored]) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
        const rows = [];
        for (const [i, caseId] of caseIds.entries()) {
          const prior = before[i];
          const events = byCase.get(caseId) ?? [];
          // (a case with a row and a fold tip is applied to its row by the store; here folded whole)
          const state = foldCase(events);
          if (!state) continue;
          counters.caseChanged(prior ?? undefined, state);
          const row = toStoredCase(state, foldTipOf(events));
          rows.push(row);
        }
        lap('fold');
        await db.events.bulkAdd(stored);
        lap('eventsBulkAdd');
        await db.cases.bulkPut(rows);
        lap('casesBulkPut');
        await counters.apply(db);
        await db.settings.put({ key: CURSOR_KEY, value: page.cursor });
        await db.settings.put({ key: 'local:lseq', value: lseq });
        lap('countersAndCursor');
        cases += rows.length;
      });
      lap('commit');
      const r0 = performance.now();
      await db.transaction('r', db.events, () => db.events.where('caseId').anyOf(caseIds).toArray());
      readAnyOfMs += performance.now() - r0;
    }
    return { ms: performance.now() - t0 - readAnyOfMs, parts, readAnyOfMs, events: lseq, cases, pages: prefetched.length };
  },

  /** RAW: bare Dexie bulkPut of the same events (as stored rows), one transaction per page. */
  async rawBulkPut(options: { dbName: string }) {
    await deleteDatabase(options.dbName);
    const raw = new RawDb(options.dbName);
    open.set(options.dbName, raw);
    await raw.open();
    let lseq = 0;
    const pages = prefetched.map((p) =>
      p.events.map((e) => ({ ...(e.event as StoredEvent), hubSeq: e.hubSeq, lseq: ++lseq })),
    );
    const t0 = performance.now();
    for (const rows of pages) await raw.events.bulkPut(rows);
    const ms = performance.now() - t0;
    return { ms, rows: lseq, pages: pages.length, held: await raw.events.count() };
  },

  close(): void {
    for (const db of open.values()) db.close();
    open.clear();
  },

  userAgent: () => navigator.userAgent,
};

declare global {
  interface Window {
    relaySyncBench: typeof api;
  }
}

window.relaySyncBench = api;
document.body.dataset.ready = 'true';
document.getElementById('status')!.textContent = 'relaySyncBench ready';
