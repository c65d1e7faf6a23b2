/**
 * Planner statistics for the embedded database. PostgreSQL's autovacuum daemon analyses
 * tables as they grow; PGlite runs PostgreSQL in single-user mode, without that daemon, so
 * its tables would keep the planner's blind guesses forever (a push's lookup of 167 cases
 * read the whole log instead of its index: 4 ms instead of 1 at 30,000 events, and worse as
 * the log grows). So the hub runs ANALYZE itself: at start, and whenever the log has doubled
 * (and grown by at least 2,000 events) since the last run. Doubling is enough: the planner
 * scales the row counts it was given by each table's size on disk at every plan, so between
 * runs only the shape of the data (distinct values, common values) can age, and that changes
 * slowly. A run costs the pushes queued behind it ~0.1–0.4 s (it samples 30,000 rows of six
 * tables); at a fifth's growth, as before, it ran ten times while 20 stations pushed 60,000
 * events (18 % of the engine's time). The run is queued like any query; a failure is logged
 * and retried at the next growth.
 */
import type { Database } from './database';

export interface StatisticsUpkeep {
  /** `n` events were just added to the log */
  grew(n: number): void;
  /** wait for a run in progress (tests, shutdown) */
  idle(): Promise<void>;
}

const TABLES = ['events', 'cases', 'case_audience', 'handover_targets', 'refused_events', 'station_progress'];

export function statisticsUpkeep(db: Database, onError: (e: unknown) => void, options: { minGrowth?: number; ratio?: number } = {}): StatisticsUpkeep {
  const minGrowth = options.minGrowth ?? 2000;
  const ratio = options.ratio ?? 1;
  let sizeAtLastRun = 0;
  let grownSince = 0;
  let running: Promise<void> | null = null;

  const run = (): Promise<void> => {
    running ??= (async () => {
      // what grows while it runs counts towards the next run
      const counted = grownSince;
      try {
        const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
        await db.exec(`ANALYZE ${TABLES.join(', ')}`);
        sizeAtLastRun = Number(row?.n ?? 0);
        grownSince = Math.max(0, grownSince - counted);
      } catch (e) {
        onError(e);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  if (db.kind === 'pglite') void run();
  return {
    grew(n) {
      if (db.kind !== 'pglite' || n <= 0) return;
      grownSince += n;
      if (!running && grownSince >= Math.max(minGrowth, sizeAtLastRun * ratio)) void run();
    },
    idle: async () => {
      while (running) await running;
    },
  };
}
