/**
 * When the hub answers a pull with `409 cursor_ahead`, its log is shorter than what this
 * station already pulled: it was restored from an older backup (or reset). The station then
 * starts over, in one transaction:
 * - its pull cursor goes back to `0`: everything is pulled again, ids already held are skipped;
 * - its own latest event is queued again (unless still queued or refused for good): the hub's
 *   answer to it reports the station's sequence numbers it no longer holds (gaps), and the
 *   push queues those again from the local log (push.ts). So what the hub lost of this
 *   station's work goes back to it; nothing here is deleted.
 */
import type { Station } from '../../../src-common/domain';
import { COUNTER } from './counters';
import type { RelayDb, StoredEvent } from './db';
import { acknowledgedBases } from './hub-seqs';
import { CURSOR_KEY } from './pull-cursor';

export interface StartOver {
  /** the cursor given up */
  from: string;
  /** the event queued again to learn what the hub lost (null: none, or already queued) */
  requeued: string | null;
}

/** @param stationId this station (read from its settings when not given) */
export async function startOverAfterHubRollback(db: RelayDb, stationId?: string, now: Date = new Date()): Promise<StartOver> {
  return db.transaction('rw', [db.settings, db.events, db.outbox, db.rejected, db.counters, db.hubAcks], async () => {
    const from = (await db.settings.get(CURSOR_KEY))?.value;
    await db.settings.put({ key: CURSOR_KEY, value: '0' });
    const me = stationId ?? ((await db.settings.get('station'))?.value as Station | undefined)?.stationId;
    let requeued: string | null = null;
    if (me) {
      // the latest of its own events the hub did not refuse for good (a refused one is never
      // sent again, so it could not bring the gaps back); none needed if one is queued anyway
      const recent = await db.events.where('[stationId+seq]').between([me, -Infinity], [me, Infinity]).reverse().limit(200).toArray();
      const refused = await db.rejected.bulkGet(recent.map((e) => e.id));
      const last: StoredEvent | undefined = recent.find((_, i) => !refused[i]);
      if (last && !(await db.outbox.get(last.id))) {
        const basis = (await acknowledgedBases(db, [last.id])).get(last.id);
        await db.outbox.add({ eventId: last.id, lseq: last.lseq, queuedAt: now.toISOString(), ...(basis ? { basis } : {}) });
        const row = await db.counters.get(COUNTER.outbox);
        await db.counters.put({ key: COUNTER.outbox, n: (row?.n ?? 0) + 1 });
        requeued = last.id;
      }
    }
    return { from: typeof from === 'string' ? from : '0', requeued };
  });
}
