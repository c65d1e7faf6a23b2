/**
 * One page of the events a station may see, after its cursor (see cursor.ts for the
 * delivery order). Two index-friendly queries, merged:
 *  - "live": events whose hub_seq is at or after the station's grant on their case,
 *    delivered at their own hub_seq;
 *  - "backfill": the earlier events of a case, delivered at the grant, so a station that
 *    gains a case (a transfer to it, a newly registered supervisor) also gets the events
 *    that came before, even when they are below its cursor.
 * Each event of a visible case is delivered exactly once at one position; an event already
 * held by the station can come again only if the station re-pulls from an older cursor.
 *
 * hub_seq is assigned in commit order (pushes take the sync lock), and a grant is written
 * with the hub_seq of the event causing it, so no event or grant can later appear at or
 * below a position already handed out.
 */
import type { StationInfo } from '../../src-common/protocol/v1';
import type { Database } from '../db/database';
import { HubError } from '../errors';
import { compareCursor, formatCursor, type Cursor } from './cursor';

interface PageRow {
  pos: number;
  hub_seq: number;
  content: string;
}

/**
 * Remember the furthest cursor handed to the station (push judges its events by what it could
 * know: knowledge.ts). Written only when the station moves on, so idle polls write nothing.
 */
async function recordHandedOut(db: Database, stationId: string, cursor: Cursor): Promise<void> {
  await db.query(
    `INSERT INTO station_pull (station_id, pos, hub_seq) VALUES ($1, $2, $3)
     ON CONFLICT (station_id) DO UPDATE SET pos = excluded.pos, hub_seq = excluded.hub_seq, updated_at = now()
      WHERE (station_pull.pos, station_pull.hub_seq) < (excluded.pos, excluded.hub_seq)`,
    [stationId, cursor.pos, cursor.hubSeq],
    { prepare: true },
  );
}

/**
 * A page as the hub holds it: each event as its stored canonical JSON text (see
 * pullResponseJson), so a page is never parsed only to be written out again.
 */
export interface PullPage {
  events: Array<{ hubSeq: number; content: string }>;
  cursor: string;
  more: boolean;
}

/**
 * The PullResponse JSON of a page (protocol v1), with each event's stored canonical JSON
 * spliced in as it is: the same text JSON.stringify would write for the parsed event (canonical
 * JSON is JSON.stringify's own output, keys in order), without parsing 4 MB to write 4 MB again.
 */
export function pullResponseJson(page: PullPage): string {
  const parts = page.events.map((e) => `{"hubSeq":${e.hubSeq},"event":${e.content}}`);
  return `{"events":[${parts.join(',')}],"cursor":${JSON.stringify(page.cursor)},"more":${page.more}}`;
}

/**
 * A station holding at most this many grants has its live events read from its grants (each
 * case's events after the cursor, by index); a wider one — a hotline or a supervisor seeing
 * most of the city's cases — from the log in hub order, its grant looked up for each event,
 * stopping once the page is full. Read from the grants, a wide station's page would join
 * every event after its cursor with all its grants (16 ms a page of 500 on PGlite with 5,000
 * events behind, growing with the log); read from the log, a narrow station far behind would
 * look at every event of the city after its cursor for a page of its few.
 */
export const NARROW_AUDIENCE = 1000;

/** how many grants the station holds, counted up to $2 */
const AUDIENCE_SIZE_SQL = 'SELECT count(*)::int AS n FROM (SELECT 1 FROM case_audience WHERE station_id = $1 LIMIT $2) AS a';

// per grant, its case's events from the later of the cursor and the grant (events_case index),
// at most a page each: a nested loop over the station's grants whatever the planner estimates
const LIVE_FROM_GRANTS_SQL = `
  SELECT x.pos, x.hub_seq, x.content
    FROM case_audience a
   CROSS JOIN LATERAL (
     SELECT e.hub_seq AS pos, e.hub_seq, e.content
       FROM events e
      WHERE e.case_id = a.case_id AND e.hub_seq >= greatest($2::bigint + 1, a.granted_seq) AND e.hub_seq <= $3
      ORDER BY e.hub_seq
      LIMIT $4) AS x
   WHERE a.station_id = $1
   ORDER BY x.hub_seq
   LIMIT $4`;

const LIVE_FROM_LOG_SQL = `
  SELECT e.hub_seq AS pos, e.hub_seq, e.content
    FROM events e
   WHERE e.hub_seq > $2 AND e.hub_seq <= $3
     AND e.hub_seq >= (SELECT a.granted_seq FROM case_audience a WHERE a.station_id = $1 AND a.case_id = e.case_id)
   ORDER BY e.hub_seq
   LIMIT $4`;

async function liveEvents(db: Database, me: StationInfo, after: number, committed: number, limit: number, narrowAudience: number): Promise<PageRow[]> {
  const [size] = await db.query<{ n: number }>(AUDIENCE_SIZE_SQL, [me.stationId, narrowAudience + 1], { prepare: true });
  const wide = Number(size?.n ?? 0) > narrowAudience;
  return db.query<PageRow>(wide ? LIVE_FROM_LOG_SQL : LIVE_FROM_GRANTS_SQL, [me.stationId, after, committed, limit + 1], { prepare: true });
}

/** @param narrowAudience see NARROW_AUDIENCE (tests read both ways) */
export async function pullEvents(db: Database, me: StationInfo, after: Cursor, limit: number, narrowAudience = NARROW_AUDIENCE): Promise<PullPage> {
  // Read first, and bound both queries by it: every position up to it is committed already
  // (commit order), so the two queries, even run as separate statements while pushes commit,
  // see the same rows; and a page that is not full may move the cursor up to it.
  const maxRow = await db.query<{ m: number }>('SELECT coalesce(max(hub_seq), 0) AS m FROM events', [], { prepare: true });
  const committed = Number(maxRow[0]?.m ?? 0);
  if (after.pos > committed) {
    throw new HubError(
      409,
      'cursor_ahead',
      `游标 ${formatCursor(after)} 超出集线器已有的记录（最大序号 ${committed}）：集线器的数据可能已被重置或恢复，请从 0 重新拉取`,
    );
  }
  // in the middle of a grant's backfill (hubSeq < pos), the event at pos itself is still due
  const liveAfter = after.hubSeq < after.pos ? after.pos - 1 : after.pos;
  // nothing committed after the cursor (an idle poll): no live event can be due
  const live = liveAfter >= committed ? [] : await liveEvents(db, me, liveAfter, committed, limit, narrowAudience);
  const backfill = await db.query<PageRow>(
    `SELECT a.granted_seq AS pos, e.hub_seq, e.content
       FROM case_audience a JOIN events e ON e.case_id = a.case_id AND e.hub_seq < a.granted_seq
      WHERE a.station_id = $1 AND a.granted_seq <= $4
        AND (a.granted_seq > $2 OR (a.granted_seq = $2 AND e.hub_seq > $3))
      ORDER BY a.granted_seq, e.hub_seq
      LIMIT $5`,
    [me.stationId, after.pos, after.hubSeq, committed, limit + 1],
    { prepare: true },
  );
  const rows = [...live, ...backfill]
    .map((r) => ({ pos: Number(r.pos), hubSeq: Number(r.hub_seq), content: r.content }))
    .sort((a, b) => compareCursor(a, b));
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  let cursor: Cursor = last ? { pos: last.pos, hubSeq: last.hubSeq } : after;
  if (!more && compareCursor(cursor, { pos: committed, hubSeq: committed }) < 0) cursor = { pos: committed, hubSeq: committed };
  if (compareCursor(cursor, after) > 0) await recordHandedOut(db, me.stationId, cursor);
  return {
    events: page.map((r) => ({ hubSeq: r.hubSeq, content: r.content })),
    cursor: formatCursor(cursor),
    more,
  };
}
