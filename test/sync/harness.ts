/**
 * Real parts for station ⇄ hub sync tests:
 * - SyncHub: the real hub app (buildHubApp) listening on 127.0.0.1 over a fresh database
 *   (embedded PGlite in a new folder, or a new PostgreSQL schema: test/hub/helpers/drivers),
 *   that can be stopped (connection refused), started again on the same data and port, and
 *   emptied between property runs;
 * - SyncStation: a desk's real store (RelayDb on its own fake-indexeddb IDBFactory), its
 *   commands (recordCommands), and its sync (pushOutbox + pullAll over createHubClient with a
 *   FaultyFetch around the real fetch), registered through the hub's admin API; "reload"
 *   closes the store and opens a new RelayDb on the same name and factory.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import {
  foldCase,
  HOTLINE_TARGET,
  intakeCommands,
  parseEvent,
  StationSchema,
  type CaseState,
  type Command,
  type HandoverTarget,
  type IntakeDraft,
  type RelayEvent,
  type Role,
  type Station,
} from '../../src-common/domain';
import { API_PREFIX, type StationInfo } from '../../src-common/protocol/v1';
import type { Database } from '../../src-hub/db/database';
import { openHubDatabase, type DatabaseConfig } from '../../src-hub/db/open-database';
import { buildHubApp } from '../../src-hub/http/app';
import { COUNTER } from '../../src-renderer/src/store/counters';
import { RelayDb, type StoredEvent } from '../../src-renderer/src/store/db';
import { readAllEvents } from '../../src-renderer/src/store/hub-seqs';
import { toCaseState } from '../../src-renderer/src/store/projection';
import { AUTO_CASE_NO, recordCommands } from '../../src-renderer/src/store/record';
import { createHubClient, type HubClient } from '../../src-renderer/src/sync/hub-client';
import { pullAll, readCursor, type PullSummary } from '../../src-renderer/src/sync/pull';
import { pushOutbox, type PushOptions, type PushSummary } from '../../src-renderer/src/sync/push';
import { syncRound } from '../../src-renderer/src/sync/sync-round';
import { freshLocation, type DriverName } from '../hub/helpers/drivers';
import { ADMIN_TOKEN, pullAll as rawPullAll } from '../hub/helpers/hub-harness';
import { expectCountersRight } from '../renderer/store/helpers';
import { FaultyFetch } from './faulty-fetch';

export { describeEachDriver, type DriverName } from '../hub/helpers/drivers';

export const HOUR = 3_600_000;

// ---- the hub ----------------------------------------------------------------------------

/** One event as the hub holds it. */
export interface HeldEvent {
  hubSeq: number;
  id: string;
  caseId: string;
  stationId: string;
  seq: number;
  event: RelayEvent;
}

export interface SyncHub extends HubEndpoint {
  readonly driver: DriverName;
  /** the PGlite data folder ('' on PostgreSQL) */
  readonly dataDir: string;
  readonly url: string;
  readonly port: number;
  /** the open database (a new handle after each start) */
  readonly db: Database;
  readonly running: boolean;
  /** close the app and the database: the port refuses connections */
  stop(): Promise<void>;
  /** open the database again on the same data and listen on the same port */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** empty every table but the migrations (a fresh hub, for the next property run) */
  reset(): Promise<void>;
  /** register a station through the admin API over HTTP; returns its token */
  register(info: StationInfo): Promise<string>;
  /** every event the hub holds, in hub order */
  held(): Promise<HeldEvent[]>;
  destroy(): Promise<void>;
}

function configOf(env: Record<string, string>): DatabaseConfig {
  return {
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.HUB_DB_SCHEMA ? { schema: env.HUB_DB_SCHEMA } : {}),
    dataDir: env.HUB_DATA_DIR ?? '',
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Register a station through the hub's admin API (POST /api/v1/admin/stations); returns its token. */
export async function registerOverHttp(url: string, info: StationInfo): Promise<string> {
  const res = await fetch(`${url}${API_PREFIX}/admin/stations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(info),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 || !body.token) throw new Error(`registration of ${info.stationId} failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** What a station needs of a hub: where it is, and registration. */
export interface HubEndpoint {
  readonly url: string;
  register(info: StationInfo): Promise<string>;
}

export async function startSyncHub(driver: DriverName): Promise<SyncHub> {
  const location = freshLocation(driver);
  const config = configOf(location.env);
  let db: Database | null = null;
  let app: FastifyInstance | null = null;
  let port = 0;

  const start = async () => {
    if (app) throw new Error('hub already running');
    db = await openHubDatabase(config);
    const next = buildHubApp({ db, adminToken: ADMIN_TOKEN });
    for (let attempt = 0; ; attempt++) {
      try {
        await next.listen({ host: '127.0.0.1', port });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 40) throw e;
        await sleep(50);
      }
    }
    const address = next.server.address();
    port = typeof address === 'object' && address ? address.port : port;
    app = next;
  };
  const stop = async () => {
    if (!app) return;
    const closing = app;
    app = null;
    await closing.close();
    await db!.close();
    db = null;
  };
  await start();

  const hub: SyncHub = {
    driver,
    dataDir: config.dataDir,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get db() {
      if (!db) throw new Error('the hub is stopped');
      return db;
    },
    get running() {
      return app !== null;
    },
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    reset: async () => {
      const tables = await hub.db.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
      );
      await hub.db.exec(`TRUNCATE ${tables.map((t) => t.tablename).join(', ')} RESTART IDENTITY CASCADE`);
    },
    register: (info) => registerOverHttp(hub.url, info),
    held: async () => {
      const rows = await hub.db.query<{ hub_seq: number; event_id: string; case_id: string; station_id: string; seq: number; content: string }>(
        'SELECT hub_seq, event_id, case_id, station_id, seq, content FROM events ORDER BY hub_seq',
      );
      return rows.map((r) => ({
        hubSeq: Number(r.hub_seq),
        id: r.event_id,
        caseId: r.case_id,
        stationId: r.station_id,
        seq: Number(r.seq),
        event: parseEvent(JSON.parse(r.content)),
      }));
    },
    destroy: async () => {
      await stop();
      await location.cleanup();
    },
  };
  return hub;
}

// ---- stations ---------------------------------------------------------------------------

export interface StationSpec {
  stationId: string;
  name: string;
  role: Role;
  district: string;
  department?: string | null;
  operator?: string;
}

export const P110: StationSpec = { stationId: 'p110-sync', name: '兰山区110接警台', role: 'police110', district: '兰山区', operator: '王强' };
export const H12345: StationSpec = { stationId: 'h12345-sync', name: '临沂市12345热线', role: 'hotline12345', district: '全市', operator: '李娜' };
export const HOUSING: StationSpec = {
  stationId: 'unit-housing-sync',
  name: '兰山区住建局值班室',
  role: 'unit',
  district: '兰山区',
  department: 'housing',
  operator: '赵刚',
};
export const SUPERVISOR: StationSpec = { stationId: 'sup-city-sync', name: '市督办值班长', role: 'supervisor', district: '全市', operator: '陈明' };

export const TO_HOUSING: HandoverTarget = { kind: 'department', stationId: null, name: '兰山区住建局值班室', department: 'housing' };

let dbCounter = 0;

export class SyncStation {
  readonly factory = new IDBFactory();
  readonly dbName = `relay-sync-${++dbCounter}`;
  readonly station: Station;
  readonly info: StationInfo;
  readonly faulty = new FaultyFetch();
  db: RelayDb;
  token = '';
  reloads = 0;
  private intakes = 0;

  constructor(
    readonly hub: HubEndpoint,
    spec: StationSpec,
    /** how far this desk's clock is off (ms) */
    readonly clockOffsetMs = 0,
  ) {
    this.station = StationSchema.parse({ operator: '值班员', countyMode: false, department: null, ...spec });
    this.info = { stationId: spec.stationId, name: spec.name, role: spec.role, district: spec.district, department: spec.department ?? null };
    this.db = this.open();
  }

  private open(): RelayDb {
    return new RelayDb(this.dbName, { indexedDB: this.factory, IDBKeyRange });
  }

  get id(): string {
    return this.station.stationId;
  }

  get ref() {
    return { stationId: this.station.stationId, name: this.station.name };
  }

  /** this desk's clock */
  now = (): Date => new Date(Date.now() + this.clockOffsetMs);

  async register(): Promise<this> {
    this.token = await this.hub.register(this.info);
    return this;
  }

  client(timeoutMs?: number): HubClient {
    return createHubClient({ baseUrl: this.hub.url, token: this.token, fetch: this.faulty.fetch, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  record(commands: readonly Command[]): Promise<RelayEvent[]> {
    return recordCommands(this.db, { station: this.station, now: this.now }, commands);
  }

  /** One 110 intake save: created, screened non-police, transferred to 12345 (3 events). */
  async intake(over: Partial<IntakeDraft> = {}): Promise<RelayEvent[]> {
    const i = ++this.intakes;
    const at = this.now();
    const draft: IntakeDraft = {
      channel: this.station.role === 'police110' ? 'call110' : 'call12345',
      receivedAt: at.toISOString(),
      callerName: '张三',
      callerPhone: `1391234${String(i % 10_000).padStart(4, '0')}`,
      anonymous: false,
      confidential: false,
      address: `兰山区通达路 ${i} 号金雀山小区`,
      district: this.station.district,
      nature: 'help',
      category: 'utility.water',
      urgency: i % 3 === 0 ? 'urgent' : 'normal',
      description: `第 ${i} 起：小区自来水管道爆裂，楼道积水，整栋楼停水`,
      verdict: this.station.role === 'police110' ? 'nonPolice' : '',
      verdictReason: '供水设施故障，非警务',
      transfer: { to: HOTLINE_TARGET, threeWayCall: i % 2 === 0, note: '' },
      ...over,
    };
    return this.record(intakeCommands(draft, this.station, AUTO_CASE_NO, at));
  }

  acknowledge(caseId: string, of: 'transfer' | 'assignment'): Promise<RelayEvent[]> {
    return this.record([{ caseId, type: 'case.acknowledged', payload: { of, station: this.ref } }]);
  }

  assign(caseId: string, lead: HandoverTarget = TO_HOUSING): Promise<RelayEvent[]> {
    const t = this.now().getTime();
    return this.record([
      {
        caseId,
        type: 'case.assigned',
        payload: { lead, assisting: [], note: '请立即处置', ackDueBy: new Date(t + HOUR).toISOString(), feedbackDueBy: new Date(t + 24 * HOUR).toISOString() },
      },
    ]);
  }

  note(caseId: string, text = '已电话联系来电人'): Promise<RelayEvent[]> {
    return this.record([{ caseId, type: 'case.noteAdded', payload: { text } }]);
  }

  push(options: PushOptions = {}, client: HubClient = this.client()): Promise<PushSummary> {
    return pushOutbox(this.db, client, this.id, options);
  }

  pull(limit?: number, client: HubClient = this.client()): Promise<PullSummary> {
    return pullAll(this.db, client, limit);
  }

  /** One round as the connection loop runs it: push, then pull. */
  async sync(options: { maxEvents?: number; pullLimit?: number } = {}): Promise<{ pushed: PushSummary; pulled: PullSummary }> {
    return syncRound(this.db, this.client(), this.id, {
      push: options.maxEvents ? { maxEvents: options.maxEvents } : {},
      ...(options.pullLimit !== undefined ? { pullLimit: options.pullLimit } : {}),
    });
  }

  /** The desk is reloaded: the store closes, and a new RelayDb opens on the same name and factory. */
  async reload(): Promise<void> {
    this.db.close();
    this.db = this.open();
    await this.db.open();
    this.reloads++;
  }

  close(): void {
    this.db.close();
  }

  // ---- what the station holds -------------------------------------------------------------

  /** every event held, each with its hub number (on its row, or acknowledged in hubAcks) */
  events(): Promise<StoredEvent[]> {
    return readAllEvents(this.db);
  }

  async outboxIds(): Promise<string[]> {
    return (await this.db.outbox.orderBy('lseq').toArray()).map((r) => r.eventId);
  }

  cursor(): Promise<string> {
    return readCursor(this.db);
  }

  async caseStates(): Promise<Map<string, CaseState>> {
    return new Map((await this.db.cases.toArray()).map((row) => [row.id, toCaseState(row)]));
  }

  /** Cases in one of the statuses, as this desk sees them, in case-id order. */
  async casesWhere(test: (c: CaseState) => boolean): Promise<CaseState[]> {
    return [...(await this.caseStates()).values()].filter(test).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

// ---- checks -----------------------------------------------------------------------------

/** Each case folded from the hub's events, in hub order: what every station should show. */
export function hubFolds(held: readonly HeldEvent[]): Map<string, CaseState> {
  const byCase = new Map<string, Array<RelayEvent & { hubSeq: number }>>();
  for (const h of held) {
    const list = byCase.get(h.caseId) ?? [];
    list.push({ ...h.event, hubSeq: h.hubSeq });
    byCase.set(h.caseId, list);
  }
  const out = new Map<string, CaseState>();
  for (const [caseId, events] of byCase) {
    const state = foldCase(events);
    if (state) out.set(caseId, state);
  }
  return out;
}

/** Ids that occur more than once. */
export function duplicatesIn(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

/**
 * A station is converged when its outbox is empty (and counted so), nothing was refused,
 * it holds exactly `visible` (each event once, each with the hub's sequence number), its
 * counters match its rows, and each of its cases is the hub's fold of that case.
 */
export async function expectStationConverged(
  s: SyncStation,
  held: readonly HeldEvent[],
  visible: ReadonlySet<string>,
  label = s.id,
): Promise<void> {
  const hubSeqOf = new Map(held.map((h) => [h.id, h.hubSeq]));
  expect(await s.outboxIds(), `${label}: outbox`).toEqual([]);
  expect((await s.db.counters.get(COUNTER.outbox))?.n ?? 0, `${label}: outbox counter`).toBe(0);
  expect(await s.db.rejected.count(), `${label}: refused events`).toBe(0);
  const events = await s.events();
  const ids = events.map((e) => e.id);
  expect(duplicatesIn(ids), `${label}: duplicate ids`).toEqual([]);
  expect(new Set(ids), `${label}: the events it may see, all of them and no others`).toEqual(new Set(visible));
  const wrongSeq = events.filter((e) => e.hubSeq !== hubSeqOf.get(e.id)).map((e) => `${e.id}: ${e.hubSeq} ≠ ${hubSeqOf.get(e.id)}`);
  expect(wrongSeq, `${label}: hub sequence numbers`).toEqual([]);
  await expectCountersRight(s.db, expect);
  const folds = hubFolds(held);
  const states = await s.caseStates();
  const caseIds = new Set(events.filter((e) => e.type !== 'shift.handover').map((e) => e.caseId));
  expect(new Set(states.keys()), `${label}: case rows`).toEqual(caseIds);
  for (const [caseId, state] of states) expect(state, `${label}: case ${caseId}`).toEqual(folds.get(caseId));
}

/** What a supervisor of the whole city pulls, as held events (for a hub whose database the test cannot open). */
export async function heldByPull(url: string, supervisorToken: string): Promise<HeldEvent[]> {
  const { events } = await rawPullAll(url, supervisorToken, '0', 2000);
  return events
    .map(({ hubSeq, event }) => {
      const e = parseEvent(event);
      return { hubSeq, id: e.id, caseId: e.caseId, stationId: e.stationId, seq: e.seq, event: e };
    })
    .sort((a, b) => a.hubSeq - b.hubSeq);
}

/** Ids of every event on the cases `test` picks, from the hub's log. */
export function eventsOfCases(held: readonly HeldEvent[], caseIds: ReadonlySet<string>): Set<string> {
  return new Set(held.filter((h) => caseIds.has(h.caseId)).map((h) => h.id));
}
