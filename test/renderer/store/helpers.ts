/**
 * Helpers for store tests: each test gets its own in-memory IndexedDB (a fresh fake-indexeddb
 * factory), so no test sees another's data.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { STATUSES } from '../../../src-common/domain';
import { RelayDb, type StoredCase } from '../../../src-renderer/src/store/db';

let counter = 0;

export function freshDb(name = `relay-test-${++counter}`, factory: IDBFactory = new IDBFactory()): RelayDb {
  return new RelayDb(name, { indexedDB: factory, IDBKeyRange });
}

export interface Dump {
  events: unknown[];
  cases: unknown[];
  outbox: unknown[];
  settings: unknown[];
  counters: unknown[];
}

/** Every row of every store, in primary-key order: compare two dumps to see what changed. */
export async function dump(db: RelayDb): Promise<Dump> {
  return {
    events: await db.events.toArray(),
    cases: await db.cases.toArray(),
    outbox: await db.outbox.toArray(),
    settings: await db.settings.toArray(),
    counters: await db.counters.toArray(),
  };
}

/** The counters as they should be, counted the slow way from the case rows. */
export function recount(cases: readonly StoredCase[]): Record<string, number> {
  const out: Record<string, number> = { 'cases:total': cases.length, 'cases:urgentOpen': 0 };
  for (const s of STATUSES) out[`cases:status:${s}`] = 0;
  for (const c of cases) {
    out[`cases:status:${c.status}`]! += 1;
    if (c.urgency === 'urgent' && c.status !== 'closed') out['cases:urgentOpen']! += 1;
  }
  return out;
}

/** The stored case counters, with absent ones as zero, in the same shape as recount(). */
export async function caseCounters(db: RelayDb): Promise<Record<string, number>> {
  const rows = await db.counters.toArray();
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.n]));
  const out: Record<string, number> = { 'cases:total': stored['cases:total'] ?? 0, 'cases:urgentOpen': stored['cases:urgentOpen'] ?? 0 };
  for (const s of STATUSES) out[`cases:status:${s}`] = stored[`cases:status:${s}`] ?? 0;
  return out;
}

/** Check the stored counters against a slow count of the rows. */
export async function expectCountersRight(db: RelayDb, expect: (v: unknown) => { toEqual: (x: unknown) => void }): Promise<void> {
  expect(await caseCounters(db)).toEqual(recount(await db.cases.toArray()));
  const outbox = (await db.counters.get('outbox'))?.n ?? 0;
  expect(outbox).toEqual(await db.outbox.count());
}

/** A clock for recordCommands that moves one second on every reading. */
export function steppingClock(startIso = '2026-03-02T08:00:00.000Z', stepMs = 1000): () => Date {
  let t = Date.parse(startIso);
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}
