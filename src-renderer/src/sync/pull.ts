/**
 * Pull: fetch the events of every case this station may see, after the hub's cursor, page by
 * page. Each page is applied in one local transaction that also stores the new cursor, so a
 * reload mid-sync resumes exactly where the last committed page ended.
 *
 * While a page is applied, the next one is already being fetched (one request at a time): the
 * hub's cursor in the answer says where it starts. A fetched page is only ever applied after
 * the one before it committed; if applying fails, the page fetched ahead is dropped unapplied
 * (the stored cursor still points before it, so it comes again next time).
 *
 * A hub whose log is shorter than the cursor (`409 cursor_ahead`: restored from an older
 * backup) makes the station start over from `0` (store/hub-rollback.ts), once a pull.
 */
import { DEFAULT_PULL_LIMIT } from '../../../src-common/protocol/v1';
import { applyExternalEvents } from '../store/apply-external';
import type { RelayDb } from '../store/db';
import { startOverAfterHubRollback } from '../store/hub-rollback';
import { CURSOR_KEY, readCursor } from '../store/pull-cursor';
import { HubError, type HubClient } from './hub-client';

export { CURSOR_KEY, readCursor };

export interface PullSummary {
  /** the hub's log was shorter than this station's cursor: pulled again from 0 */
  startedOver?: boolean;
  pages: number;
  received: number;
  added: number;
  casesTouched: number;
}

export async function pullAll(
  db: RelayDb,
  client: HubClient,
  limit = DEFAULT_PULL_LIMIT,
  maxPages = 1000,
  options: { stationId?: string } = {},
): Promise<PullSummary> {
  const summary: PullSummary = { pages: 0, received: 0, added: 0, casesTouched: 0 };
  const fetch = (after: string) => {
    const request = client.pull(after, limit);
    request.catch(() => undefined); // awaited below, or dropped when applying fails first
    return request;
  };
  let request = fetch(await readCursor(db));
  let startedOver = false;
  for (let page = 0; page < maxPages; page++) {
    let response;
    try {
      response = await request;
    } catch (e) {
      if (page > 0 || startedOver || !(e instanceof HubError && e.code === 'cursor_ahead')) throw e;
      // the hub's log is shorter than what this station pulled: start over from 0
      startedOver = true;
      const over = await startOverAfterHubRollback(db, options.stationId);
      console.warn(`the hub no longer holds cursor ${over.from} (restored from an older backup?): pulling again from 0`, over);
      summary.startedOver = true;
      request = fetch('0');
      response = await request;
    }
    const next = response.cursor;
    // fetch the next page while this one is applied
    if (response.more && page + 1 < maxPages) request = fetch(next);
    const result = await applyExternalEvents(
      db,
      response.events.map((e) => ({ event: e.event, hubSeq: e.hubSeq })),
      undefined,
      // the cursor in the page's own transaction; the hub's numbers are the ones
      { settings: [{ key: CURSOR_KEY, value: next }], hubNumbers: true },
    );
    summary.pages++;
    summary.received += response.events.length;
    summary.added += result.added;
    summary.casesTouched += result.casesTouched;
    if (!response.more) break;
  }
  return summary;
}
