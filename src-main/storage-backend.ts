/**
 * Which of Chromium's two IndexedDB engines keeps the desk's store: the LevelDB store every
 * Chromium has used so far, or the SQLite store Chromium is moving to (in Google Chrome since
 * 149, for sites that have no store yet, through its field trials; Electron has no field
 * trials, so it stays on LevelDB unless the app asks). The desk's intake save on SQLite keeps
 * its p95 at ~3 ms at 100,000 cases, back to back, where LevelDB's compaction puts it at
 * 8–13 ms on a two-core PC (README, Benchmarks); a strict commit is synced to disk on both.
 *
 * The switch (`--enable-features=IdbSqliteBackingStore`) is dangerous by itself: measured with
 * Debian's Chromium 156, opening an origin with it DELETES that origin's LevelDB store, and
 * opening without it deletes its SQLite store. So the engine follows what is on disk, and the
 * switch never changes under a store:
 * - no store yet (a new desk): SQLite;
 * - only LevelDB stores (a desk from before this choice): LevelDB, as before;
 * - only SQLite stores: SQLite;
 * - both (never made by this code: a copied profile, a downgrade): the kind written most
 *   recently is kept in use, and every store of the other kind is MOVED aside, untouched, into
 *   userData/IndexedDB-set-aside/<time>/, so that Chromium cannot delete it (an administrator
 *   can open it with a build of the other kind, or restore its backup);
 * - a folder that cannot be read: no choice is made and the desk does not open (opening with
 *   the wrong one could delete a store).
 *
 * Runs before the app is ready (Chromium reads the switch when it starts), on plain files:
 * nothing of IndexedDB is open yet.
 */
import fs from 'node:fs';
import path from 'node:path';

export type IdbBackend = 'sqlite' | 'leveldb';

/** Chromium's feature that makes IndexedDB keep its stores in SQLite */
export const SQLITE_BACKING_STORE_FEATURE = 'IdbSqliteBackingStore';

const LEVELDB_SUFFIX = '.indexeddb.leveldb';
const BLOB_SUFFIX = '.indexeddb.blob';

/** The stores in a profile's IndexedDB folder, by kind: folder names, and when each was last written. */
export interface StoresOnDisk {
  leveldb: Array<{ name: string; lastWrite: number }>;
  sqlite: Array<{ name: string; lastWrite: number }>;
}

/** The latest modification time of anything in `dir` (its files and folders, recursively). */
function lastWrite(dir: string): number {
  let latest = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? lastWrite(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * Read a profile's IndexedDB folder: `<origin>.indexeddb.leveldb` is a LevelDB store (its
 * blobs beside it in `<origin>.indexeddb.blob`), any other non-empty folder a SQLite store
 * (`<origin>/`, the database and its `-wal`). A folder that does not exist holds none.
 */
export function findStores(indexedDbDir: string): StoresOnDisk {
  const found: StoresOnDisk = { leveldb: [], sqlite: [] };
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(indexedDbDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return found;
    throw e;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.endsWith(BLOB_SUFFIX)) continue;
    const full = path.join(indexedDbDir, entry.name);
    if (entry.name.endsWith(LEVELDB_SUFFIX)) found.leveldb.push({ name: entry.name, lastWrite: lastWrite(full) });
    else if (fs.readdirSync(full).length > 0) found.sqlite.push({ name: entry.name, lastWrite: lastWrite(full) });
  }
  return found;
}

export interface BackendChoice {
  backend: IdbBackend;
  /** in plain words, for the log */
  reason: string;
  /** store folders to move aside before Chromium starts (the other kind's, when both are there) */
  setAside: string[];
}

/** The engine for what is on disk (see the top of this file). Pure. */
export function chooseBackend(stores: StoresOnDisk): BackendChoice {
  const { leveldb, sqlite } = stores;
  if (leveldb.length === 0 && sqlite.length === 0) return { backend: 'sqlite', reason: 'no store yet (a new desk)', setAside: [] };
  if (sqlite.length === 0) return { backend: 'leveldb', reason: `the desk's stores are LevelDB (${leveldb.map((s) => s.name).join(', ')})`, setAside: [] };
  if (leveldb.length === 0) return { backend: 'sqlite', reason: `the desk's stores are SQLite (${sqlite.map((s) => s.name).join(', ')})`, setAside: [] };
  const latest = (list: StoresOnDisk['leveldb']) => Math.max(...list.map((s) => s.lastWrite));
  const keep: IdbBackend = latest(sqlite) >= latest(leveldb) ? 'sqlite' : 'leveldb';
  const other = keep === 'sqlite' ? leveldb : sqlite;
  const setAside = other.flatMap((s) => (s.name.endsWith(LEVELDB_SUFFIX) ? [s.name, `${s.name.slice(0, -LEVELDB_SUFFIX.length)}${BLOB_SUFFIX}`] : [s.name]));
  return {
    backend: keep,
    reason: `stores of both kinds: the ${keep === 'sqlite' ? 'SQLite' : 'LevelDB'} ones were written last and stay in use; the others are set aside, untouched`,
    setAside,
  };
}

export interface PreparedBackend extends BackendChoice {
  /** where the set-aside stores went (null when none was) */
  setAsideDir: string | null;
  /** the switches to append before the app is ready */
  switches: Array<[name: string, value: string]>;
}

/**
 * Look at userData/IndexedDB, move aside what must not meet the other engine, and say which
 * switches Chromium must start with. Throws when the folder cannot be read (see the top).
 */
export function prepareStorageBackend(userData: string, now: Date = new Date()): PreparedBackend {
  const indexedDbDir = path.join(userData, 'IndexedDB');
  const choice = chooseBackend(findStores(indexedDbDir));
  let setAsideDir: string | null = null;
  const present = choice.setAside.filter((name) => fs.existsSync(path.join(indexedDbDir, name)));
  if (present.length > 0) {
    setAsideDir = path.join(userData, 'IndexedDB-set-aside', now.toISOString().replace(/[:.]/g, '-'));
    fs.mkdirSync(setAsideDir, { recursive: true });
    // a rename on the same volume: nothing is copied, nothing deleted
    for (const name of present) fs.renameSync(path.join(indexedDbDir, name), path.join(setAsideDir, name));
  }
  const switches: Array<[string, string]> = choice.backend === 'sqlite' ? [['enable-features', SQLITE_BACKING_STORE_FEATURE]] : [];
  return { ...choice, setAsideDir, switches };
}
