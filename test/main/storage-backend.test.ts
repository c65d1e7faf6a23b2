import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBackend, findStores, prepareStorageBackend, SQLITE_BACKING_STORE_FEATURE, type StoresOnDisk } from '../../src-main/storage-backend';
import { tempDir } from './fake-electron';

/** A store folder as Chromium lays it out, its files written at `at` (seconds since 1970). */
function store(userData: string, name: string, files: Record<string, string>, at = 1_700_000_000): string {
  const dir = path.join(userData, 'IndexedDB', name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(path.join(dir, file), text);
    utimesSync(path.join(dir, file), at, at);
  }
  utimesSync(dir, at, at);
  return dir;
}

const leveldb = (userData: string, at?: number) => {
  store(userData, 'file__0.indexeddb.leveldb', { '000003.log': 'leveldb log', CURRENT: 'MANIFEST-000001\n', 'MANIFEST-000001': 'manifest' }, at);
  store(userData, 'file__0.indexeddb.blob', { '1': 'a blob' }, at);
};
const sqlite = (userData: string, at?: number) => store(userData, 'file__0', { '3QTHEEIBV5QYQWRDJ56MQ3M4LX': 'SQLite format 3', '3QTHEEIBV5QYQWRDJ56MQ3M4LX-wal': 'wal' }, at);

describe('findStores (a profile IndexedDB folder, as Chromium lays it out)', () => {
  it('finds no store where the folder does not exist yet', () => {
    expect(findStores(path.join(tempDir(), 'IndexedDB'))).toEqual({ leveldb: [], sqlite: [] });
  });

  it('tells LevelDB stores (their blob folders beside them) from SQLite stores, and passes over empty folders and files', () => {
    const userData = tempDir();
    leveldb(userData, 1_700_000_000);
    sqlite(userData, 1_700_000_500);
    mkdirSync(path.join(userData, 'IndexedDB', 'http_localhost_5173'));
    writeFileSync(path.join(userData, 'IndexedDB', 'stray-file'), 'x');
    const found = findStores(path.join(userData, 'IndexedDB'));
    expect(found.leveldb.map((s) => s.name)).toEqual(['file__0.indexeddb.leveldb']);
    expect(found.sqlite.map((s) => s.name)).toEqual(['file__0']);
    expect(found.sqlite[0]!.lastWrite).toBeGreaterThan(found.leveldb[0]!.lastWrite);
  });

  it('throws when the folder cannot be read (not a folder), rather than guessing', () => {
    const userData = tempDir();
    writeFileSync(path.join(userData, 'IndexedDB'), 'not a folder');
    expect(() => findStores(path.join(userData, 'IndexedDB'))).toThrow(/ENOTDIR/);
  });
});

describe('chooseBackend (the engine follows what is on disk)', () => {
  const none: StoresOnDisk = { leveldb: [], sqlite: [] };
  const L = { name: 'file__0.indexeddb.leveldb', lastWrite: 100 };
  const S = { name: 'file__0', lastWrite: 200 };

  it('a new desk gets SQLite; a desk keeps the engine its store was made by', () => {
    expect(chooseBackend(none)).toMatchObject({ backend: 'sqlite', setAside: [] });
    expect(chooseBackend({ leveldb: [L], sqlite: [] })).toMatchObject({ backend: 'leveldb', setAside: [] });
    expect(chooseBackend({ leveldb: [], sqlite: [S] })).toMatchObject({ backend: 'sqlite', setAside: [] });
  });

  it('with stores of both kinds keeps the one written last and sets every store of the other aside (a LevelDB store with its blobs)', () => {
    expect(chooseBackend({ leveldb: [L], sqlite: [S] })).toMatchObject({ backend: 'sqlite', setAside: ['file__0.indexeddb.leveldb', 'file__0.indexeddb.blob'] });
    expect(chooseBackend({ leveldb: [{ ...L, lastWrite: 300 }], sqlite: [S, { name: 'http_localhost_5173', lastWrite: 250 }] })).toMatchObject({
      backend: 'leveldb',
      setAside: ['file__0', 'http_localhost_5173'],
    });
  });
});

describe('prepareStorageBackend (before Chromium starts)', () => {
  it('asks for the SQLite store on a new desk, and moves nothing', () => {
    const userData = tempDir();
    const prepared = prepareStorageBackend(userData);
    expect(prepared).toMatchObject({ backend: 'sqlite', setAsideDir: null });
    expect(prepared.switches).toEqual([['enable-features', SQLITE_BACKING_STORE_FEATURE]]);
  });

  it('keeps a LevelDB desk on LevelDB: no switch that would make Chromium delete its store', () => {
    const userData = tempDir();
    leveldb(userData);
    const prepared = prepareStorageBackend(userData);
    expect(prepared).toMatchObject({ backend: 'leveldb', setAsideDir: null, switches: [] });
    expect(readdirSync(path.join(userData, 'IndexedDB')).sort()).toEqual(['file__0.indexeddb.blob', 'file__0.indexeddb.leveldb']);
  });

  it('keeps a SQLite desk on SQLite', () => {
    const userData = tempDir();
    sqlite(userData);
    expect(prepareStorageBackend(userData)).toMatchObject({ backend: 'sqlite', switches: [['enable-features', SQLITE_BACKING_STORE_FEATURE]] });
  });

  it('with both kinds on disk, moves the older kind aside whole and untouched (nothing deleted), and uses the newer', () => {
    const userData = tempDir();
    leveldb(userData, 1_700_000_000);
    sqlite(userData, 1_700_009_000);
    const prepared = prepareStorageBackend(userData, new Date('2026-11-30T21:50:00.123Z'));
    expect(prepared.backend).toBe('sqlite');
    expect(prepared.setAsideDir).toBe(path.join(userData, 'IndexedDB-set-aside', '2026-11-30T21-50-00-123Z'));
    const aside = prepared.setAsideDir!;
    expect(readFileSync(path.join(aside, 'file__0.indexeddb.leveldb', '000003.log'), 'utf8')).toBe('leveldb log');
    expect(readFileSync(path.join(aside, 'file__0.indexeddb.blob', '1'), 'utf8')).toBe('a blob');
    expect(readdirSync(path.join(userData, 'IndexedDB'))).toEqual(['file__0']);
    expect(readFileSync(path.join(userData, 'IndexedDB', 'file__0', '3QTHEEIBV5QYQWRDJ56MQ3M4LX'), 'utf8')).toBe('SQLite format 3');

    // the other way round: the LevelDB store is newer; a store without its blob folder moves alone
    const other = tempDir();
    store(other, 'file__0.indexeddb.leveldb', { '000003.log': 'newer' }, 1_700_009_000);
    sqlite(other, 1_700_000_000);
    const back = prepareStorageBackend(other);
    expect(back).toMatchObject({ backend: 'leveldb', switches: [] });
    expect(readdirSync(back.setAsideDir!)).toEqual(['file__0']);
    expect(existsSync(path.join(other, 'IndexedDB', 'file__0'))).toBe(false);
  });

  it('refuses to choose when the store folder cannot be read', () => {
    const userData = tempDir();
    writeFileSync(path.join(userData, 'IndexedDB'), 'not a folder');
    expect(() => prepareStorageBackend(userData)).toThrow();
  });
});
