/**
 * Starting the embedded engine on a data folder, the same on the hub's thread and in the
 * database thread (pglite-thread.ts): PGlite with fsync on, on a filesystem that really syncs
 * (durable-node-fs.ts), int8 read as numbers, the planner's page cost set for the session.
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { DurableNodeFS, durableStartParams, realSyncFd, syncDataDirOnce, type SyncFd } from './durable-node-fs';
import { DEFAULT_RANDOM_PAGE_COST, randomPageCostStatement, type RandomPageCost } from './planner-costs';

const INT8 = 20;

export interface EngineOptions {
  randomPageCost?: RandomPageCost;
  /** how a file is synced to disk (tests observe it); fsync by default */
  syncFd?: SyncFd;
}

/**
 * PostgreSQL's own lock file, left in the folder by an engine that did not close: the caller of
 * startPglite holds the hub's lock on the folder (data-dir-lock.ts), so any postmaster.pid found
 * then is a remnant (and never protected PGlite: its engine's pid is always the same). PostgreSQL
 * takes over one naming a process no longer running, but refuses to start on an empty one ("lock
 * file is empty"), which a power cut leaves when it comes between the file being made and
 * flushed, or after a run with fsync off (PGlite as it ships, a hub older than durable-node-fs.ts):
 * the hub would not start again until someone deleted it by hand. It is removed before the
 * engine starts. Returns whether there was one.
 */
export function removeLeftoverPostmasterPid(dataDir: string): boolean {
  try {
    unlinkSync(join(dataDir, 'postmaster.pid'));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** A started engine; the caller holds the data folder's lock (data-dir-lock.ts). */
export async function startPglite(dataDir: string, options: EngineOptions = {}): Promise<PGlite> {
  // PGlite is one session: set once, the cost holds for every statement (planner-costs.ts)
  const costs = randomPageCostStatement(options.randomPageCost === undefined ? DEFAULT_RANDOM_PAGE_COST : options.randomPageCost);
  const syncFd = options.syncFd ?? realSyncFd;
  let pg: PGlite | undefined;
  try {
    removeLeftoverPostmasterPid(dataDir);
    pg = new PGlite({
      dataDir,
      fs: new DurableNodeFS(dataDir, syncFd),
      startParams: durableStartParams(),
      parsers: { [INT8]: (value: string) => Number(value) },
    });
    await pg.waitReady;
    // a folder just created, or written before with fsync off: on disk whole before any answer
    syncDataDirOnce(dataDir, syncFd);
    if (costs) await pg.exec(costs);
    return pg;
  } catch (e) {
    await pg?.close().catch(() => undefined);
    throw e;
  }
}
