/**
 * The hub over a PGlite engine thread that stops (a fatal engine fault, simulated by the
 * fixture thread): health and every route answer 503 database_unavailable, never a 500; the
 * engine starts again by itself on the same folder; then the hub answers again, with every
 * event it had acknowledged, and a push re-sent by its station is stored once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_PREFIX, PROTOCOL_VERSION, type PullResponse, type PushResponse } from '../../src-common/protocol/v1';
import type { Database } from '../../src-hub/db/database';
import { migrate } from '../../src-hub/db/migrations';
import { openPglite } from '../../src-hub/db/pglite-driver';
import { buildHubApp } from '../../src-hub/http/app';
import { addStation } from '../../src-hub/stations/registry';
import { Desk, toHotline } from './helpers/desk';

describe('the hub when its embedded engine stops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-engine-restart-'));
  let db: Database;
  let app: ReturnType<typeof buildHubApp>;
  const desk = Desk.of('er-p110', 'police110');
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    db = await openPglite(dir, { threadEntry: new URL('./fixtures/pglite-thread-dies.mjs', import.meta.url), restart: { delayMs: 200 } });
    await migrate(db);
    desk.token = (await addStation(db, { ...desk.info, department: null })).token;
    app = buildHubApp({ db, validationWorkers: 0 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
    errors.mockRestore();
  });

  const health = () => app.inject({ method: 'GET', url: `${API_PREFIX}/health` });
  const push = (events: unknown[]) =>
    app.inject({
      method: 'POST',
      url: `${API_PREFIX}/events`,
      headers: { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json' },
      payload: { protocol: PROTOCOL_VERSION, events },
    });

  it('answers 503 while the engine is down, then again by itself, holding what it acknowledged', async () => {
    const c = desk.created();
    const first = [c, desk.screened(c.caseId)];
    const before = await push(first);
    expect(before.statusCode).toBe(200);
    expect(before.json<PushResponse>().results.map((r) => r.status)).toEqual(['accepted', 'accepted']);

    await db.query("SELECT 'die'").catch(() => undefined);
    const down = await health();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ error: { code: 'database_unavailable' } });
    const transfer = desk.transferred(c.caseId, toHotline());
    const refused = await push([transfer]);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: 'database_unavailable' } });

    await vi.waitFor(async () => expect((await health()).statusCode).toBe(200), { timeout: 30_000, interval: 50 });
    // the station sends again what went unanswered, and everything it had sent once more
    const again = await push([...first, transfer]);
    expect(again.statusCode).toBe(200);
    expect(again.json<PushResponse>().results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'accepted']);
    const pulled = await app.inject({ method: 'GET', url: `${API_PREFIX}/events?after=0`, headers: { authorization: `Bearer ${desk.token}` } });
    expect(pulled.json<PullResponse>().events.map((e) => (e.event as { id: string }).id)).toEqual([...first, transfer].map((e) => e.id));
    expect(errors.mock.calls.map((call) => String(call[0])).some((m) => /thread started again/.test(m))).toBe(true);
  }, 60_000);
});
