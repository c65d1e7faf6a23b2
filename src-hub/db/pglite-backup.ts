/**
 * Backups of the embedded hub database: the whole data folder as one gzip'd tar, taken between
 * transactions (Database.backup on the PGlite driver), and restored into an EMPTY folder only —
 * a restore never overwrites a hub's data. A restored folder is synced whole before it is
 * used, and checked to be a hub database; a file that is not a backup, or that cannot be
 * restored, leaves the folder as empty as it was. (PostgreSQL hubs use pg_dump.)
 *
 * The tar is PGlite's own (dumpDataDir / loadDataDir), so the whole database passes through
 * memory: fine for the embedded engine's sizes (one district's hub); a city runs PostgreSQL.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DataDirLock } from './data-dir-lock';
import { restrictToOwner } from './pglite-driver';
import { DurableNodeFS, durableStartParams, realSyncFd, SYNCED_MARKER, syncDataDirOnce, type SyncFd } from './durable-node-fs';

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export interface RestoredHub {
  /** the newest hub schema migration in the backup (the hub migrates further at start) */
  schemaVersion: number;
  events: number;
  stations: number;
}

/** A gzip stream starts with 1f 8b. */
export function looksLikeBackup(bytes: Uint8Array): boolean {
  return bytes.length > 18 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function folderIsEmpty(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** Restore a backup made by Database.backup (PGlite) into `dataDir`, which must be empty or absent. */
export async function restorePgliteBackup(dataDir: string, bytes: Uint8Array, options: { syncFd?: SyncFd } = {}): Promise<RestoredHub> {
  if (!looksLikeBackup(bytes)) {
    throw new RestoreError('这不是集线器备份文件（备份是 gzip 压缩的数据目录，由 hub:backup save 生成）：未作任何改动');
  }
  if (!folderIsEmpty(dataDir)) {
    throw new RestoreError(`目标目录 ${dataDir} 不是空的：恢复只写入空目录，不覆盖任何已有数据；未作任何改动`);
  }
  const createdFolder = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrictToOwner(dataDir);
  const syncFd = options.syncFd ?? realSyncFd;
  const lock = DataDirLock.acquire(dataDir);
  let pg: PGlite | undefined;
  let ok = false;
  try {
    pg = new PGlite({
      dataDir,
      fs: new DurableNodeFS(dataDir, syncFd),
      loadDataDir: new Blob([new Uint8Array(bytes)]),
      startParams: durableStartParams(),
    });
    await pg.waitReady;
    // the backup's own lock file and sync marker came with it: neither holds here
    lock.reassert();
    rmSync(join(dataDir, SYNCED_MARKER), { force: true });
    syncDataDirOnce(dataDir, syncFd);
    const [hub] = (await pg.query<{ migrations: string | null }>(`SELECT to_regclass('public.schema_migrations')::text AS migrations`)).rows;
    if (!hub?.migrations) throw new RestoreError('备份里的数据库不是接转办集线器的数据库（没有 schema_migrations）');
    const [counts] = (
      await pg.query<{ version: number | null; events: number; stations: number }>(
        `SELECT (SELECT max(version) FROM schema_migrations) AS version,
                (SELECT count(*) FROM events)::int AS events,
                (SELECT count(*) FROM stations)::int AS stations`,
      )
    ).rows;
    ok = true;
    return { schemaVersion: Number(counts?.version ?? 0), events: Number(counts?.events ?? 0), stations: Number(counts?.stations ?? 0) };
  } catch (e) {
    if (e instanceof RestoreError) throw e;
    throw new RestoreError(`备份文件无法恢复（可能已损坏，或不是集线器备份）：${(e as Error)?.message ?? String(e)}`);
  } finally {
    await pg?.close().catch(() => undefined);
    if (!ok) {
      // nothing half-restored: the folder was empty (or absent) before, so it is again
      for (const entry of readdirSync(dataDir)) if (entry !== 'hub.lock') rmSync(join(dataDir, entry), { recursive: true, force: true });
    }
    lock.release();
    if (!ok && createdFolder) rmdirSync(dataDir);
  }
}
