/**
 * The real hub over real HTTP: the Fastify app on 127.0.0.1, port 0, on a fresh database,
 * with its log captured (to check what is logged at warn).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, PROTOCOL_VERSION, type PullResponse, type PushResponse, type StationInfo } from '../../../src-common/protocol/v1';
import type { Database } from '../../../src-hub/db/database';
import { buildHubApp } from '../../../src-hub/http/app';
import { addStation } from '../../../src-hub/stations/registry';
import { freshDatabase, type DriverName } from './drivers';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Hub {
  url: string;
  db: Database;
  app: FastifyInstance;
  logs: LogLine[];
  register(station: Omit<StationInfo, 'department'> & { department?: string | null }): Promise<string>;
  close(): Promise<void>;
}

export async function startHub(driver: DriverName, options: { validationWorkers?: number } = {}): Promise<Hub> {
  const fresh = await freshDatabase(driver);
  const logs: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const app = buildHubApp({ db: fresh.db, adminToken: ADMIN_TOKEN, logger: { level: 'info', stream }, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    db: fresh.db,
    app,
    logs,
    register: async (station) => (await addStation(fresh.db, { department: null, ...station })).token,
    close: async () => {
      await app.close();
      await fresh.destroy();
    },
  };
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A raw request: body given as an object (sent as JSON) or as text (sent as is). */
export async function request<T = unknown>(
  url: string,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${url}${API_PREFIX}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: the test will say so */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export function push(url: string, token: string, events: unknown[], basis?: Record<string, string>) {
  return request<PushResponse>(url, 'POST', '/events', {
    token,
    body: { protocol: PROTOCOL_VERSION, events, ...(basis ? { basis } : {}) },
  });
}

/**
 * Push as a station that is up to date: it first pulls everything it may see (from 0), and
 * says it recorded every event knowing all of that (the basis). The hub judges each event by
 * the case as that station knew it (src-hub/sync/knowledge.ts).
 */
export async function pushKnowing(url: string, token: string, events: Array<{ id: string }>) {
  const { cursor } = await pullAll(url, token, '0', 2000);
  return push(url, token, events, Object.fromEntries(events.map((e) => [e.id, cursor])));
}

export function pull(url: string, token: string, after: string, limit?: number) {
  const q = `?after=${encodeURIComponent(after)}${limit !== undefined ? `&limit=${limit}` : ''}`;
  return request<PullResponse>(url, 'GET', `/events${q}`, { token });
}

/** Pull every page from `after`; returns the events in delivery order and the last cursor. */
export async function pullAll(
  url: string,
  token: string,
  after = '0',
  limit?: number,
): Promise<{ events: Array<{ hubSeq: number; event: { id: string; caseId: string; type: string; stationId: string } }>; cursor: string; pages: number }> {
  const events: Array<{ hubSeq: number; event: { id: string; caseId: string; type: string; stationId: string } }> = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const res = await pull(url, token, cursor, limit);
    if (res.status !== 200) throw new Error(`pull ${res.status}: ${JSON.stringify(res.body)}`);
    pages++;
    events.push(...(res.body.events as typeof events));
    cursor = res.body.cursor;
    if (!res.body.more) return { events, cursor, pages };
    if (pages > 10_000) throw new Error('pull does not end');
  }
}
