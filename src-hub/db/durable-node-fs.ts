/**
 * PGlite made durable: what the hub acknowledged survives a power cut, as on PostgreSQL.
 *
 * PGlite starts PostgreSQL with `-F` (fsync off), and its Node filesystem (Emscripten's
 * NODEFS) has no fsync: PostgreSQL's own syncs do nothing, so a commit lands in the operating
 * system's page cache only, and a power cut or OS crash can lose events the hub already
 * acknowledged (the station then deletes them from its outbox: they would be gone for good).
 * Here:
 * - PostgreSQL runs with fsync on, and `wal_sync_method=fsync`: Emscripten routes fsync()
 *   to the file's stream, while its fdatasync() is a no-op;
 * - NODEFS's streams get an fsync that calls the real one on the file's descriptor (a
 *   directory that cannot be synced answers EINVAL, which PostgreSQL ignores for directories;
 *   any other failure reaches PostgreSQL, which stops rather than run on unsynced data);
 * - a data folder that has never been synced whole — just created (initdb writes without
 *   syncing) or written by an older hub with fsync off — has every file and folder synced once
 *   at open, before the hub answers anyone; a marker file records that it is done.
 * So a commit returns once its WAL is on disk, checkpoints sync the data files, and a restart
 * after a power cut recovers from a WAL whose base is on disk.
 */
import { closeSync, fsyncSync, openSync, readdirSync, writeFileSync, existsSync, constants } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** Sync a file descriptor to disk; `path` names it (PGlite's path, or the real one), for observers. */
export type SyncFd = (fd: number, path: string) => void;

export const realSyncFd: SyncFd = (fd) => fsyncSync(fd);

/** PGlite's start parameters with fsync on, and the WAL synced by fsync() (see above). */
export function durableStartParams(): string[] {
  const defaults: readonly string[] = (PGlite as unknown as { defaultStartParams: readonly string[] }).defaultStartParams;
  return [...defaults.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'wal_sync_method=fsync', '-c', 'full_page_writes=on'];
}

/** The marker of a data folder synced whole at least once (see syncDataDirOnce). */
export const SYNCED_MARKER = 'relay-hub-synced';

interface EmscriptenStream {
  nfd: number;
  path?: string;
  node: { mode: number };
}
interface EmscriptenModule {
  NODEFS: {
    stream_ops: { fsync?: (stream: EmscriptenStream) => number };
    tryFSOperation: <T>(f: () => T) => T;
  };
  FS: { isDir: (mode: number) => boolean };
}

const EINVAL = 28; // WASI errno

export class DurableNodeFS extends NodeFS {
  constructor(
    dataDir: string,
    private readonly syncFd: SyncFd = realSyncFd,
  ) {
    super(dataDir);
  }

  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]): ReturnType<NodeFS['init']> {
    const result = await super.init(pg, opts);
    const earlier = result.emscriptenOpts.preRun;
    const syncFd = this.syncFd;
    const addFsync = (mod: EmscriptenModule) => {
      mod.NODEFS.stream_ops.fsync = (stream) => {
        if (mod.FS.isDir(stream.node.mode)) {
          try {
            syncFd(stream.nfd, stream.path ?? '');
          } catch {
            return EINVAL; // some systems cannot sync a folder: PostgreSQL ignores this for folders
          }
          return 0;
        }
        // a failure becomes the errno PostgreSQL sees (it then stops: data_sync_retry is off)
        mod.NODEFS.tryFSOperation(() => syncFd(stream.nfd, stream.path ?? ''));
        return 0;
      };
    };
    result.emscriptenOpts.preRun = [addFsync as never, ...(Array.isArray(earlier) ? earlier : earlier ? [earlier] : [])];
    return result;
  }
}

/**
 * Sync every file and folder under `dataDir` to disk, once per data folder: skipped when the
 * marker is there. Returns the number of entries synced (0 when skipped).
 */
export function syncDataDirOnce(dataDir: string, syncFd: SyncFd = realSyncFd): number {
  if (existsSync(join(dataDir, SYNCED_MARKER))) return 0;
  let synced = 0;
  const sync = (path: string, dir: boolean) => {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY);
    } catch (e) {
      if (dir) return; // a folder that cannot be opened to sync (some systems): its files still are
      throw e;
    }
    try {
      syncFd(fd, path);
      synced++;
    } catch (e) {
      if (!dir) throw e;
    } finally {
      closeSync(fd);
    }
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) sync(path, false);
    }
    sync(dir, true);
  };
  walk(dataDir);
  // the marker last, synced with its folder: present only when everything before it is on disk
  const marker = join(dataDir, SYNCED_MARKER);
  writeFileSync(marker, `synced whole on ${new Date().toISOString()}; since then PostgreSQL syncs what it writes\n`);
  sync(marker, false);
  sync(dataDir, true);
  return synced;
}
