/**
 * Taking a station's batch of events into the log, in ONE transaction under the sync lock.
 *
 * Whole-batch refusals (403, nothing applied): an event claiming another station
 * (`forged_station`), an event type the station's role may not record (`role_not_allowed`),
 * an event on a case the station can neither see nor is opening (`case_not_visible`).
 *
 * Otherwise each event gets its own status:
 * - accepted: new, stored, numbered (hubSeq);
 * - duplicate: the same id with the same canonical content is held: its original hubSeq;
 * - rejected: schema-invalid (`invalid_event`, `unknown_event_type`, `unsupported_version`),
 *   the same id with different content (`conflicting_content`: the held one is kept, never
 *   overwritten), a seq of this station already used by another event (`seq_taken`), or a
 *   transition the station could not lawfully record on the case as it knew it
 *   (`transition_refused`: see knowledge.ts). Every rejection is kept in refused_events.
 */
import {
  canonicalJson,
  EVENT_ENVELOPE_VERSION,
  EVENT_TYPE_LABELS,
  EVENT_TYPES,
  ROLE_LABELS,
  roleMayRecord,
  safeParseEvent,
  type RelayEvent,
} from '../../src-common/domain';
import type { PushResponse, PushResult, StationInfo } from '../../src-common/protocol/v1';
import { placeholders, storableText, takeSyncLock, type Database, type Queryable } from '../db/database';
import { HubError } from '../errors';
import { recordCasesAndGrants } from './audience';
import { START, type Cursor } from './cursor';
import { StationKnowledge, type LoggedEvent } from './knowledge';
import { writeProgress } from './progress';
import { insertRows } from './sql-rows';

export interface RefusedEvent {
  id: string;
  code: string;
  reason: string;
}

/** The station's seq a refused event claimed, when it claimed a usable one. */
function seqOf(raw: unknown): number | null {
  return isRecord(raw) && typeof raw.seq === 'number' && Number.isSafeInteger(raw.seq) && raw.seq > 0 ? raw.seq : null;
}

export interface PushOutcome {
  response: PushResponse;
  refused: RefusedEvent[];
  accepted: number;
  duplicates: number;
}

type Item =
  | { index: number; raw: unknown; kind: 'valid'; event: RelayEvent; content: string }
  | { index: number; raw: unknown; kind: 'invalid'; id: string; code: string; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How to name an event in results and errors: its id when it has one, else its place. */
function nameOf(raw: unknown, index: number): string {
  return isRecord(raw) && typeof raw.id === 'string' && raw.id.length > 0 && raw.id.length <= 64 ? raw.id : `#${index}`;
}

/** Events are shallow; a shift sheet may nest a little. Deeper input is refused before any recursion. */
export const MAX_EVENT_DEPTH = 32;

function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}

function classify(raw: unknown, index: number): Item {
  const id = nameOf(raw, index);
  if (!isRecord(raw)) return { index, raw, kind: 'invalid', id, code: 'invalid_event', reason: '不是事件对象' };
  if (deeperThan(raw, MAX_EVENT_DEPTH)) {
    return { index, raw, kind: 'invalid', id, code: 'invalid_event', reason: `事件内容嵌套过深（超过 ${MAX_EVENT_DEPTH} 层）` };
  }
  if (raw.v !== undefined && raw.v !== EVENT_ENVELOPE_VERSION) {
    return { index, raw, kind: 'invalid', id, code: 'unsupported_version', reason: `不支持的事件版本：${JSON.stringify(raw.v)}（本集线器支持第 ${EVENT_ENVELOPE_VERSION} 版）` };
  }
  if (typeof raw.type === 'string' && !(EVENT_TYPES as string[]).includes(raw.type)) {
    return { index, raw, kind: 'invalid', id, code: 'unknown_event_type', reason: `未知的事件类型：${raw.type}` };
  }
  const parsed = safeParseEvent(raw);
  if (!parsed.ok) return { index, raw, kind: 'invalid', id, code: 'invalid_event', reason: parsed.error.message || '事件格式不正确' };
  return { index, raw, kind: 'valid', event: parsed.event, content: canonicalJson(parsed.event) };
}

function forbidden(me: StationInfo, items: readonly Item[], hidden: ReadonlySet<string>): HubError | null {
  const offences: Array<{ id: string; code: string; text: string }> = [];
  for (const item of items) {
    const raw = item.raw;
    const claimed = isRecord(raw) && typeof raw.stationId === 'string' ? raw.stationId : null;
    const id = item.kind === 'valid' ? item.event.id : item.id;
    if (claimed !== null && claimed !== me.stationId) {
      offences.push({ id, code: 'forged_station', text: `事件 ${id} 的站点编号为 ${claimed.slice(0, 64)}，不是本站 ${me.stationId}：不能冒用其他站点记录事件` });
      continue;
    }
    if (item.kind !== 'valid') continue;
    const e = item.event;
    const actingAs = 'station' in e.payload && isRecord(e.payload.station) ? e.payload.station.stationId : null;
    if (!roleMayRecord(me.role, e.type)) {
      offences.push({ id, code: 'role_not_allowed', text: `事件 ${id}：${ROLE_LABELS[me.role]}不能记录“${EVENT_TYPE_LABELS[e.type]}”（${e.type}）` });
    } else if (actingAs !== null && actingAs !== me.stationId) {
      // acknowledgements, returns, feedback and intakes name the desk that acted: it must be this one
      offences.push({ id, code: 'forged_station', text: `事件 ${id}：以站点 ${String(actingAs).slice(0, 64)} 的名义记录“${EVENT_TYPE_LABELS[e.type]}”，不是本站 ${me.stationId}` });
    } else if (hidden.has(e.caseId)) {
      offences.push({ id, code: 'case_not_visible', text: `事件 ${id}：工单 ${e.caseId} 不在本站可见范围内，不能记录` });
    }
  }
  if (offences.length === 0) return null;
  const codes = [...new Set(offences.map((o) => o.code))];
  const shown = offences.slice(0, 5).map((o) => o.text).join('；');
  const more = offences.length > 5 ? `；另有 ${offences.length - 5} 条` : '';
  return new HubError(
    403,
    codes.length === 1 ? codes[0]! : 'forbidden',
    `整批拒收（未保存任何事件）：${shown}${more}`,
    [...new Set(offences.map((o) => o.id))],
  );
}

interface BatchContext {
  /** cases of the batch that exist at the hub and that `me` may not see */
  hidden: Set<string>;
  knowledge: StationKnowledge;
  contiguousSeq: number;
  heldAbove: number[];
  /** whether station_progress has a row for `me` */
  hasProgress: boolean;
}

/**
 * What judging the batch needs, read under the lock: the held events of its cases, `me`'s
 * grants on them, the furthest cursor handed to `me`, and which of `me`'s seqs are held.
 */
async function loadContext(tx: Queryable, me: StationInfo, items: readonly Item[]): Promise<BatchContext> {
  const caseIds = [...new Set(items.flatMap((i) => (i.kind === 'valid' ? [i.event.caseId] : [])))];
  const logged: LoggedEvent[] = [];
  const grants = new Map<string, number>();
  if (caseIds.length > 0) {
    for (const r of await tx.query<{ hub_seq: number; content: string }>(
      `SELECT hub_seq, content FROM events WHERE case_id IN (${placeholders(caseIds.length)})`,
      caseIds,
    )) {
      logged.push({ hubSeq: Number(r.hub_seq), event: JSON.parse(r.content) as RelayEvent });
    }
    for (const r of await tx.query<{ case_id: string; granted_seq: number }>(
      `SELECT case_id, granted_seq FROM case_audience WHERE station_id = $1 AND case_id IN (${placeholders(caseIds.length, 2)})`,
      [me.stationId, ...caseIds],
    )) {
      grants.set(r.case_id, Number(r.granted_seq));
    }
  }
  const known = new Set(logged.map((l) => l.event.caseId));
  const hidden = new Set([...known].filter((id) => !grants.has(id)));
  const [mine] = await tx.query<{ pull_pos: number | null; pull_hub_seq: number | null; contiguous_seq: number | null }>(
    `SELECT (SELECT pos FROM station_pull WHERE station_id = $1) AS pull_pos,
            (SELECT hub_seq FROM station_pull WHERE station_id = $1) AS pull_hub_seq,
            (SELECT contiguous_seq FROM station_progress WHERE station_id = $1) AS contiguous_seq`,
    [me.stationId],
  );
  const contiguousSeq = mine?.contiguous_seq === null || mine?.contiguous_seq === undefined ? 0 : Number(mine.contiguous_seq);
  const heldAbove: number[] = [];
  const refusedAbove: number[] = [];
  for (const r of await tx.query<{ seq: number; refused: boolean }>(
    `SELECT seq, false AS refused FROM events WHERE station_id = $1 AND seq > $2
     UNION ALL SELECT seq, true AS refused FROM refused_events WHERE station_id = $1 AND seq > $2`,
    [me.stationId, contiguousSeq],
  )) {
    (r.refused ? refusedAbove : heldAbove).push(Number(r.seq));
  }
  const handedOut: Cursor =
    mine?.pull_pos === null || mine?.pull_pos === undefined ? START : { pos: Number(mine.pull_pos), hubSeq: Number(mine.pull_hub_seq) };
  return {
    hidden,
    knowledge: new StationKnowledge({ me, logged, grants, handedOut, contiguousSeq, heldAbove: [...heldAbove, ...refusedAbove] }),
    contiguousSeq,
    heldAbove,
    hasProgress: mine?.contiguous_seq !== null && mine?.contiguous_seq !== undefined,
  };
}

/**
 * @param basis for each event id, the pull cursor the station had applied when it recorded
 * the event (see knowledge.ts); events without one are judged at the furthest cursor handed
 * to the station.
 */
export async function pushEvents(
  db: Database,
  me: StationInfo,
  rawEvents: readonly unknown[],
  basis: ReadonlyMap<string, Cursor> = new Map(),
): Promise<PushOutcome> {
  const items = rawEvents.map(classify);
  return db.transaction(async (tx) => {
    await takeSyncLock(tx);
    const context = await loadContext(tx, me, items);
    const refusal = forbidden(me, items, context.hidden);
    if (refusal) throw refusal;

    const valid = items.filter((i): i is Extract<Item, { kind: 'valid' }> => i.kind === 'valid');
    const heldById = new Map<string, { hubSeq: number; content: string }>();
    const heldBySeq = new Map<number, string>();
    if (valid.length > 0) {
      const ids = [...new Set(valid.map((v) => v.event.id))];
      for (const r of await tx.query<{ event_id: string; hub_seq: number; content: string }>(
        `SELECT event_id, hub_seq, content FROM events WHERE event_id IN (${placeholders(ids.length)})`,
        ids,
      )) {
        heldById.set(r.event_id, { hubSeq: Number(r.hub_seq), content: r.content });
      }
      const seqs = [...new Set(valid.map((v) => v.event.seq))];
      for (const r of await tx.query<{ seq: number; event_id: string }>(
        `SELECT seq, event_id FROM events WHERE station_id = $1 AND seq IN (${placeholders(seqs.length, 2)})`,
        [me.stationId, ...seqs],
      )) {
        heldBySeq.set(Number(r.seq), r.event_id);
      }
    }
    const maxRow = await tx.query<{ m: number }>('SELECT coalesce(max(hub_seq), 0) AS m FROM events');
    let next = Number(maxRow[0]?.m ?? 0);

    const results: PushResult[] = [];
    const accepted: Array<{ event: RelayEvent; hubSeq: number; content: string }> = [];
    // seq: the station's seq the refusal settles (it will not be sent again), where known
    const refused: Array<RefusedEvent & { content: string; seq: number | null }> = [];
    let duplicates = 0;
    for (const item of items) {
      if (item.kind === 'invalid') {
        results.push({ id: item.id, status: 'rejected', reason: item.reason, code: item.code });
        const seq = seqOf(item.raw);
        refused.push({ id: item.id, code: item.code, reason: item.reason, content: safeJson(item.raw), seq });
        if (seq !== null) context.knowledge.settled(seq);
        continue;
      }
      const e = item.event;
      const held = heldById.get(e.id);
      if (held) {
        if (held.content === item.content) {
          results.push({ id: e.id, status: 'duplicate', hubSeq: held.hubSeq });
          duplicates++;
        } else {
          const reason = `事件 ${e.id} 已在集线器（序号 ${held.hubSeq}），内容与此次不同：记录只追加，不覆盖，已保留原记录`;
          results.push({ id: e.id, status: 'rejected', reason, code: 'conflicting_content' });
          refused.push({ id: e.id, code: 'conflicting_content', reason, content: item.content, seq: null });
        }
        continue;
      }
      const seqOwner = heldBySeq.get(e.seq);
      if (seqOwner !== undefined) {
        const reason = `本站序号 ${e.seq} 已由事件 ${seqOwner} 使用，不能再用于事件 ${e.id}`;
        results.push({ id: e.id, status: 'rejected', reason, code: 'seq_taken' });
        refused.push({ id: e.id, code: 'seq_taken', reason, content: item.content, seq: null });
        continue;
      }
      const illegal = context.knowledge.refusal(e, basis.get(e.id));
      if (illegal !== null) {
        const reason = `按本站记录此事件时所知的工单情况，${illegal}（事件 ${e.id}，${EVENT_TYPE_LABELS[e.type]}）`;
        results.push({ id: e.id, status: 'rejected', reason, code: 'transition_refused' });
        refused.push({ id: e.id, code: 'transition_refused', reason, content: item.content, seq: e.seq });
        context.knowledge.settled(e.seq);
        continue;
      }
      const hubSeq = ++next;
      heldById.set(e.id, { hubSeq, content: item.content });
      heldBySeq.set(e.seq, e.id);
      context.knowledge.accepted(e, hubSeq);
      accepted.push({ event: e, hubSeq, content: item.content });
      results.push({ id: e.id, status: 'accepted', hubSeq });
    }

    await insertRows(
      tx,
      'events',
      ['hub_seq', 'event_id', 'case_id', 'station_id', 'seq', 'type', 'at', 'content'],
      accepted.map((a) => [a.hubSeq, a.event.id, a.event.caseId, a.event.stationId, a.event.seq, a.event.type, a.event.at, a.content]),
    );
    await recordCasesAndGrants(tx, me, accepted);
    await insertRows(
      tx,
      'refused_events',
      ['station_id', 'event_id', 'code', 'reason', 'content', 'seq'],
      refused.map((r) => [me.stationId, storableText(r.id), r.code, storableText(r.reason), storableText(r.content), r.seq]),
    );
    const progress = await writeProgress(
      tx,
      me.stationId,
      context.contiguousSeq,
      [...context.heldAbove, ...accepted.map((a) => a.event.seq)],
      context.hasProgress,
    );
    return {
      response: { results, gaps: progress.gaps, contiguousSeq: progress.contiguousSeq },
      refused: refused.map(({ id, code, reason }) => ({ id, code, reason })),
      accepted: accepted.length,
      duplicates,
    };
  });
}

function safeJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? 'null';
  } catch {
    return String(raw);
  }
}
