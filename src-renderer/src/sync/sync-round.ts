/**
 * One round of the connection loop: push the outbox, then pull, then take any calendar year
 * newly loaded at the hub (calendar-sync.ts). When the pull found the hub's
 * log shorter than this station's cursor (restored from an older backup: pull.ts, store/
 * hub-rollback.ts), the round pushes again at once — the event queued to learn what the hub
 * lost, then the gaps the hub reports — and pulls what that gave back.
 */
import type { RelayDb } from '../store/db';
import type { HubClient } from './hub-client';
import { syncCalendar, type CalendarSyncResult } from './calendar-sync';
import { pullAll, type PullSummary } from './pull';
import { pushOutbox, type PushOptions, type PushSummary } from './push';

export interface RoundResult {
  pushed: PushSummary;
  pulled: PullSummary;
  calendar: CalendarSyncResult;
}

export async function syncRound(
  db: RelayDb,
  client: HubClient,
  stationId: string,
  options: { push?: PushOptions; pullLimit?: number } = {},
): Promise<RoundResult> {
  const pushed = await pushOutbox(db, client, stationId, options.push ?? {});
  const pulled = await pullAll(db, client, options.pullLimit, undefined, { stationId });
  if (!pulled.startedOver) return { pushed, pulled, calendar: await syncCalendar(db, client) };
  const again = await pushOutbox(db, client, stationId, options.push ?? {});
  const after = await pullAll(db, client, options.pullLimit, undefined, { stationId });
  return {
    pushed: {
      batches: pushed.batches + again.batches,
      accepted: pushed.accepted + again.accepted,
      duplicates: pushed.duplicates + again.duplicates,
      rejected: pushed.rejected + again.rejected,
      requeued: pushed.requeued + again.requeued,
    },
    pulled: {
      startedOver: true,
      pages: pulled.pages + after.pages,
      received: pulled.received + after.received,
      added: pulled.added + after.added,
      casesTouched: pulled.casesTouched + after.casesTouched,
    },
    calendar: await syncCalendar(db, client),
  };
}
