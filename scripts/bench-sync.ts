/**
 * The sync benchmark (`npm run bench:sync`): stations and the city hub, over real HTTP, on
 * both hub databases (embedded PGlite, and PostgreSQL when reachable).
 *
 *   tsx scripts/bench-sync.ts [--events 10000] [--ingest N] [--stations 20] [--batch 500]
 *                             [--pull-limits 500,2000|none] [--only pglite|postgres]
 *                             [--timeout 480] [--settle 2] [--build] [--headed] [--deliver-only]
 *                             [--engine sqlite|leveldb]
 *
 * `--engine`: the desks' IndexedDB engine in Chromium, SQLite by default (a new desk of the
 * desktop edition: src-main/storage-backend.ts), or LevelDB (Chromium's default without field
 * trials).
 *
 * `--events 2000` is a quick run (the ingest then defaults to 20,000 events instead of 60,000).
 * The hub runs in this process (buildHubApp, on a fresh PGlite folder or a fresh PostgreSQL
 * schema, logging at info as in production, to nowhere); the stations that matter for the
 * desk run in Debian's Chromium (/usr/bin/chromium or CHROMIUM_PATH) on the real store
 * (src-renderer/src/bench/bench-sync-entry.ts, served from dist-web/bench-sync.html), and fetch
 * the hub cross-origin. PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL, else
 * postgres://relay:relay@127.0.0.1:5432/relay_bench; when it is not reachable its figures are
 * skipped and the reason printed.
 *
 * Per database, beside the RAW figure of the same database (or browser) in the same run:
 * 1. delivery after an outage: a 110 desk (RelayDb in Chromium) holding N unsynced events
 *    (intakes recorded offline: created + screened + transferred) runs pushOutbox until the
 *    outbox is empty and every event carries its hub number. RAW: multi-row INSERTs of the
 *    same number of event rows, 500 a statement, into a plain copy of the hub's events table.
 * 2. applying pulled events: a fresh 12345 desk pulls them (pullAll), end to end; then the
 *    same pages, fetched beforehand, applied with applyExternalEvents alone. RAW: bare Dexie
 *    bulkPut of the same rows (the events table's indexes, strict durability, one
 *    transaction per page).
 * 3. hub ingest: S stations (Node fetch, in a worker thread so that the stations' HTTP work
 *    does not run on the hub's thread) push concurrently, each its own valid intakes in
 *    batches of 500 with its own seq. RAW: 500-row INSERTs into the plain table, one stream,
 *    run before and after the ingest; the better of the two is the comparison. In rounds
 *    (--rounds, 3 by default; new stations each round, the log growing): every round is
 *    printed, and the round with the median ratio is the figure.
 *
 * It prints a table with targets and writes bench-results/sync.json. It stops by itself and
 * closes the browser, the hub, the databases and its temporary folders (also on failure,
 * Ctrl-C, or after --timeout seconds).
 *
 * Diagnostics: BENCH_SYNC_CPUPROFILE=DIR writes CPU profiles of the browser phases and of this
 * process during the ingest (open them in Chrome DevTools); BENCH_SYNC_DIST=DIR serves another
 * build (e.g. `vite build --config vite.web.config.ts --minify false --outDir DIR`, for
 * readable function names); KEEP_SCHEMA=1 keeps the PostgreSQL run's schema (named in the
 * output) for looking at its plans afterwards. The ingest prints where its CPU went (this
 * process, the local PostgreSQL server, the machine: scripts/cpu-accounting.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Session } from 'node:inspector/promises';
import { cpuAccounting, type CpuSpent } from './cpu-accounting';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import {
  HOTLINE_TARGET,
  StationSchema,
  canonicalJson,
  formatCaseNo,
  intakeCommands,
  parseEvent,
  ulid,
  type Command,
  type IntakeDraft,
  type RelayEvent,
  type Station,
} from '../src-common/domain';
import { API_PREFIX, PROTOCOL_VERSION } from '../src-common/protocol/v1';
import { valuesRows, type Database } from '../src-hub/db/database';
import { migrate } from '../src-hub/db/migrations';
import { openPglite } from '../src-hub/db/pglite-driver';
import { openPostgres } from '../src-hub/db/pg-driver';
import { buildHubApp } from '../src-hub/http/app';
import { addStation } from '../src-hub/stations/registry';
import { SQLITE_BACKING_STORE_FEATURE } from '../src-main/storage-backend';

const ROOT = resolve(import.meta.dirname, '..');
/** BENCH_SYNC_DIST: serve another build (e.g. an unminified one, for profiling) */
const DIST = resolve(process.env.BENCH_SYNC_DIST || join(ROOT, 'dist-web'));
/** BENCH_SYNC_CPUPROFILE=DIR: write a Chromium CPU profile of each browser phase to DIR */
const CPUPROFILE_DIR = process.env.BENCH_SYNC_CPUPROFILE ? resolve(process.env.BENCH_SYNC_CPUPROFILE) : null;
const RESULTS = join(ROOT, 'bench-results', 'sync.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DEFAULT_PG_URL = 'postgres://relay:relay@127.0.0.1:5432/relay_bench';

const TARGETS = {
  deliverMs: 2000,
  applyPerSec: 5000,
  ingestVsRaw: 0.5,
};
/** what earlier runs on the reference machine measured (for orientation only) */
const REFERENCE = { dexieBulkPutPerSec: 15_000, rawInsertPerSec: { pglite: 83_000, postgres: 139_000 } };

type Kind = 'pglite' | 'postgres';
const LABEL: Record<Kind, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };
/** the processes (by name) of each database's server, and of the browser, for the CPU figures */
const SERVER_PROCESSES: Record<Kind, string[]> = { pglite: [], postgres: ['postgres'] };
const BROWSER_PROCESSES = ['chromium', 'chrome'];

// ---- arguments --------------------------------------------------------------------------

interface Options {
  events: number;
  ingest: number;
  stations: number;
  batch: number;
  pullLimits: number[];
  only: Kind | null;
  timeout: number;
  settle: number;
  build: boolean;
  headed: boolean;
  /** only 1. and 1b. (delivery after an outage): no pulls, no ingest */
  deliverOnly: boolean;
  /** the desks' IndexedDB engine (see scripts/bench-store.mjs --engine) */
  engine: 'sqlite' | 'leveldb';
  /** how many times 3. (hub ingest, each beside its own raw inserts) runs; the median is the figure */
  rounds: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { events: 10_000, ingest: 0, stations: 20, batch: 500, pullLimits: [500, 2000], only: null, timeout: 480, settle: 2, build: false, headed: false, deliverOnly: false, engine: 'sqlite', rounds: 3 };
  const whole = (flag: string, v: string | undefined, min = 1): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--events') o.events = whole(flag, value(), 3);
    else if (flag === '--ingest') o.ingest = whole(flag, value());
    else if (flag === '--stations') o.stations = whole(flag, value());
    else if (flag === '--batch') o.batch = Math.min(500, whole(flag, value()));
    else if (flag === '--timeout') o.timeout = whole(flag, value(), 30);
    else if (flag === '--settle') o.settle = whole(flag, value(), 0);
    else if (flag === '--pull-limits') {
      const v = String(value());
      o.pullLimits = v === 'none' ? [] : v.split(',').map((s) => Math.min(2000, whole(flag, s)));
    } else if (flag === '--only') {
      const v = value();
      if (v !== 'pglite' && v !== 'postgres') throw new Error('--only takes pglite or postgres');
      o.only = v;
    } else if (flag === '--build') o.build = true;
    else if (flag === '--headed') o.headed = true;
    else if (flag === '--rounds') o.rounds = whole(flag, value());
    else if (flag === '--deliver-only') o.deliverOnly = true;
    else if (flag === '--engine') {
      const v = value();
      if (v !== 'sqlite' && v !== 'leveldb') throw new Error('--engine takes sqlite or leveldb');
      o.engine = v;
    }
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: tsx scripts/bench-sync.ts [--events N] [--ingest N] [--stations N] [--batch N] [--pull-limits 500,2000|none] [--only pglite|postgres] [--timeout S] [--settle S] [--build] [--headed] [--deliver-only] [--engine sqlite|leveldb] [--rounds N]');
      process.exit(0);
    } else throw new Error(`unknown argument: ${argv[i]}`);
  }
  if (o.ingest === 0) o.ingest = o.events >= 10_000 ? 60_000 : 20_000;
  if (o.deliverOnly) {
    o.pullLimits = [];
    o.ingest = Math.min(o.ingest, 2_000); // only for the RAW INSERT comparison of 1.
  }
  return o;
}

// ---- static server (dist-web) -------------------------------------------------------------

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

function startStatic(dir: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir + sep) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    try {
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      ok({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

// ---- formatting -------------------------------------------------------------------------

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const rate = (n: number, ms: number) => (ms > 0 ? (n * 1000) / ms : 0);
const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'PASS' : 'MISS');

function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => displayWidth(r[c] ?? ''))));
  const line = (r: string[]) => r.map((cell, c) => cell + ' '.repeat(widths[c]! - displayWidth(cell))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function quantile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

// ---- the hub's database -------------------------------------------------------------------

interface BenchDb {
  db: Database;
  where: string;
  close: () => Promise<void>;
}

function pgUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_PG_URL;
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${u.username}@` : ''}${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** Null when PostgreSQL answers; else why not. */
async function postgresUnreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return `${safeUrl(url)} not reachable (${(e as Error).message}); start it (pg_ctlcluster 15 main start) and create the role and database (as postgres: create role relay login password 'relay'; create database relay_bench owner relay), or set BENCH_DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function openBenchDb(kind: Kind): Promise<BenchDb> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'relay-bench-sync-hub-'));
    try {
      const db = await openPglite(dir);
      return {
        db,
        where: `PGlite at ${dir} (temporary)`,
        close: async () => {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  const url = pgUrl();
  const schema = `bench_sync_${randomBytes(5).toString('hex')}`;
  const dropSchema = async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      if (!process.env.KEEP_SCHEMA) await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await c.end();
    }
  };
  try {
    const db = await openPostgres({ connectionString: url, schema });
    return {
      db,
      where: `${safeUrl(url)}, schema ${schema} (dropped afterwards)`,
      close: async () => {
        await db.close();
        await dropSchema();
      },
    };
  } catch (e) {
    await dropSchema().catch(() => undefined);
    throw e;
  }
}

// ---- events generated in Node (the ingest stations) --------------------------------------

const CATEGORIES = ['housing.water', 'housing.heating', 'housing.gas', 'power.outage', 'transport.taxi-lost', 'hrss.wages'];
const DISTRICTS = ['兰山区', '罗庄区', '河东区', '沂南县'];

function nodeDraft(n: number, at: Date, district: string): IntakeDraft {
  return {
    channel: 'call110',
    receivedAt: new Date(at.getTime() - 90_000).toISOString(),
    callerName: '李秀英',
    callerPhone: `1395390${String(n % 10000).padStart(4, '0')}`,
    anonymous: false,
    confidential: false,
    address: `通达路${(n % 300) + 1}号金雀山小区${(n % 30) + 1}号楼`,
    district,
    nature: 'help',
    category: CATEGORIES[n % CATEGORIES.length]!,
    urgency: n % 7 === 0 ? 'urgent' : 'normal',
    description: `金雀山小区${(n % 30) + 1}号楼暖气不热，室温低于十度，请尽快处理（同步基准测试 ${n}）`,
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: n % 2 === 0, note: '请尽快安排处理' },
  };
}

interface IngestStation {
  station: Station;
  token: string;
  /** pre-serialized push bodies */
  bodies: string[];
  events: RelayEvent[];
}

/** `count` valid events of one station, seq 1.., as intakes (+ notes for a remainder). */
function stationEvents(station: Station, count: number, t0: number): RelayEvent[] {
  const out: RelayEvent[] = [];
  let seq = 0;
  let clock = t0;
  const envelope = (c: Command): RelayEvent => {
    clock += 7;
    return parseEvent({
      v: 1,
      id: ulid(clock),
      caseId: c.caseId,
      stationId: station.stationId,
      operator: station.operator,
      seq: ++seq,
      at: new Date(clock).toISOString(),
      type: c.type,
      payload: c.payload,
    });
  };
  const intakes = Math.floor(count / 3);
  let firstCase: string | null = null;
  for (let i = 0; i < intakes; i++) {
    const at = new Date(clock + 1);
    const caseNo = formatCaseNo(station.stationId, at, i + 1);
    const commands = intakeCommands(nodeDraft(i + 1, at, station.district), station, caseNo, at);
    firstCase ??= commands[0]!.caseId;
    for (const c of commands) out.push(envelope(c));
  }
  for (let i = out.length; i < count; i++) {
    out.push(envelope({ caseId: firstCase ?? ulid(clock), type: 'case.noteAdded', payload: { text: `来电人再次来电催问（${i}）` } }));
  }
  return out;
}

/** The ingest stations of one round (round 1: p110-ingest-NN; round r: p110-ingest-rR-NN). */
function ingestStations(total: number, stations: number, batch: number, round = 1): IngestStation[] {
  const per = Math.floor(total / stations);
  const t0 = Date.now() - 2 * 86_400_000 + (round - 1) * 3_600_000;
  return Array.from({ length: stations }, (_, s) => {
    const station = StationSchema.parse({
      stationId: `p110-ingest-${round > 1 ? `r${round}-` : ''}${String(s + 1).padStart(2, '0')}`,
      name: `${DISTRICTS[s % DISTRICTS.length]}110接警台${s + 1}`,
      role: 'police110',
      district: DISTRICTS[s % DISTRICTS.length],
      operator: '基准测试',
      countyMode: false,
    });
    const events = stationEvents(station, per + (s < total - per * stations ? 1 : 0), t0 + s * 1000);
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += batch) bodies.push(JSON.stringify({ protocol: PROTOCOL_VERSION, events: events.slice(i, i + batch) }));
    return { station, token: '', bodies, events };
  });
}

// ---- RAW: plain multi-row INSERTs ---------------------------------------------------------

const RAW_COLUMNS = ['hub_seq', 'event_id', 'case_id', 'station_id', 'seq', 'type', 'at', 'content'];

/** A plain copy of the hub's events table: the same columns, keys and index, nothing around it. */
async function rawTable(db: Database, name: string): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${name};
    CREATE TABLE ${name} (
      hub_seq bigint PRIMARY KEY, event_id text COLLATE "C" NOT NULL UNIQUE, case_id text COLLATE "C" NOT NULL, station_id text COLLATE "C" NOT NULL,
      seq bigint NOT NULL, type text NOT NULL, at text NOT NULL, content text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (station_id, seq));
    CREATE INDEX ${name}_case ON ${name} (case_id, hub_seq);`);
}

/** INSERT rows in statements of `batch` rows, one after another (autocommit); ms. */
async function rawInsert(db: Database, name: string, rows: unknown[][], batch: number): Promise<number> {
  await rawTable(db, name);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    await db.query(`INSERT INTO ${name} (${RAW_COLUMNS.join(', ')}) VALUES ${valuesRows(chunk.length, RAW_COLUMNS.length)}`, chunk.flat());
  }
  const ms = performance.now() - t0;
  const held = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`);
  if (Number(held[0]?.n) !== rows.length) throw new Error(`raw insert: ${held[0]?.n} rows held, ${rows.length} sent`);
  await db.exec(`DROP TABLE ${name}`);
  return ms;
}

function rawRows(events: RelayEvent[], count: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const e = events[i % events.length]!;
    const k = Math.floor(i / events.length); // reused events get fresh keys
    rows.push([i + 1, k ? `${e.id}-${k}` : e.id, e.caseId, k ? `${e.stationId}-${k}` : e.stationId, e.seq, e.type, e.at, canonicalJson(e)]);
  }
  return rows;
}

// ---- the ingest stations: a worker thread, so their HTTP work does not take the hub's thread ----

const INGEST_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
parentPort.once('message', async () => {
  const { url, stations } = workerData;
  const target = new URL(url);
  // one keep-alive connection per station, as a station's desk keeps; bodies as bytes, ready
  // before the clock starts (a desk has its batch serialised): the stations' own work on this
  // machine, which a real hub does not share, kept small
  const agent = new http.Agent({ keepAlive: true, maxSockets: stations.length });
  const prepared = stations.map((s) => ({ ...s, bodies: s.bodies.map((b) => Buffer.from(b, 'utf8')) }));
  const post = (token, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
          headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', accept: 'application/json', 'content-length': body.length } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const latencies = [];
  let accepted = 0;
  let other = 0;
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  try {
    await Promise.all(prepared.map(async (s) => {
      for (const body of s.bodies) {
        const r0 = performance.now();
        const res = await post(s.token, body);
        latencies.push(performance.now() - r0);
        if (res.status !== 200) throw new Error('push by ' + s.stationId + ': HTTP ' + res.status + ' ' + res.text.slice(0, 300));
        for (const r of JSON.parse(res.text).results) r.status === 'accepted' ? accepted++ : other++;
      }
    }));
    const ms = performance.now() - t0;
    const clientBusy = performance.eventLoopUtilization(elu0).utilization;
    agent.destroy();
    parentPort.postMessage({ ms, latencies, accepted, other, clientBusy });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.stack || e) });
  }
});
`;

interface IngestRun {
  ms: number;
  latencies: number[];
  accepted: number;
  other: number;
  /** how busy the stations' thread was (event-loop utilisation, 0–1) */
  clientBusy: number;
}

/** Every station pushes its batches one after another, all stations at once (node:http, keep-alive, in a worker). */
async function ingestClients(url: string, stations: Array<{ stationId: string; token: string; bodies: string[] }>): Promise<IngestRun> {
  const worker = new Worker(INGEST_WORKER, { eval: true, workerData: { url, stations } });
  try {
    return await new Promise<IngestRun>((ok, fail) => {
      worker.once('error', fail);
      worker.once('message', (m: IngestRun | { error: string }) => ('error' in m ? fail(new Error(m.error)) : ok(m)));
      worker.postMessage('go');
    });
  } finally {
    await worker.terminate();
  }
}

// ---- browser CPU profiles (BENCH_SYNC_CPUPROFILE) ------------------------------------------

let cdp: CDPSession | null = null;

/** Run a browser phase, recording a CPU profile of it when asked to. */
async function phase<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  if (!CPUPROFILE_DIR) return fn();
  cdp ??= await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(CPUPROFILE_DIR, { recursive: true });
    writeFileSync(join(CPUPROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

/** Run a phase of this process (the hub and the Node stations), profiled when asked to. */
async function nodePhase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!CPUPROFILE_DIR) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(CPUPROFILE_DIR, { recursive: true });
    writeFileSync(join(CPUPROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}

/** Where the CPU went during a browser phase (with the benchmark's own checks of the store after it). */
function cpuMeanwhile(kind: Kind, cpu: CpuSpent, browser: CpuSpent): string {
  return (
    `CPU meanwhile (with the benchmark's count of the store after it): the browser ${secs(browser.serverMs)}, this process (the hub and its threads) ${secs(cpu.selfMs)}` +
    `${kind === 'postgres' ? `, the PostgreSQL server ${secs(cpu.serverMs)}` : ''}; the whole machine ${secs(cpu.machineMs)} ` +
    `(${Math.round((100 * cpu.machineMs) / Math.max(1, cpu.machineCapacityMs))} % of its cores)`
  );
}

// ---- one database ----------------------------------------------------------------------------

interface HandlerTimes {
  [route: string]: { n: number; ms: number };
}

const STATION_110: Station = StationSchema.parse({
  stationId: 'p110-sync-bench',
  name: '兰山公安分局110接警台',
  role: 'police110',
  district: '兰山区',
  operator: '基准测试',
  countyMode: false,
});
const STATION_110B: Station = { ...STATION_110, stationId: 'p110-sync-bench2', name: '兰山公安分局110接警台二' };
const STATION_12345 = { stationId: 'h12345-sync-bench', name: '临沂市12345政务服务热线', role: 'hotline12345' as const, district: '全市' };

function snapshot(h: HandlerTimes): HandlerTimes {
  return JSON.parse(JSON.stringify(h)) as HandlerTimes;
}
function since(h: HandlerTimes, before: HandlerTimes, route: string): { n: number; ms: number } {
  return { n: (h[route]?.n ?? 0) - (before[route]?.n ?? 0), ms: (h[route]?.ms ?? 0) - (before[route]?.ms ?? 0) };
}
const PUSH = `POST ${API_PREFIX}/events`;
const PULL = `GET ${API_PREFIX}/events`;

async function runDatabase(kind: Kind, page: Page, opts: Options, ingest: IngestStation[], register: (fn: () => Promise<void>) => void) {
  const bench = await openBenchDb(kind);
  let closed = false;
  const closeDb = async () => {
    if (closed) return;
    closed = true;
    await bench.close();
  };
  register(closeDb);
  const { db } = bench;
  await migrate(db);
  console.log(`\n== ${LABEL[kind]}: ${bench.where}`);

  // the hub as it runs in production (info-level request logs), written to nowhere
  const sink = new Writable({ write: (_c, _e, done) => done() });
  // as `npm run hub` runs by default (HUB_VALIDATION_WORKERS=1): pushed events validated in a worker thread
  const app = buildHubApp({ db, logger: { level: 'info', stream: sink }, validationWorkers: 1 });
  const handler: HandlerTimes = {};
  app.addHook('onResponse', async (request, reply) => {
    const key = `${request.method} ${request.routeOptions.url ?? '?'}`;
    const h = (handler[key] ??= { n: 0, ms: 0 });
    h.n++;
    h.ms += reply.elapsedTime;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  let appClosed = false;
  const closeApp = async () => {
    if (appClosed) return;
    appClosed = true;
    await app.close();
  };
  register(closeApp);
  const addr = app.server.address();
  const hubUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  const token110 = (await addStation(db, { ...STATION_110, department: null })).token;
  const token110b = (await addStation(db, { ...STATION_110B, department: null })).token;
  const token12345 = (await addStation(db, { ...STATION_12345, department: null })).token;
  for (const s of ingest) {
    s.token = (await addStation(db, { stationId: s.station.stationId, name: s.station.name, role: 'police110', district: s.station.district, department: null })).token;
  }
  // a new browser database for every measurement (deleting one just before would compete with it)
  const names: string[] = [];
  const dbName = (what: string) => {
    const name = `relay-bench-sync-${kind}-${what}`;
    names.push(name);
    return name;
  };
  const settle = () => (opts.settle > 0 ? sleep(opts.settle * 1000) : Promise.resolve());
  register(() => page.evaluate((n) => window.relaySyncBench.reset(n), names).catch(() => undefined));

  // ---- 1. delivery after an outage ----
  const db110 = dbName('110');
  console.log(`1. recording ${int(opts.events)} events offline at the 110 desk (Chromium, RelayDb) ...`);
  const fill = await page.evaluate((o) => window.relaySyncBench.fillOutbox(o), { dbName: db110, station: STATION_110, events: opts.events, intakesPerTx: 250 });
  console.log(`   ${int(fill.events)} events (${int(fill.intakes)} intakes${fill.notes ? ` + ${fill.notes} notes` : ''}) in ${secs(fill.ms)}; outbox ${int(fill.outbox)}`);
  if (fill.outbox !== opts.events) throw new Error(`the outbox holds ${fill.outbox} events, not ${opts.events}`);
  await settle();
  console.log('   the hub is back: pushOutbox ...');
  let h0 = snapshot(handler);
  const pushCpuSpent = cpuAccounting(SERVER_PROCESSES[kind]);
  const pushBrowserCpuSpent = cpuAccounting(BROWSER_PROCESSES);
  const push = await nodePhase(`${kind}-hub-push`, () =>
    phase(page, `${kind}-push`, () =>
      page.evaluate((o) => window.relaySyncBench.push(o), { dbName: db110, hubUrl, token: token110, stationId: STATION_110.stationId }),
    ),
  );
  const pushHub = since(handler, h0, PUSH);
  const pushCpu = pushCpuSpent();
  const pushBrowserCpu = pushBrowserCpuSpent();
  const delivered = push.after.outbox === 0 && push.after.outboxCounter === 0 && push.after.sequenced === opts.events && push.summary.accepted === opts.events;
  console.log(
    `   ${secs(push.ms)}: ${push.summary.batches} batches, ${int(push.summary.accepted)} accepted, ${push.summary.rejected} rejected; outbox now ${push.after.outbox}, ` +
      `${int(push.after.sequenced)}/${int(push.after.events)} events numbered by the hub`,
  );
  if (!delivered) throw new Error(`delivery incomplete: ${JSON.stringify({ summary: push.summary, after: push.after })}`);
  const hubEvents = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  if (Number(hubEvents[0]?.n) !== opts.events) throw new Error(`the hub holds ${hubEvents[0]?.n} events, not ${opts.events}`);
  const raw1Ms = await rawInsert(db, 'bench_raw_events_small', rawRows(ingest.flatMap((s) => s.events), opts.events), 500);
  console.log(
    `   waiting for the hub ${secs(push.network.ms)} (hub handler ${secs(pushHub.ms)}), in the browser outside hub calls (the rest overlaps them) ${secs(push.ms - push.network.ms)}; ` +
      `RAW INSERT of ${int(opts.events)} rows, 500 a statement: ${secs(raw1Ms)}`,
  );
  if (pushCpu && pushBrowserCpu) console.log(`   ${cpuMeanwhile(kind, pushCpu, pushBrowserCpu)}`);
  const deliver = {
    ms: push.ms,
    eventsPerSec: rate(opts.events, push.ms),
    batches: push.summary.batches,
    waitingForHubMs: push.network.ms,
    hubHandlerMs: pushHub.ms,
    inBrowserMs: push.ms - push.network.ms,
    rawInsertMs: raw1Ms,
    breakdown: null as unknown,
    fill,
    summary: push.summary,
    after: push.after,
  };

  // ---- 2. applying pulled events at a fresh 12345 desk ----
  const pulls = [];
  for (const [n, limit] of opts.pullLimits.entries()) {
    console.log(`2. a fresh 12345 desk pulls (pullAll, pages of ${limit}) ...`);
    await settle();
    h0 = snapshot(handler);
    const pullCpuSpent = cpuAccounting(SERVER_PROCESSES[kind]);
    const pullBrowserCpuSpent = cpuAccounting(BROWSER_PROCESSES);
    const pull = await nodePhase(`${kind}-hub-pull-${limit}`, () =>
      phase(page, `${kind}-pull-${limit}`, () =>
        page.evaluate((o) => window.relaySyncBench.pull(o), { dbName: dbName(`12345-pull-${limit}`), hubUrl, token: token12345, limit }),
      ),
    );
    const pullHub = since(handler, h0, PULL);
    const pullCpu = pullCpuSpent();
    const pullBrowserCpu = pullBrowserCpuSpent();
    if (pullCpu && pullBrowserCpu) console.log(`   ${cpuMeanwhile(kind, pullCpu, pullBrowserCpu)}`);
    if (pull.summary.added !== opts.events) throw new Error(`the 12345 desk took in ${pull.summary.added} events, not ${opts.events}`);
    const pre = await page.evaluate((o) => window.relaySyncBench.prefetch(o), { hubUrl, token: token12345, limit });
    await settle();
    const apply = await phase(page, `${kind}-apply-${limit}`, () =>
      page.evaluate((o) => window.relaySyncBench.applyOnly(o), { dbName: dbName(`12345-apply-${limit}`) }),
    );
    if (apply.added !== opts.events) throw new Error(`apply only took in ${apply.added} events, not ${opts.events}`);
    await settle();
    const raw = await page.evaluate((o) => window.relaySyncBench.rawBulkPut(o), { dbName: dbName(`raw-${limit}`) });
    let breakdown = null;
    if (n === 0) {
      await settle();
      breakdown = await page.evaluate((o) => window.relaySyncBench.applyBreakdown(o), { dbName: dbName(`12345-breakdown-${limit}`) });
    }
    const r = {
      limit,
      endToEnd: { ms: pull.ms, eventsPerSec: rate(pull.summary.added, pull.ms), pages: pull.summary.pages, waitingForHubMs: pull.network.ms, hubHandlerMs: pullHub.ms, applyMs: pull.ms - pull.network.ms },
      apply: { ms: apply.ms, eventsPerSec: rate(apply.added, apply.ms), parseMs: apply.parseMs, added: apply.added, pages: apply.pages },
      rawBulkPut: { ms: raw.ms, rowsPerSec: rate(raw.rows, raw.ms), rows: raw.rows },
      breakdown,
      prefetchMs: pre.ms,
      after: pull.after,
    };
    console.log(
      `   pull+apply ${int(r.endToEnd.eventsPerSec)} events/s (${secs(pull.ms)}, ${pull.summary.pages} pages, ${int(pull.after.cases)} cases; waiting for the hub ${secs(pull.network.ms)}, hub handler ${secs(pullHub.ms)}); ` +
        `apply only ${int(r.apply.eventsPerSec)} events/s (${secs(apply.ms)}); the pages alone, fetched again with nothing applied ${secs(pre.ms)}; RAW Dexie bulkPut ${int(r.rawBulkPut.rowsPerSec)} rows/s`,
    );
    if (breakdown) {
      const b = breakdown;
      const pct = (ms: number) => `${((ms / b.ms) * 100).toFixed(0)}%`;
      console.log(
        `   apply, step by step (${secs(b.ms)} for ${int(b.events)} events, ${int(b.cases)} cases): ` +
          Object.entries(b.parts).map(([k, v]) => `${k} ${secs(v)} (${pct(v)})`).join(', ') +
          `; reading each page's cases' events again (what applying to the row avoids): ${secs(b.readAnyOfMs)}`,
      );
    }
    pulls.push(r);
  }

  // ---- 1b. where a push's time goes: the same loop written out, on a second desk with fewer
  // events (after the pulls, so they pull exactly the events of 1.)
  const db110b = dbName('110-breakdown');
  const breakdownEvents = Math.min(opts.events, 2000);
  await page.evaluate((o) => window.relaySyncBench.fillOutbox(o), { dbName: db110b, station: STATION_110B, events: breakdownEvents, intakesPerTx: 250 });
  await settle();
  const pb = await page.evaluate((o) => window.relaySyncBench.pushBreakdown(o), { dbName: db110b, hubUrl, token: token110b, stationId: STATION_110B.stationId });
  if (pb.after.outbox !== 0) throw new Error('push breakdown: the outbox is not empty');
  const perBatch = (ms: number) => `${(ms / Math.max(1, pb.batches)).toFixed(0)} ms`;
  console.log(
    `1b. where a push's time goes, per batch of 500 (${pb.batches} batches, pushing ${int(breakdownEvents)} events from a second desk): nextBatch ${perBatch(pb.parts.nextBatch)}, ` +
      `hub answer ${perBatch(pb.parts.hub)}, applyPushResponse ${perBatch(pb.parts.applyPushResponse)}`,
  );
  deliver.breakdown = pb;

  if (opts.deliverOnly) {
    await page.evaluate(() => window.relaySyncBench.close());
    await closeApp();
    await closeDb();
    return { kind, where: bench.where, deliver, pulls, ingest: null, hubRows: null, browserDbs: names };
  }

  // ---- 3. hub ingest from many stations at once, in rounds ----
  // one 2-second measurement on a shared 2-core machine moves by several percent from run to
  // run (so does the raw insert beside it): each round is the ingest between a raw insert before
  // and one after; the figure is the round with the median ratio, every round printed
  const rounds: IngestRound[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    let stations = ingest;
    if (round > 1) {
      stations = ingestStations(ingest.reduce((n, st) => n + st.events.length, 0), ingest.length, opts.batch, round);
      for (const st of stations) {
        st.token = (await addStation(db, { stationId: st.station.stationId, name: st.station.name, role: 'police110', district: st.station.district, department: null })).token;
      }
    }
    rounds.push(await ingestRound(kind, db, hubUrl, handler, stations, opts, round));
  }
  const ratios = rounds.map((r) => r.vsRaw);
  const median = [...rounds].sort((x, y) => x.vsRaw - y.vsRaw)[Math.floor((rounds.length - 1) / 2)]!;
  const ingestResult = { ...median, rounds: rounds.map((r) => ({ round: r.round, eventsPerSec: r.eventsPerSec, rawRowsPerSec: r.raw.rowsPerSec, vsRaw: r.vsRaw })) };
  if (rounds.length > 1) {
    console.log(
      `   ${rounds.length} rounds: ${ratios.map((x) => `${(x * 100).toFixed(0)}%`).join(', ')} of the raw insert; the median round (${median.round}) is the figure`,
    );
  }

  const size = await db.query<{ events: number; audience: number; cases: number }>(
    'SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM case_audience)::int AS audience, (SELECT count(*) FROM cases)::int AS cases',
  );
  // the browser databases are deleted after the last database's run, not here: deleting them sets
  // Chromium's storage compacting for seconds, which would slow the next run's browser side
  await page.evaluate(() => window.relaySyncBench.close());
  await closeApp();
  await closeDb();
  return { kind, where: bench.where, deliver, pulls, ingest: ingestResult, hubRows: size[0], browserDbs: names };
}

type IngestRound = Awaited<ReturnType<typeof ingestRound>>;

/** One round of 3.: a raw insert, the ingest from every station at once, a raw insert again. */
async function ingestRound(kind: Kind, db: Database, hubUrl: string, handler: HandlerTimes, ingest: IngestStation[], opts: Options, round: number) {
  const total = ingest.reduce((n, s) => n + s.events.length, 0);
  const rows = rawRows(ingest.flatMap((s) => s.events), total);
  const rawBeforeMs = await rawInsert(db, 'bench_raw_events', rows, 500);
  console.log(`3.${opts.rounds > 1 ? ` round ${round}:` : ''} ${ingest.length} stations push ${int(total)} events at once, batches of ${opts.batch} ...`);
  const h0 = snapshot(handler);
  const cpuSpent = cpuAccounting();
  const t0 = performance.now();
  const run = await nodePhase(`${kind}-hub-ingest`, () =>
    ingestClients(
      `${hubUrl}${API_PREFIX}/events`,
      ingest.map((s) => ({ stationId: s.station.stationId, token: s.token, bodies: s.bodies })),
    ),
  );
  const { latencies, accepted, other } = run;
  const ingestMs = run.ms;
  const ingestWallMs = performance.now() - t0;
  const ingestHub = since(handler, h0, PUSH);
  const cpu = cpuSpent();
  if (accepted !== total) throw new Error(`ingest: ${accepted} of ${total} accepted (${other} not)`);
  const rawCpuSpent = cpuAccounting();
  const rawAfterMs = await rawInsert(db, 'bench_raw_events', rows, 500);
  const rawCpu = rawCpuSpent();
  // the better of the two raw runs (before and after the ingest): the conservative comparison
  const rawMs = Math.min(rawBeforeMs, rawAfterMs);
  const ingestResult = {
    round,
    stations: ingest.length,
    events: total,
    batches: latencies.length,
    ms: ingestMs,
    wallMs: ingestWallMs,
    eventsPerSec: rate(total, ingestMs),
    requestMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: quantile(latencies, 1) },
    hubHandlerMs: ingestHub.ms,
    clientThreadBusy: run.clientBusy,
    cpu,
    rawCpu,
    raw: { rows: total, batch: 500, ms: rawMs, rowsPerSec: rate(total, rawMs), runsMs: [rawBeforeMs, rawAfterMs] },
    vsRaw: rate(total, ingestMs) / rate(total, rawMs),
  };
  console.log(
    `   ${int(ingestResult.eventsPerSec)} events/s (${secs(ingestMs)}, ${latencies.length} pushes, p50 ${int(ingestResult.requestMs.p50)} ms, p95 ${int(ingestResult.requestMs.p95)} ms each; the stations' thread ${(run.clientBusy * 100).toFixed(0)} % busy); ` +
      `RAW INSERT ${int(rate(total, rawBeforeMs))} rows/s before, ${int(rate(total, rawAfterMs))} after → ${(ingestResult.vsRaw * 100).toFixed(0)}% of the better`,
  );
  if (cpu) {
    const perEvent = (ms: number) => `${((ms * 1000) / total).toFixed(0)} µs`;
    console.log(
      `   CPU an event: this process ${perEvent(cpu.selfMs)} (the hub's thread ${perEvent(cpu.mainThreadMs)}, the others: its workers, the stations, V8's helpers ${perEvent(cpu.selfMs - cpu.mainThreadMs)})` +
        (kind === 'postgres' ? `, the PostgreSQL server ${perEvent(cpu.serverMs)}` : '') +
        `, the whole machine ${perEvent(cpu.machineMs)} (${((cpu.machineMs / Math.max(1, cpu.machineCapacityMs)) * 100).toFixed(0)} % of its cores)`,
    );
  }
  if (cpu && cpu.threads.length > 0) {
    const perEvent = (ms: number) => `${((ms * 1000) / total).toFixed(1)}`;
    console.log(`   CPU an event by thread of this process (µs; thread ids, the main thread ${process.pid}): ${cpu.threads.map((t) => `${t.tid} ${perEvent(t.ms)}`).join(', ')}`);
  }
  if (rawCpu) {
    const perRow = (ms: number) => `${((ms * 1000) / total).toFixed(0)} µs`;
    console.log(
      `   CPU a row of the raw insert after the ingest: this process ${perRow(rawCpu.selfMs)}` +
        (kind === 'postgres' ? `, the PostgreSQL server ${perRow(rawCpu.serverMs)}` : '') +
        `, the whole machine ${perRow(rawCpu.machineMs)} (${((rawCpu.machineMs / Math.max(1, rawCpu.machineCapacityMs)) * 100).toFixed(0)} % of its cores)`,
    );
  }

  return ingestResult;
}

// ---- the run ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build || !existsSync(join(DIST, 'bench-sync.html'))) {
    console.log('building the web edition (vite build --config vite.web.config.ts) ...');
    const built = spawnSync('npx', ['vite', 'build', '--config', 'vite.web.config.ts'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the web build failed');
  }
  if (!existsSync(join(DIST, 'bench-sync.html'))) throw new Error('dist-web/bench-sync.html is missing: add bench-sync.html to the input of vite.web.config.ts');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()!();
      } catch (e) {
        console.error(`  cleanup: ${(e as Error).message}`);
      }
    }
  };
  const onSignal = () => {
    console.log('\ninterrupted: closing the browser, the hub and the databases ...');
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    console.error(`\nbench:sync did not finish within ${opts.timeout} s: closing everything and giving up`);
    void cleanup().then(() => process.exit(1));
  }, opts.timeout * 1000);
  watchdog.unref();

  try {
    const kinds: Kind[] = opts.only ? [opts.only] : ['pglite', 'postgres'];
    const skipped: Partial<Record<Kind, string>> = {};
    if (kinds.includes('postgres')) {
      const why = await postgresUnreachable(pgUrl());
      if (why) {
        skipped.postgres = why;
        console.log(`PostgreSQL figures skipped: ${why}`);
      }
    }

    console.log(`generating ${int(opts.ingest)} valid events for ${opts.stations} ingest stations (intakeCommands + parseEvent) ...`);
    const g0 = performance.now();
    const ingest = ingestStations(opts.ingest, opts.stations, opts.batch);
    console.log(`   done in ${secs(performance.now() - g0)}`);

    const { server, port } = await startStatic(DIST);
    cleanups.push(
      () =>
        new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        }),
    );
    /**
     * A browser with a profile of its own, for one database's run: the runs before leave
     * Chromium's storage holding their desks' databases (and compacting them for a while once
     * deleted), which slowed the next run's browser side by a tenth or more.
     */
    const openBrowser = async () => {
      const profile = mkdtempSync(join(tmpdir(), 'relay-bench-sync-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: [...CHROMIUM_ARGS, ...(opts.engine === 'sqlite' ? [`--enable-features=${SQLITE_BACKING_STORE_FEATURE}`] : [])],
        headless: !opts.headed,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      };
      cleanups.push(close);
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (err) => console.log(`  page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.log(`  page console: ${msg.text()}`);
      });
      await page.goto(`http://127.0.0.1:${port}/bench-sync.html`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30_000 });
      return { page, close };
    };

    const results: Awaited<ReturnType<typeof runDatabase>>[] = [];
    let userAgent = '';
    let loadBefore = loadavg();
    for (const kind of kinds) {
      if (skipped[kind]) continue;
      if (results.length > 0) {
        // the run before leaves the hub's database writing in the background for a while:
        // each database is measured on a machine that has settled
        const quiet = Math.max(10, opts.settle * 5);
        console.log(`\nletting the previous run's database and browser settle for ${quiet} s ...`);
        await sleep(quiet * 1000);
      }
      const browser = await openBrowser();
      if (results.length === 0) {
        userAgent = await browser.page.evaluate(() => window.relaySyncBench.userAgent());
        console.log(`Relay Desk sync benchmark: ${int(opts.events)} queued events; ingest ${int(opts.ingest)} events from ${opts.stations} stations`);
        loadBefore = loadavg();
        console.log(`browser: ${userAgent} (IndexedDB on ${opts.engine === 'sqlite' ? 'SQLite' : 'LevelDB'}); node ${process.version}; ${cpus().length} CPUs; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
        if (loadBefore[0]! > cpus().length * 0.5) console.log(`note: other work is running on this machine (load ${loadBefore[0]!.toFixed(2)} on ${cpus().length} CPUs): figures will be lower and noisier`);
      }
      results.push(await runDatabase(kind, browser.page, opts, ingest, (fn) => cleanups.push(fn)));
      // its desks' databases go with its profile
      await browser.close();
    }

    // ---- report ----
    const rows: string[][] = [['measure', 'database', 'figure', `RAW (same database / browser, same run)`, 'target', 'result']];
    for (const r of results) {
      const db = LABEL[r.kind];
      rows.push([
        `1. deliver ${int(opts.events)} queued events (pushOutbox)`,
        db,
        `${secs(r.deliver.ms)} (${int(r.deliver.eventsPerSec)} events/s)`,
        `INSERT of ${int(opts.events)} rows: ${secs(r.deliver.rawInsertMs)}`,
        `≤ ${secs(TARGETS.deliverMs)}`,
        verdict(r.deliver.ms <= TARGETS.deliverMs),
      ]);
      for (const p of r.pulls) {
        rows.push([
          `2. pull + apply, fresh 12345 desk (pages of ${p.limit})`,
          db,
          `${int(p.endToEnd.eventsPerSec)} events/s (${secs(p.endToEnd.ms)})`,
          `Dexie bulkPut ${int(p.rawBulkPut.rowsPerSec)} rows/s`,
          `≥ ${int(TARGETS.applyPerSec)}/s`,
          verdict(p.endToEnd.eventsPerSec >= TARGETS.applyPerSec),
        ]);
        rows.push([
          `   apply only (applyExternalEvents, pages of ${p.limit})`,
          db,
          `${int(p.apply.eventsPerSec)} events/s (${secs(p.apply.ms)})`,
          `(ref. ${int(REFERENCE.dexieBulkPutPerSec)} rows/s)`,
          `≥ ${int(TARGETS.applyPerSec)}/s`,
          verdict(p.apply.eventsPerSec >= TARGETS.applyPerSec),
        ]);
      }
      if (r.ingest) rows.push([
        `3. hub ingest, ${r.ingest.stations} stations × batches of ${opts.batch}`,
        db,
        `${int(r.ingest.eventsPerSec)} events/s (${int(r.ingest.events)} in ${secs(r.ingest.ms)}${r.ingest.rounds.length > 1 ? `; median of ${r.ingest.rounds.length} rounds: ${r.ingest.rounds.map((x) => `${(x.vsRaw * 100).toFixed(0)}%`).join(' ')}` : ''})`,
        `INSERT 500-row batches ${int(r.ingest.raw.rowsPerSec)} rows/s (ref. ${int(REFERENCE.rawInsertPerSec[r.kind])})`,
        `≥ ${TARGETS.ingestVsRaw * 100}% of raw`,
        `${(r.ingest.vsRaw * 100).toFixed(0)}% ${verdict(r.ingest.vsRaw >= TARGETS.ingestVsRaw)}`,
      ]);
    }
    for (const kind of Object.keys(skipped)) rows.push(['1–3', LABEL[kind as Kind], 'skipped: not reachable (reason below)', '', '', 'n/a']);
    console.log(`\n${table(rows)}\n`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} CPUs)`);
    for (const [kind, why] of Object.entries(skipped)) console.log(`${LABEL[kind as Kind]} skipped: ${why}`);

    const result = {
      at: new Date().toISOString(),
      options: opts,
      environment: {
        userAgent,
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? '',
        memGiB: Math.round(totalmem() / 2 ** 30),
        loadAverage: { before: loadBefore, after: loadavg() },
      },
      targets: TARGETS,
      reference: REFERENCE,
      skipped,
      results,
      verdicts: results.map((r) => ({
        database: r.kind,
        deliver: r.deliver.ms <= TARGETS.deliverMs,
        pullEndToEnd: r.pulls.map((p) => ({ limit: p.limit, pass: p.endToEnd.eventsPerSec >= TARGETS.applyPerSec })),
        applyOnly: r.pulls.map((p) => ({ limit: p.limit, pass: p.apply.eventsPerSec >= TARGETS.applyPerSec })),
        ingest: r.ingest ? r.ingest.vsRaw >= TARGETS.ingestVsRaw : null,
      })),
    };
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results written to ${RESULTS.slice(ROOT.length + 1)}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    clearTimeout(watchdog);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench:sync failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
