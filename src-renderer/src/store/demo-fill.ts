/**
 * Fill the local store with generated demo cases (src-common/demo/demo-cases.ts), through
 * the same `recordCommands` every operator action goes through: events are validated and
 * folded, the case rows, outbox and counters are kept, and each batch is one transaction
 * (atomic per batch). Events carry the generated times, not the time of the fill.
 *
 * The station's case-number counters (`caseNo:YYYYMMDD` settings, as nextCaseNo keeps them)
 * are read first, so generated numbers follow numbers already used, and are moved past every
 * generated number in the batch that used it, so the next real intake never repeats one.
 */
import { generateDemoCommands, type DemoGroup } from '../../../src-common/demo/demo-cases';
import type { Command, Station } from '../../../src-common/domain';
import type { RelayDb } from './db';
import { recordCommands } from './record';

const CASE_NO_PREFIX = 'caseNo:';
/** 20261129-p110-ab12cd-0042 -> day 20261129, counter 42 */
const CASE_NO = /^(\d{8})-.+-(\d+)$/;

export interface FillProgress {
  /** cases created so far, of totalCases */
  cases: number;
  totalCases: number;
  /** events recorded so far, of totalEvents */
  events: number;
  totalEvents: number;
  batches: number;
}

export interface FillOptions {
  count: number;
  seed?: number;
  /** spread over this many days before `now` (default 30) */
  days?: number;
  now?: Date;
  /** recording moments (one case's intake, a later note ...) per transaction; default 500 */
  batchSize?: number;
  onProgress?: (progress: FillProgress) => void;
}

export interface FillResult {
  cases: number;
  events: number;
  batches: number;
  /** the last case number used per day, as now kept in settings */
  caseNoCounters: Record<string, number>;
}

/** The last case number used per day (`YYYYMMDD` -> n), from settings. */
export async function readCaseNoCounters(db: RelayDb): Promise<Record<string, number>> {
  const rows = await db.settings.where('key').startsWith(CASE_NO_PREFIX).toArray();
  const out: Record<string, number> = {};
  for (const row of rows) {
    if (typeof row.value === 'number') out[row.key.slice(CASE_NO_PREFIX.length)] = row.value;
  }
  return out;
}

function caseNoUse(commands: readonly Command[], into: Map<string, number>): void {
  for (const c of commands) {
    if (c.type !== 'case.created') continue;
    const m = CASE_NO.exec(c.payload.caseNo);
    if (!m) continue;
    const n = Number(m[2]);
    if (n > (into.get(m[1]!) ?? 0)) into.set(m[1]!, n);
  }
}

/**
 * One recordCommands call per batch. recordCommands asks `now()` once per command, in order,
 * then once more for the outbox time; this clock answers each command's generated time in
 * that order (and the last one after that). The unit test checks every event's time.
 */
function clockFor(batch: readonly DemoGroup[]): () => Date {
  const times: Date[] = [];
  for (const g of batch) for (let i = 0; i < g.commands.length; i++) times.push(g.at);
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)]!;
}

export async function fillDemoData(db: RelayDb, station: Station, options: FillOptions): Promise<FillResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  const counterStart = await readCaseNoCounters(db);
  const groups = generateDemoCommands(station, {
    count: options.count,
    seed: options.seed,
    days: options.days,
    now: options.now,
    counterStart,
  });
  const totalCases = groups.reduce((n, g) => n + g.commands.filter((c) => c.type === 'case.created').length, 0);
  const totalEvents = groups.reduce((n, g) => n + g.commands.length, 0);
  const progress: FillProgress = { cases: 0, totalCases, events: 0, totalEvents, batches: 0 };
  const counters: Record<string, number> = { ...counterStart };

  for (let start = 0; start < groups.length; start += batchSize) {
    const batch = groups.slice(start, start + batchSize);
    const commands = batch.flatMap((g) => g.commands);
    const used = new Map<string, number>();
    caseNoUse(commands, used);
    await db.transaction('rw', [db.events, db.cases, db.outbox, db.settings, db.counters], async () => {
      await recordCommands(db, { station, now: clockFor(batch) }, commands);
      for (const [day, n] of used) {
        const key = `${CASE_NO_PREFIX}${day}`;
        const row = await db.settings.get(key);
        const current = typeof row?.value === 'number' ? row.value : 0;
        const next = Math.max(current, n);
        if (next !== current) await db.settings.put({ key, value: next });
        counters[day] = next;
      }
    });
    progress.cases += commands.filter((c) => c.type === 'case.created').length;
    progress.events += commands.length;
    progress.batches++;
    options.onProgress?.({ ...progress });
  }
  return { cases: progress.cases, events: progress.events, batches: progress.batches, caseNoCounters: counters };
}
