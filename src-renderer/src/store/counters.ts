/**
 * Counters kept in the same transaction as the rows they count, so the desk never has to
 * count 100,000 rows (0.1–0.4 s in IndexedDB) to show a number.
 */
import { STATUSES, type Status } from '../../../src-common/domain';
import type { RelayDb } from './db';

export const COUNTER = {
  total: 'cases:total',
  status: (s: Status) => `cases:status:${s}`,
  outbox: 'outbox',
  urgentOpen: 'cases:urgentOpen',
  rejected: 'outbox:rejected',
} as const;

/** Every counter a recording can move: read at once, before the changes are known. */
const RECORDING_KEYS: string[] = [COUNTER.total, COUNTER.urgentOpen, COUNTER.outbox, ...STATUSES.map((s) => COUNTER.status(s))];

export class CounterDelta {
  private readonly deltas = new Map<string, number>();
  private current: Map<string, number> | null = null;
  /**
   * Read the counters a recording can move now, in the same round trip as the transaction's
   * other reads, so that apply() only writes. Call inside the transaction that will apply.
   */
  async prefetch(db: RelayDb): Promise<void> {
    const rows = await db.counters.bulkGet(RECORDING_KEYS);
    this.current = new Map(RECORDING_KEYS.map((key, i) => [key, rows[i]?.n ?? 0]));
  }
  add(key: string, n: number): void {
    if (n !== 0) this.deltas.set(key, (this.deltas.get(key) ?? 0) + n);
  }
  caseChanged(before: { status: Status; urgency: string } | undefined, after: { status: Status; urgency: string }): void {
    if (!before) this.add(COUNTER.total, 1);
    if (before?.status !== after.status) {
      if (before) this.add(COUNTER.status(before.status), -1);
      this.add(COUNTER.status(after.status), 1);
    }
    const wasUrgentOpen = before ? before.urgency === 'urgent' && before.status !== 'closed' : false;
    const isUrgentOpen = after.urgency === 'urgent' && after.status !== 'closed';
    if (wasUrgentOpen !== isUrgentOpen) this.add(COUNTER.urgentOpen, isUrgentOpen ? 1 : -1);
  }
  /** Write the deltas; call inside the transaction that made the change. */
  async apply(db: RelayDb): Promise<void> {
    if (this.deltas.size === 0) return;
    const keys = [...this.deltas.keys()];
    const current = this.current;
    if (current && keys.every((key) => current.has(key))) {
      await db.counters.bulkPut(keys.map((key) => ({ key, n: current.get(key)! + this.deltas.get(key)! })));
      return;
    }
    const rows = await db.counters.bulkGet(keys);
    await db.counters.bulkPut(keys.map((key, i) => ({ key, n: (rows[i]?.n ?? 0) + this.deltas.get(key)! })));
  }
}

export async function readCounters(db: RelayDb): Promise<Record<string, number>> {
  const rows = await db.counters.toArray();
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}
