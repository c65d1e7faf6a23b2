import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { foldCase, type RelayEvent } from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { RelayDb } from '../../../src-renderer/src/store/db';
import { classifyOpenError, OpenFailure, openDb, rescueRead } from '../../../src-renderer/src/store/open-db';
import { toCaseState, toStoredCase } from '../../../src-renderer/src/store/projection';
import { queryCasePage } from '../../../src-renderer/src/store/list-query';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { createdPayload, fullLifecycle, H12345, P110, stationOf, T0 } from '../../domain/fixtures';

const CJK = /[\u4e00-\u9fff]/;
/** the schema version this build declares (not opened, nothing written) */
const CURRENT = new RelayDb('probe', { indexedDB: new IDBFactory(), IDBKeyRange }).verno;

beforeEach(() => {
  // Dexie reports blocked upgrades and version changes on the console; keep the output clean
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function openRaw(factory: IDBFactory, name: string, version: number, upgrade?: (db: IDBDatabase, tx: IDBTransaction) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = () => upgrade?.(req.result, req.transaction!);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('raw open blocked'));
  });
}

describe('classifyOpenError', () => {
  const samples: Array<[string, unknown, string]> = [
    ['Chromium: corrupt LevelDB', { name: 'UnknownError', message: 'Internal error opening backing store for indexedDB.open.' }, 'corrupt'],
    ['the same, wrapped by Dexie', { name: 'OpenFailedError', message: 'UnknownError Internal error opening backing store for indexedDB.open.', inner: { name: 'UnknownError', message: 'Internal error opening backing store for indexedDB.open.' } }, 'corrupt'],
    ['"UnknownError: Internal error opening backing store" as one string', new Error('UnknownError: Internal error opening backing store'), 'corrupt'],
    ['a blocked upgrade', Object.assign(new Error('database upgrade blocked'), { name: 'BlockedError' }), 'blocked'],
    ['a newer database on disk', { name: 'VersionError', message: 'The requested version (10) is less than the existing version (20).' }, 'tooNew'],
    ['the same, wrapped by Dexie', { name: 'OpenFailedError', message: 'VersionError The requested version (10) is less than the existing version (20).', inner: { name: 'VersionError', message: 'The requested version (10) is less than the existing version (20).' } }, 'tooNew'],
    ['a full disk', { name: 'QuotaExceededError', message: 'The quota has been exceeded.' }, 'quota'],
    ['a full disk, wrapped by Dexie', { name: 'OpenFailedError', message: 'QuotaExceededError The quota has been exceeded.', inner: { name: 'QuotaExceededError', message: 'The quota has been exceeded.' } }, 'quota'],
    ['an aborted upgrade', { name: 'AbortError', message: 'Version change transaction was aborted in upgradeneeded event handler.' }, 'unknown'],
    ['a plain string', 'something odd', 'unknown'],
    ['nothing at all', undefined, 'unknown'],
    ['null', null, 'unknown'],
  ];

  it.each(samples)('%s', (_what, error, kind) => {
    const failure = classifyOpenError(error);
    expect(failure).toBeInstanceOf(OpenFailure);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toMatch(CJK);
    expect(failure.name).toBe('OpenFailure');
  });

  it('keeps the original words in the detail for the support log', () => {
    const failure = classifyOpenError({ name: 'UnknownError', message: 'Internal error opening backing store for indexedDB.open.' });
    expect(failure.detail).toContain('UnknownError');
    expect(failure.detail).toContain('Internal error opening backing store');
    expect(classifyOpenError('something odd').detail).toContain('something odd');
  });

  it('each kind has its own message', () => {
    const messages = new Set(samples.map(([, e]) => classifyOpenError(e).message));
    expect(messages.size).toBe(new Set(samples.map(([, , k]) => k)).size);
  });

  it('classifies a real VersionError from IndexedDB', async () => {
    const factory = new IDBFactory();
    (await openRaw(factory, 'v', 20)).close();
    const error = await openRaw(factory, 'v', 10).catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('VersionError');
    expect(classifyOpenError(error).kind).toBe('tooNew');
  });
});

describe('openDb', () => {
  it('opens a new database', async () => {
    const db = new RelayDb('fresh', { indexedDB: new IDBFactory(), IDBKeyRange });
    expect(await openDb(db, 50)).toBe(db);
    expect(db.isOpen()).toBe(true);
    db.close();
  });

  it('reports a blocked upgrade when an older connection will not close', async () => {
    const factory = new IDBFactory();
    // an old window: version 1 of the database, deaf to requests to close
    const old = await openRaw(factory, 'desk', 1);
    old.onversionchange = null;
    const db = new RelayDb('desk', { indexedDB: factory, IDBKeyRange });
    const started = Date.now();
    const error = await openDb(db, 80).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenFailure);
    expect((error as OpenFailure).kind).toBe('blocked');
    expect((error as OpenFailure).message).toMatch(/另一个窗口/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    // once the old window lets go, the upgrade goes through
    old.close();
    await db.open();
    expect(db.isOpen()).toBe(true);
    expect(db.verno).toBe(CURRENT);
    db.close();
  });

  it('an open desk gives way when a newer version asks, instead of blocking it', async () => {
    const factory = new IDBFactory();
    const db = await openDb(new RelayDb('desk', { indexedDB: factory, IDBKeyRange }), 50);
    const newer = await openRaw(factory, 'desk', 1000); // rejects if blocked
    expect(newer.version).toBe(1000);
    expect(db.isOpen()).toBe(false);
    newer.close();
  });
});

describe('a database written by an earlier build opens and keeps its data', () => {
  // the v1 layout as shipped (Dexie stores version n as IndexedDB version n*10)
  const V1: Record<string, { key: string; indexes: Array<[string, string | string[], boolean?]> }> = {
    events: { key: 'id', indexes: [['caseId', 'caseId'], ['[stationId+seq]', ['stationId', 'seq']], ['lseq', 'lseq'], ['hubSeq', 'hubSeq']] },
    cases: {
      key: 'id',
      indexes: [
        ['caseNo', 'caseNo'], ['updatedAt', 'updatedAt'], ['receivedAt', 'receivedAt'], ['dueKey', 'dueKey'], ['department', 'department'],
        ['[status+updatedAt]', ['status', 'updatedAt']], ['[status+receivedAt]', ['status', 'receivedAt']], ['[status+dueKey]', ['status', 'dueKey']],
        ['[urgency+updatedAt]', ['urgency', 'updatedAt']], ['[urgency+receivedAt]', ['urgency', 'receivedAt']],
        ['[nature+updatedAt]', ['nature', 'updatedAt']], ['[nature+receivedAt]', ['nature', 'receivedAt']],
        ['[category+updatedAt]', ['category', 'updatedAt']], ['[category+receivedAt]', ['category', 'receivedAt']],
        ['[ownerId+updatedAt]', ['ownerId', 'updatedAt']], ['[ownerId+receivedAt]', ['ownerId', 'receivedAt']],
        ['terms', 'terms', true],
      ],
    },
    outbox: { key: 'eventId', indexes: [['lseq', 'lseq']] },
    settings: { key: 'key', indexes: [] },
    counters: { key: 'key', indexes: [] },
  };

  async function seedRaw(factory: IDBFactory, name: string, version: number, withIndexes: boolean) {
    const script = fullLifecycle();
    const events = script.events.map((e, i) => ({ ...e, hubSeq: i + 1, lseq: i + 1 }));
    const row = toStoredCase(foldCase(script.events)!);
    const raw = await openRaw(factory, name, version, (idb) => {
      for (const [store, spec] of Object.entries(V1)) {
        const os = idb.createObjectStore(store, { keyPath: spec.key });
        if (withIndexes) for (const [index, path, multi] of spec.indexes) os.createIndex(index, path, { multiEntry: Boolean(multi) });
      }
    });
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction(Object.keys(V1), 'readwrite');
      for (const e of events) tx.objectStore('events').put(e);
      tx.objectStore('cases').put(row);
      tx.objectStore('settings').put({ key: 'station:seq', value: 0 });
      tx.objectStore('counters').put({ key: 'cases:total', n: 1 });
      tx.objectStore('counters').put({ key: 'cases:status:closed', n: 1 });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    raw.close();
    return { events, row, caseId: script.caseId };
  }

  it('the v1 layout written by bare IndexedDB is upgraded to the current version, rows and indexes kept', async () => {
    expect(CURRENT).toBeGreaterThanOrEqual(1);
    const factory = new IDBFactory();
    const seeded = await seedRaw(factory, 'old-desk', 10, true);
    const db = await openDb(new RelayDb('old-desk', { indexedDB: factory, IDBKeyRange }), 50);
    expect(db.verno).toBe(CURRENT);
    // every store this build declares is there, the old ones with their rows
    for (const table of db.tables) await expect(table.count(), table.name).resolves.toBeGreaterThanOrEqual(0);
    expect(db.tables.map((t) => t.name)).toEqual(expect.arrayContaining(Object.keys(V1)));
    expect(await db.events.count()).toBe(9);
    expect(await db.events.orderBy('lseq').primaryKeys()).toEqual(seeded.events.map((e) => e.id));
    expect(toCaseState((await db.cases.get(seeded.caseId))!)).toEqual(toCaseState(seeded.row));
    expect(await db.counters.get('cases:total')).toEqual({ key: 'cases:total', n: 1 });
    const page = await queryCasePage(db, { status: 'closed', search: '停水' }, { key: 'updatedAt', dir: 'desc' });
    expect(page.rows.map((r) => r.id)).toEqual([seeded.caseId]);
    // and it can be written to
    const desk = stationOf(H12345, 'hotline12345');
    const [note] = await recordCommands(db, { station: desk }, [{ caseId: seeded.caseId, type: 'case.noteAdded', payload: { text: '回访后补记' } }]);
    expect((note as RelayEvent).seq).toBe(1);
    expect((await db.cases.get(seeded.caseId))!.noteCount).toBe(1);
    db.close();
  });

  it('an older native version with the stores but no indexes is upgraded in place, rows kept', async () => {
    const factory = new IDBFactory();
    const seeded = await seedRaw(factory, 'older-desk', 1, false);
    const db = await openDb(new RelayDb('older-desk', { indexedDB: factory, IDBKeyRange }), 50);
    expect(await db.events.count()).toBe(9);
    expect(await db.events.where('caseId').equals(seeded.caseId).count()).toBe(9);
    expect((await db.cases.where('[status+updatedAt]').between(['closed', ''], ['closed', '\uffff']).toArray()).map((c) => c.id)).toEqual([seeded.caseId]);
    // the search terms stay in the case row, read by the in-memory search (no index since v4, no store since v6)
    expect((await queryCasePage(db, { search: '停水' }, { key: 'updatedAt', dir: 'desc' })).rows.map((r) => r.id)).toEqual([seeded.caseId]);
    expect(db.cases.schema.indexes.map((i) => i.name)).not.toContain('terms');
    expect(db.tables.map((t) => t.name)).not.toEqual(expect.arrayContaining(['caseTerms']));
    db.close();
  });
});

describe('a v3 database with cases opens as the current version', () => {
  /** the schema of versions 1–3 exactly as shipped */
  const CASES_V1 =
    'id, caseNo, updatedAt, receivedAt, dueKey, department, [status+updatedAt], [status+receivedAt], [status+dueKey], [urgency+updatedAt], [urgency+receivedAt], [nature+updatedAt], [nature+receivedAt], [category+updatedAt], [category+receivedAt], [ownerId+updatedAt], [ownerId+receivedAt], *terms';
  class V3Db extends Dexie {
    constructor(name: string, factory: IDBFactory) {
      super(name, { indexedDB: factory, IDBKeyRange });
      this.version(1).stores({ events: 'id, caseId, [stationId+seq], lseq, hubSeq', cases: CASES_V1, outbox: 'eventId, lseq', settings: 'key', counters: 'key' });
      this.version(2).stores({ rejected: 'eventId, at' });
      this.version(3).stores({ cases: `${CASES_V1}, awaitingKey, [ownerId+dueKey]`, alerts: 'id, caseId, ackedAt, raisedAt' });
    }
  }

  it('keeps everything recorded, drops only the derived search-terms store (v4 made it, v6 removes it), and goes on working', async () => {
    const factory = new IDBFactory();
    const scripts = Array.from({ length: 5 }, (_, i) => fullLifecycle(T0 + i * 3_600_000));
    const events = scripts.flatMap((s) => s.events).map((e, i) => ({ ...e, hubSeq: i + 1, lseq: i + 1 }));
    // the v3 rows as v3 wrote them: terms inside the case row, no fold tip
    const rows = scripts.map((s) => toStoredCase(foldCase(s.events)!));
    const old = new V3Db('v3-desk', factory);
    await old.table('events').bulkAdd(events);
    await old.table('cases').bulkAdd(rows);
    await old.table('settings').bulkPut([{ key: 'local:lseq', value: events.length }, { key: 'station:seq', value: 0 }]);
    await old.table('counters').bulkPut([{ key: 'cases:total', n: 5 }, { key: 'cases:status:closed', n: 5 }]);
    expect(old.verno).toBe(3);
    old.close();

    const db = new RelayDb('v3-desk', { indexedDB: factory, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(CURRENT);
    expect(CURRENT).toBe(7); // v4 (search terms moved), v5 (hub acknowledgements), v6 (search terms store gone), v7 (list indexes gone) all ran
    // recorded data untouched
    expect(await db.events.orderBy('lseq').toArray()).toEqual(events);
    expect(await db.cases.toArray()).toEqual([...rows].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await db.counters.get('cases:total')).toEqual({ key: 'cases:total', n: 5 });
    expect(db.cases.schema.indexes.map((i) => i.name)).not.toEqual(expect.arrayContaining(['terms']));
    const stores = Array.from(db.backendDB().objectStoreNames);
    expect(stores).not.toContain('caseTerms');
    expect(stores).not.toContain('termsState');
    expect(stores).toEqual(expect.arrayContaining(['events', 'cases', 'outbox', 'settings', 'counters', 'rejected', 'alerts', 'hubAcks']));
    // v7: the list's urgency, nature, owner and category-by-update indexes are gone from the
    // store itself; the ones a reader still walks are there
    const caseIndexes = Array.from(db.backendDB().transaction('cases').objectStore('cases').indexNames);
    for (const gone of ['[urgency+updatedAt]', '[urgency+receivedAt]', '[nature+updatedAt]', '[nature+receivedAt]', '[category+updatedAt]', '[ownerId+updatedAt]', '[ownerId+receivedAt]']) {
      expect(caseIndexes, gone).not.toContain(gone);
    }
    expect(caseIndexes).toEqual(expect.arrayContaining(['[status+updatedAt]', '[status+receivedAt]', '[status+dueKey]', '[category+receivedAt]', '[ownerId+dueKey]', 'awaitingKey']));
    // search finds every case from the terms in their rows
    const everyCase = new Set(scripts.map((s) => s.caseId));
    const found = await queryCasePage(db, { search: '停水', status: 'closed' }, { key: 'updatedAt', dir: 'desc' });
    expect(found.plan).toBe('memory:停水');
    expect(new Set(found.rows.map((r) => r.id))).toEqual(everyCase);
    // those filters are answered by the in-memory index (filled by the search)
    const byNature = await queryCasePage(db, { nature: rows[0]!.nature }, { key: 'updatedAt', dir: 'desc' });
    expect(byNature.plan).toBe('memory:filter');
    expect(new Set(byNature.rows.map((r) => r.id))).toEqual(new Set(rows.filter((r) => r.nature === rows[0]!.nature).map((r) => r.id)));

    // a new intake is searchable at once; a pulled event on an old case folds it right
    const desk = stationOf(P110, 'police110');
    const [created] = await recordCommands(db, { station: desk }, [
      { caseId: 'NEWCASE0000000000000000001', type: 'case.created', payload: createdPayload(P110, 'police110', { caseNo: '20260302-p110-lanshan-0099', description: '井盖丢失' }) },
    ]);
    expect((await queryCasePage(db, { search: '井盖' }, { key: 'updatedAt', dir: 'desc' })).rows.map((r) => r.id)).toEqual([created!.caseId]);
    const reopen = scripts[1]!.add(H12345, 'case.reopened', { reason: '来电人反映再次停水' }, 300);
    await applyExternalEvents(db, [{ event: reopen, hubSeq: events.length + 10 }]);
    const all = await db.events.where('caseId').equals(scripts[1]!.caseId).toArray();
    expect(toCaseState((await db.cases.get(scripts[1]!.caseId))!)).toEqual(foldCase(all));
    expect((await db.cases.get(scripts[1]!.caseId))!).toMatchObject({ eventCount: 10, lastEventType: 'case.reopened', closedAt: null });
    db.close();
  });
});

describe('rescueRead', () => {
  it('reads every store of a database, row by row, without Dexie', async () => {
    const factory = new IDBFactory();
    const db = new RelayDb('rescue-me', { indexedDB: factory, IDBKeyRange });
    const script = fullLifecycle();
    await db.open();
    const { applyExternalEvents } = await import('../../../src-renderer/src/store/apply-external');
    await applyExternalEvents(db, script.events.map((event, i) => ({ event, hubSeq: i + 1 })));
    const expected: Record<string, unknown[]> = {};
    for (const table of db.tables) expected[table.name] = await table.toArray();
    db.close();

    const rescued = await rescueRead('rescue-me', factory);
    expect(rescued.unreadable).toEqual([]);
    expect(Object.keys(rescued.stores).sort()).toEqual(db.tables.map((t) => t.name).sort());
    expect(Object.keys(rescued.stores)).toEqual(expect.arrayContaining(['cases', 'counters', 'events', 'outbox', 'settings']));
    expect(rescued.stores).toEqual(expected);
    expect(rescued.stores.events).toHaveLength(9);
  });

  it('reads while the desk still has the database open', async () => {
    const factory = new IDBFactory();
    const db = await openDb(new RelayDb('busy', { indexedDB: factory, IDBKeyRange }), 50);
    await db.settings.put({ key: 'station', value: { stationId: 'p110-x' } });
    const rescued = await rescueRead('busy', factory);
    expect(rescued.stores.settings).toEqual([{ key: 'station', value: { stationId: 'p110-x' } }]);
    db.close();
  });

  it('lists a store it cannot read and goes on with the others', async () => {
    const later = (fn: () => void) => setTimeout(fn, 0);
    const fakeDb = {
      objectStoreNames: ['events', 'cases', 'settings'],
      transaction(store: string) {
        if (store === 'cases') throw Object.assign(new Error('Internal error reading backing store'), { name: 'UnknownError' });
        return {
          objectStore: () => ({
            getAll() {
              const req: { result?: unknown; onsuccess?: () => void } = {};
              later(() => {
                req.result = [{ store }];
                req.onsuccess?.();
              });
              return req;
            },
          }),
        };
      },
      close: vi.fn(),
    };
    const factory = {
      open() {
        const req: { result?: unknown; onsuccess?: () => void } = {};
        later(() => {
          req.result = fakeDb;
          req.onsuccess?.();
        });
        return req;
      },
    } as unknown as IDBFactory;
    const rescued = await rescueRead('damaged', factory);
    expect(rescued.stores).toEqual({ events: [{ store: 'events' }], settings: [{ store: 'settings' }] });
    expect(rescued.unreadable).toEqual([{ store: 'cases', error: 'Internal error reading backing store' }]);
    expect(fakeDb.close).toHaveBeenCalledOnce();
  });

  it('reports a database it cannot open at all', async () => {
    const factory = {
      open() {
        const req: { error?: unknown; onerror?: () => void } = {};
        setTimeout(() => {
          req.error = Object.assign(new Error('Internal error opening backing store for indexedDB.open.'), { name: 'UnknownError' });
          req.onerror?.();
        }, 0);
        return req;
      },
    } as unknown as IDBFactory;
    const rescued = await rescueRead('broken', factory);
    expect(rescued.stores).toEqual({});
    expect(rescued.unreadable).toEqual([{ store: '*', error: 'Internal error opening backing store for indexedDB.open.' }]);
  });
});
