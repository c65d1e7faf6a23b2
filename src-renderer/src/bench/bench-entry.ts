/**
 * The store benchmark's page (bench.html): functions on `window.relayBench` that
 * scripts/bench-store.mjs calls through Playwright. They run in a real Chromium, against the
 * real store code and the app's own database (so the app's list can then be opened on the
 * same data), and beside each figure the RAW figure of bare IndexedDB / bare Dexie measured
 * in the same run, so the store's own overhead can be told from the machine's.
 */
import { loadDefaultCatalogue } from '../../../src-common/domain/catalogue';
import {
  HOTLINE_TARGET,
  StationSchema,
  intakeCommands,
  type IntakeDraft,
  type Station,
} from '../../../src-common/domain';
import { readCounters } from '../store/counters';
import { readCursor } from '../store/pull-cursor';
import { checkAfterUncleanEnd, tornSigns } from '../store/crash-check';
import { DEFAULT_DB_NAME, RelayDb } from '../store/db';
import { fillDemoData } from '../store/demo-fill';
import { answeredFromMemory, queryCasePage, type ListFilter, type ListSort } from '../store/list-query';
import { memorySearchOf, startMemorySearch, stopMemorySearch, type MemorySearchState } from '../store/memory-search-source';
import { AUTO_CASE_NO, predictionStats, recordCommands } from '../store/record';

type Durability = 'strict' | 'relaxed';

export const BENCH_STATION: Station = StationSchema.parse({
  stationId: 'p110-bench1',
  name: '兰山公安分局 110 接警台',
  role: 'police110',
  district: '兰山区',
  operator: '基准测试',
  countyMode: false,
});

const RAW_DB_NAME = 'relay-bench-raw';

export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    median: round(at(0.5)),
    p95: round(at(0.95)),
    min: round(s[0] ?? NaN),
    max: round(s.at(-1) ?? NaN),
    mean: round(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
  };
}

// ---- databases --------------------------------------------------------------------------

const dbs = new Map<Durability, RelayDb>();

/** The app's database, opened with the given durability (the store itself always uses strict). */
function appDb(durability: Durability = 'strict'): RelayDb {
  let db = dbs.get(durability);
  if (!db) {
    // RelayDb passes its options on to Dexie; only the benchmark asks for relaxed, to price strict
    const options = durability === 'relaxed' ? ({ chromeTransactionDurability: 'relaxed' } as object) : {};
    db = new RelayDb(DEFAULT_DB_NAME, options);
    dbs.set(durability, db);
  }
  return db;
}

/**
 * Open a database as the desk does: with its in-memory search filled and following every write
 * (so the saves measured pay for keeping it current, and searches use it). Returns how the fill went.
 */
async function openAsDesk(db: RelayDb): Promise<MemorySearchState> {
  await db.open();
  return startMemorySearch(db);
}

/** The JS heap in use (Chromium's performance.memory), in MB; null where it is not offered. */
function heapMb(): number | null {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? Math.round((memory.usedJSHeapSize / 1048576) * 10) / 10 : null;
}

function closeAll(): void {
  for (const db of dbs.values()) db.close();
  dbs.clear();
  rawDb?.close();
  rawDb = null;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error(`cannot delete ${name}`));
    req.onblocked = () => reject(new Error(`deleting ${name} is blocked by an open connection`));
  });
}

let rawDb: IDBDatabase | null = null;

function openRaw(): Promise<IDBDatabase> {
  if (rawDb) return Promise.resolve(rawDb);
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(RAW_DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('cases', { keyPath: 'id' });
      req.result.createObjectStore('events', { keyPath: 'id' });
    };
    req.onsuccess = () => {
      rawDb = req.result;
      resolve(req.result);
    };
    req.onerror = () => reject(req.error ?? new Error('cannot open raw database'));
  });
}

// ---- one intake -------------------------------------------------------------------------

let intakeNo = 0;

function benchDraft(now: Date): IntakeDraft {
  intakeNo++;
  return {
    channel: 'call110',
    receivedAt: new Date(now.getTime() - 90_000).toISOString(),
    callerName: '王建国',
    callerPhone: `1390539${String(intakeNo % 10000).padStart(4, '0')}`,
    anonymous: false,
    confidential: false,
    address: `解放路${(intakeNo % 300) + 1}号凤凰城小区${(intakeNo % 30) + 1}号楼门口`,
    district: '兰山区',
    nature: 'help',
    category: 'housing.water',
    urgency: 'urgent',
    // no words the list-page searches look for, so the saves do not change what they find
    description: `凤凰城小区${(intakeNo % 30) + 1}号楼门口主水管爆裂，水流到路面，请尽快抢修（基准测试 ${intakeNo}）`,
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '请尽快安排抢修' },
  };
}

/**
 * One intake save through the real path, as the intake screen does it: the case number is
 * allocated inside the one transaction that records created+screened+transferred.
 */
async function saveOneIntake(db: RelayDb): Promise<{ total: number; caseNo: number; record: number }> {
  const t0 = performance.now();
  const now = new Date();
  await recordCommands(db, { station: BENCH_STATION }, intakeCommands(benchDraft(now), BENCH_STATION, AUTO_CASE_NO, now));
  const t2 = performance.now();
  // a user-timing entry per save, for traces of the benchmark (see scripts/bench-store.mjs --trace)
  performance.measure('bench:save', { start: t0, end: t2 });
  return { total: t2 - t0, caseNo: 0, record: t2 - t0 };
}

/** The bare minimum the same save could cost: one transaction, one case and one event. */
async function saveOneRaw(durability: Durability): Promise<number> {
  const db = await openRaw();
  const now = new Date();
  const draft = benchDraft(now);
  const id = `raw-${intakeNo}-${Math.random().toString(36).slice(2)}`;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(['cases', 'events'], 'readwrite', { durability });
    tx.objectStore('cases').put({ id, caseNo: `raw-${intakeNo}`, status: 'transferred', updatedAt: now.toISOString(), ...draft });
    tx.objectStore('events').put({ id: `${id}-e1`, caseId: id, type: 'case.created', at: now.toISOString(), payload: draft });
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('raw transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('raw transaction aborted'));
  });
  return performance.now() - t0;
}

// ---- list queries -----------------------------------------------------------------------

interface QuerySpec {
  name: string;
  filter: ListFilter;
  sort: ListSort;
  /** the same index walk in bare Dexie, without the store's planning and filtering */
  raw: (db: RelayDb) => Promise<unknown[]>;
  rawLabel: string;
}

function querySpecs(): QuerySpec[] {
  const category = 'housing.water';
  return [
    {
      name: 'status=transferred, updatedAt desc',
      filter: { status: 'transferred' },
      sort: { key: 'updatedAt', dir: 'desc' },
      raw: (db) => db.cases.where('[status+updatedAt]').between(['transferred', ''], ['transferred', '\uffff']).reverse().limit(50).toArray(),
      rawLabel: "where('[status+updatedAt]').between(...).reverse().limit(50)",
    },
    {
      name: 'urgency=urgent, updatedAt desc',
      filter: { urgency: 'urgent' },
      sort: { key: 'updatedAt', dir: 'desc' },
      // no case index by urgency since v7: the in-memory index proposes the page
      raw: (db) => db.cases.bulkGet(pageIds(db, { urgency: 'urgent' }, { key: 'updatedAt', dir: 'desc' })),
      rawLabel: 'cases.bulkGet of the 51 ids of the page (reading its rows, nothing else)',
    },
    {
      name: `category=${category}, receivedAt desc`,
      filter: { category },
      sort: { key: 'receivedAt', dir: 'desc' },
      raw: (db) => db.cases.where('[category+receivedAt]').between([category, ''], [category, '\uffff']).reverse().limit(50).toArray(),
      rawLabel: "where('[category+receivedAt]').between(...).reverse().limit(50)",
    },
    {
      name: 'search "停水", updatedAt desc',
      filter: { search: '停水' },
      sort: { key: 'updatedAt', dir: 'desc' },
      raw: (db) => db.cases.bulkGet(pageIds(db, { search: '停水' }, { key: 'updatedAt', dir: 'desc' })),
      rawLabel: 'cases.bulkGet of the 51 ids of the page (reading its rows, nothing else)',
    },
    {
      name: 'open + urgent + search "暖气", dueKey asc',
      filter: { statuses: ['new', 'pending', 'transferred', 'assigned', 'acknowledged', 'returned', 'feedback'], urgency: 'urgent', search: '暖气' },
      sort: { key: 'dueKey', dir: 'asc' },
      raw: (db) =>
        db.cases.bulkGet(
          pageIds(db, { statuses: ['new', 'pending', 'transferred', 'assigned', 'acknowledged', 'returned', 'feedback'], urgency: 'urgent', search: '暖气' }, { key: 'dueKey', dir: 'asc' }),
        ),
      rawLabel: 'cases.bulkGet of the 51 ids of the page (reading its rows, nothing else)',
    },
  ];
}

/** The ids of a search page (its 51 rows: one more tells whether a next page exists), from the filled in-memory search. */
const idsOfPages = new Map<string, string[]>();
function pageIds(db: RelayDb, filter: ListFilter, sort: ListSort): string[] {
  const key = JSON.stringify([filter, sort]);
  let ids = idsOfPages.get(key);
  if (!ids) {
    ids = memorySearchOf(db)?.query(filter, sort, 51) ?? [];
    idsOfPages.set(key, ids);
  }
  return ids;
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// ---- the API ----------------------------------------------------------------------------

const api = {
  /** Delete the app's and the raw database (only for a fresh profile's first run). */
  async reset(): Promise<void> {
    closeAll();
    await deleteDatabase(DEFAULT_DB_NAME);
    await deleteDatabase(RAW_DB_NAME);
  },

  /** Configure the station (so the app opens on the desk) and fill `count` demo cases. */
  async fill(options: { count: number; seed?: number; batchSize?: number; days?: number }) {
    const db = appDb();
    await db.settings.put({ key: 'station', value: BENCH_STATION });
    loadDefaultCatalogue();
    const t0 = performance.now();
    let lastLog = t0;
    const result = await fillDemoData(db, BENCH_STATION, {
      count: options.count,
      seed: options.seed ?? 1,
      days: options.days ?? 90,
      batchSize: options.batchSize ?? 500,
      onProgress: (p) => {
        const t = performance.now();
        if (t - lastLog > 5000 || p.events === p.totalEvents) {
          lastLog = t;
          console.log(`[fill] ${p.cases}/${p.totalCases} cases, ${((t - t0) / 1000).toFixed(1)} s`);
        }
      },
    });
    const ms = performance.now() - t0;
    const counters = await readCounters(db);
    return {
      ms,
      cases: result.cases,
      events: result.events,
      batches: result.batches,
      counters,
      caseRows: await db.cases.count(),
      eventRows: await db.events.count(),
    };
  },

  /**
   * Intake saves through the real path, back to back, beside raw IndexedDB transactions of the
   * same durability interleaved with them. Each durability is measured in a phase of its own, with
   * a pause between (`settleMs`): saves of the other kind interleaved would add their writes to
   * the compaction the measured saves wait behind.
   */
  async save(options: { samples: number; warmup?: number; settleMs?: number; only?: Durability }) {
    await openRaw();
    const phases = (['strict', 'relaxed'] as const).filter((d) => !options.only || options.only === d);
    const out: Record<Durability, { real: number[]; raw: number[] }> = { strict: { real: [], raw: [] }, relaxed: { real: [], raw: [] } };
    for (const [i, durability] of phases.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, options.settleMs ?? 5000));
      const db = appDb(durability);
      await openAsDesk(db);
      for (let w = 0; w < (options.warmup ?? 10); w++) {
        await saveOneIntake(db);
        await saveOneRaw(durability);
      }
      for (let n = 0; n < options.samples; n++) {
        out[durability].real.push((await saveOneIntake(db)).total);
        out[durability].raw.push(await saveOneRaw(durability));
      }
    }
    return {
      real: { strict: stats(out.strict.real), relaxed: stats(out.relaxed.real) },
      raw: { strict: stats(out.strict.raw), relaxed: stats(out.relaxed.raw) },
    };
  },

  /**
   * Strict intake saves as a desk makes them: one at a time after a pause, beside a raw strict
   * transaction after the same pause. Saves made back to back (save()) find the browser's storage busy and warm; a
   * save after a pause finds it idle, and costs more.
   */
  async savePaused(options: { samples: number; pauseMs?: number }) {
    const db = appDb('strict');
    await openAsDesk(db);
    await openRaw();
    const pause = () => new Promise((r) => setTimeout(r, options.pauseMs ?? 250));
    const real: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < options.samples; i++) {
      await pause();
      real.push((await saveOneIntake(db)).total);
      await pause();
      raw.push(await saveOneRaw('strict'));
    }
    return { real: stats(real), raw: stats(raw), pauseMs: options.pauseMs ?? 250 };
  },

  /** First pages of the list through queryCasePage, beside the bare Dexie index walk. */
  async query(options: { samples: number; warmup?: number }) {
    // the in-memory search's fill, measured on a connection of its own (the saves' connections
    // filled theirs already)
    closeAll();
    const db = appDb();
    const memory = await openAsDesk(db);
    (globalThis as { gc?: () => void }).gc?.();
    const heapAfter = heapMb();
    // a second connection whose in-memory search has stopped: search walks the case rows
    const idbOnly = new RelayDb(DEFAULT_DB_NAME);
    await idbOnly.open();
    stopMemorySearch(idbOnly, 'the benchmark measures search without it');
    const out = [];
    for (const spec of querySpecs()) {
      const first = await timeIt(() => queryCasePage(db, spec.filter, spec.sort, 50));
      const page = await queryCasePage(db, spec.filter, spec.sort, 50);
      for (let i = 0; i < (options.warmup ?? 5); i++) {
        await queryCasePage(db, spec.filter, spec.sort, 50);
        await spec.raw(db);
      }
      const real: number[] = [];
      const raw: number[] = [];
      const beforeFill: number[] = [];
      // asked of the in-memory index: also timed on the connection without it (the rows walked)
      const searches = answeredFromMemory(spec.filter, spec.sort);
      let fallbackPlan: string | null = null;
      if (searches) {
        fallbackPlan = (await queryCasePage(idbOnly, spec.filter, spec.sort, 50)).plan;
        for (let i = 0; i < (options.warmup ?? 5); i++) await queryCasePage(idbOnly, spec.filter, spec.sort, 50);
      }
      for (let i = 0; i < options.samples; i++) {
        real.push(await timeIt(() => queryCasePage(db, spec.filter, spec.sort, 50)));
        raw.push(await timeIt(() => spec.raw(db)));
        if (searches) beforeFill.push(await timeIt(() => queryCasePage(idbOnly, spec.filter, spec.sort, 50)));
      }
      out.push({
        name: spec.name,
        beforeFill: searches ? { plan: fallbackPlan, ...stats(beforeFill) } : null,
        plan: page.plan,
        rows: page.rows.length,
        firstMs: Math.round(first * 1000) / 1000,
        real: stats(real),
        raw: stats(raw),
        rawLabel: spec.rawLabel,
      });
    }
    idbOnly.close();
    const index = memory.ready;
    // the page's whole JS heap with it filled (after a collection): an upper bound on its size
    return { pages: out, memory: { loadMs: memory.loadMs, failed: memory.failed, cases: index?.size ?? 0, terms: index?.termCount ?? 0, pageHeapMb: heapAfter } };
  },

  /**
   * For the end-to-end tests (test/e2e/memory-search.spec.ts), in a database of its own: each of
   * `saves` cases is searched for right after its save returns. Found every time only if the
   * in-memory search hears of a commit before the code awaiting it goes on (case-write-feed.ts).
   */
  async searchRightAfterSave(options: { saves: number }) {
    const name = `relay-check-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const db = new RelayDb(name);
    try {
      await db.open();
      const state = await startMemorySearch(db);
      const out: Array<{ found: boolean; first: boolean; plan: string }> = [];
      for (let i = 0; i < options.saves; i++) {
        const now = new Date();
        const draft = { ...benchDraft(now), description: `窨井盖缺失，行人有坠落危险（核对 ${i}）` };
        const [created] = await recordCommands(db, { station: BENCH_STATION }, intakeCommands(draft, BENCH_STATION, AUTO_CASE_NO, now));
        const page = await queryCasePage(db, { search: '窨井' }, { key: 'updatedAt', dir: 'desc' }, 50);
        out.push({ found: page.rows.some((r) => r.id === created!.caseId), first: page.rows[0]?.id === created!.caseId, plan: page.plan });
      }
      return { filled: state.ready !== null, results: out };
    } finally {
      db.close();
      await deleteDatabase(name);
    }
  },

  /**
   * For the power-cut test (test/e2e/power-cut.spec.ts): intake saves into the app's database
   * with the given durability, one after another until the browser is killed. Each is announced
   * through `window.relaySaved(caseId)` once its save has resolved (the operator's "saved"), and
   * that announcement is awaited before the next save begins. Never resolves.
   */
  async recordUntilKilled(options: { durability: Durability }): Promise<void> {
    const announce = (window as unknown as { relaySaved?: (caseId: string) => Promise<void> }).relaySaved;
    if (!announce) throw new Error('recordUntilKilled needs window.relaySaved (a Playwright binding)');
    const db = appDb(options.durability);
    await db.open();
    await db.settings.put({ key: 'station', value: BENCH_STATION });
    loadDefaultCatalogue();
    for (;;) {
      const now = new Date();
      const [created] = await recordCommands(db, { station: BENCH_STATION }, intakeCommands(benchDraft(now), BENCH_STATION, AUTO_CASE_NO, now));
      await announce(created!.caseId);
    }
  },

  /**
   * Record `count` intakes one after another, as a desk does (strict); for the test of two tabs
   * saving at once (test/e2e/two-tabs.spec.ts). Hands back the cases' ids and numbers, and how the
   * saves of this page went since it opened (predicted right, or done again: record.ts).
   */
  async saveIntakes(options: { count: number }) {
    const db = appDb();
    await db.open();
    await db.settings.put({ key: 'station', value: BENCH_STATION });
    loadDefaultCatalogue();
    const caseIds: string[] = [];
    const caseNos: string[] = [];
    for (let i = 0; i < options.count; i++) {
      const now = new Date();
      const [created] = await recordCommands(db, { station: BENCH_STATION }, intakeCommands(benchDraft(now), BENCH_STATION, AUTO_CASE_NO, now));
      caseIds.push(created!.caseId);
      caseNos.push((created!.payload as { caseNo: string }).caseNo);
    }
    return { caseIds, caseNos, stats: { ...predictionStats } };
  },

  /**
   * What the app's database holds, checked whole: which of `caseIds` have no case row, case rows
   * whose events are not all there (or not all queued to be sent), events without their case, and
   * the kept counters against the rows they count.
   */
  async inspectStore(options: { caseIds: string[] }) {
    closeAll();
    const db = appDb();
    await db.open();
    try {
      const [cases, events, outbox, counters] = await Promise.all([db.cases.toArray(), db.events.toArray(), db.outbox.toArray(), readCounters(db)]);
      const queued = new Set(outbox.map((row) => row.eventId));
      const eventsOf = new Map<string, string[]>();
      for (const event of events) eventsOf.set(event.caseId, [...(eventsOf.get(event.caseId) ?? []), event.id]);
      const held = new Set(cases.map((row) => row.id));
      const partial = cases
        .filter((row) => {
          const ids = eventsOf.get(row.id) ?? [];
          return ids.length !== row.eventCount || ids.some((id) => !queued.has(id));
        })
        .map((row) => row.id);
      const byStatus = new Map<string, number>();
      for (const row of cases) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
      const expected: Record<string, number> = { 'cases:total': cases.length, outbox: outbox.length };
      for (const [status, n] of byStatus) expected[`cases:status:${status}`] = n;
      const counterMismatches = Object.entries(expected)
        .filter(([key, n]) => (counters[key] ?? 0) !== n)
        .map(([key, n]) => ({ key, kept: counters[key] ?? 0, rows: n }));
      return {
        cases: cases.length,
        events: events.length,
        outbox: outbox.length,
        missing: options.caseIds.filter((id) => !held.has(id)),
        partial,
        orphanEvents: events.filter((event) => !held.has(event.caseId)).map((event) => event.id),
        counterMismatches,
        // the station's numbers: each given once, none skipped
        lseqs: events.map((event) => event.lseq).sort((a, b) => a - b),
        seqs: events.map((event) => event.seq).sort((a, b) => a - b),
      };
    } finally {
      closeAll();
    }
  },

  /**
   * For the power-cut test of a desk catching up (test/e2e/power-cut.spec.ts): what the app's
   * database holds of what it pulled — cases, events (and their ids), cases whose events are not
   * all there, events without their case, and the pull cursor.
   */
  async inspectPulled() {
    closeAll();
    const db = appDb();
    await db.open();
    try {
      const [cases, events, cursor] = await Promise.all([db.cases.toArray(), db.events.toArray(), readCursor(db)]);
      const count = new Map<string, number>();
      for (const event of events) count.set(event.caseId, (count.get(event.caseId) ?? 0) + 1);
      const held = new Set(cases.map((row) => row.id));
      return {
        cases: cases.length,
        events: events.length,
        eventIds: events.map((event) => event.id),
        short: cases.filter((row) => (count.get(row.id) ?? 0) !== row.eventCount).map((row) => row.id),
        orphanEvents: events.filter((event) => !held.has(event.caseId)).length,
        cursor,
      };
    } finally {
      closeAll();
    }
  },

  /**
   * The check a desk makes when it opens after an unclean end (store/crash-check.ts), timed
   * twice each: the quick look at the latest writes (every such open), and the whole store's
   * check (only when the quick look sees a sign); with what each found (nothing, on a whole store).
   */
  async crashCheck() {
    closeAll();
    const db = appDb();
    await db.open();
    try {
      const quick: number[] = [];
      const full: number[] = [];
      let signs: string[] = [];
      let found = null;
      for (let i = 0; i < 2; i++) {
        let t0 = performance.now();
        signs = await tornSigns(db);
        quick.push(performance.now() - t0);
        t0 = performance.now();
        found = await checkAfterUncleanEnd(db);
        full.push(performance.now() - t0);
      }
      return { quick, full, signs, found };
    } finally {
      closeAll();
    }
  },

  /** Cases held in the app's database (to reuse a kept profile). */
  async caseCount(): Promise<number> {
    return appDb().cases.count();
  },

  /** Close every connection, so the app can open the database after navigation. */
  close(): void {
    closeAll();
  },

  userAgent: () => navigator.userAgent,
};

declare global {
  interface Window {
    relayBench: typeof api;
  }
}

window.relayBench = api;
document.body.dataset.ready = 'true';
document.getElementById('status')!.textContent = 'relayBench ready';
