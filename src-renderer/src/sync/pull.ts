/**
 * Pull: fetch the events of every case this station may see, after the hub's cursor, page by
 * page. Each page is applied in one local transaction that also stores the new cursor, so a
 * reload mid-sync resumes exactly where the last committed page ended.
 */
import { DEFAULT_PULL_LIMIT } from '../../../src-common/protocol/v1';
import { applyExternalEvents } from '../store/apply-external';
import type { RelayDb } from '../store/db';
import { CURSOR_KEY, readCursor } from '../store/pull-cursor';
import type { HubClient } from './hub-client';

export { CURSOR_KEY, readCursor };

export interface PullSummary {
  pages: number;
  received: number;
  added: number;
  casesTouched: number;
}

export async function pullAll(db: RelayDb, client: HubClient, limit = DEFAULT_PULL_LIMIT, maxPages = 1000): Promise<PullSummary> {
  const summary: PullSummary = { pages: 0, received: 0, added: 0, casesTouched: 0 };
  let cursor = await readCursor(db);
  for (let page = 0; page < maxPages; page++) {
    const response = await client.pull(cursor, limit);
    const next = response.cursor;
    const result = await applyExternalEvents(
      db,
      response.events.map((e) => ({ event: e.event, hubSeq: e.hubSeq })),
      async () => {
        await db.settings.put({ key: CURSOR_KEY, value: next });
      },
    );
    summary.pages++;
    summary.received += response.events.length;
    summary.added += result.added;
    summary.casesTouched += result.casesTouched;
    cursor = next;
    if (!response.more) break;
  }
  return summary;
}
