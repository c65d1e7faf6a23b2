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
import { EVENT_TYPE_LABELS, ROLE_LABELS, roleMayRecord, type RelayEvent, type WorkCalendar } from '../../src-common/domain';
import type { PushResponse, PushResult, StationInfo } from '../../src-common/protocol/v1';
import { beginPush, takeSyncLock, type Database, type Queryable } from '../db/database';
import { HubError } from '../errors';
import { opensCase, planCasesAndGrants } from './audience';
import { readBatchContext, type BatchContext, type BatchKeys } from './batch-context';
import { isRecord, releaseEvents, type Item, type ValidItem } from './classify';
import { prepareWrite, runWrite, writeBatch, writeInThreadGroup, type BatchWrite, type PreparedWrite, type Written } from './batch-write';
import type { Cursor } from './cursor';
import { StationKnowledge } from './knowledge';
import { refreshCalendar } from '../calendar/calendar-years';
import { progressFrom, type Progress } from './progress';
import { classifyEvents } from './validator';
import { WriteGroups, type Lead } from './write-groups';

export interface RefusedEvent {
  id: string;
  code: string;
  reason: string;
}

export interface PushOutcome {
  response: PushResponse;
  refused: RefusedEvent[];
  accepted: number;
  duplicates: number;
}

function forbidden(me: StationInfo, items: readonly Item[], hidden: ReadonlySet<string>): HubError | null {
  const offences: Array<{ id: string; code: string; text: string }> = [];
  for (const item of items) {
    const claimed = item.kind === 'valid' ? item.event.stationId : item.claimedStation;
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

/**
 * Take events given as parsed JSON (validated here, on this thread, in slices).
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
  return pushItems(db, me, await classifyEvents(rawEvents), basis);
}

/** Take a push's events as validated (validator.ts: a worker reads the body). */
export async function pushItems(db: Database, me: StationInfo, items: readonly Item[], basis: ReadonlyMap<string, Cursor>): Promise<PushOutcome> {
  const valid = items.filter((i): i is ValidItem => i.kind === 'valid');
  const seqOfId = new Map<string, number>();
  for (const v of valid) if (!seqOfId.has(v.key.id)) seqOfId.set(v.key.id, v.key.seq);
  const batch: BatchKeys = {
    ids: [...seqOfId.keys()],
    idSeqs: [...seqOfId.values()],
    seqs: [...new Set(valid.map((v) => v.key.seq))],
    caseIds: [...new Set(valid.map((v) => v.key.caseId))],
  };
  // the shipped years and those loaded at the hub (re-read at most once a minute)
  const calendar = await refreshCalendar(db);
  if (db.kind === 'postgres') return pushOnPool(db, me, items, basis, calendar, batch);
  return pushOnOneConnection(db, me, items, basis, calendar, batch);
}

/** Per database: the groups its pushes' writes form (write-groups.ts; PostgreSQL). */
const writeGroups = new WeakMap<Database, WriteGroups<PreparedWrite, Written>>();

function groupsOf(db: Database): WriteGroups<PreparedWrite, Written> {
  let groups = writeGroups.get(db);
  if (!groups) writeGroups.set(db, (groups = new WriteGroups<PreparedWrite, Written>()));
  return groups;
}

/**
 * PostgreSQL: the context is read and the batch judged and encoded ahead of the sync lock
 * (other pushes run alongside on the pool's connections), under the station's own lock so
 * that what only its pushes write stays as read. Then the batch's one guarded statement
 * (batch-write.ts) joins the writer thread's next group (pg-writer.ts): every member's batch
 * written in one transaction under the sync lock, with one COMMIT for all, the next group
 * started by that thread the moment one ends. If that thread has stopped, the pushes form
 * their groups here (write-groups.ts): the group's leader writes them in its own transaction.
 * A batch whose context changed meanwhile, a refused batch, and every batch of a group that
 * failed, is judged again on rows read under the lock.
 */
async function pushOnPool(db: Database, me: StationInfo, items: readonly Item[], basis: ReadonlyMap<string, Cursor>, calendar: WorkCalendar, batch: BatchKeys): Promise<PushOutcome> {
  const led: { turn: Lead<PreparedWrite, Written> | null; results: Written[] } = { turn: null, results: [] };
  const alone = () =>
    db.transaction(async (tx) => {
      await beginPush(tx, me.stationId);
      await takeSyncLock(tx);
      return judgeAndWrite(tx, me, items, basis, calendar, batch);
    });
  let outcome: PushOutcome | null;
  try {
    outcome = await db.transaction(async (tx): Promise<PushOutcome | null> => {
      await beginPush(tx, me.stationId);
      const judged = judgeAhead(me, items, basis, calendar, await readBatchContext(tx, me, batch, 'resent'), batch);
      if (judged) {
        const { prepared, decision } = judged;
        const writer = db.threadWriter;
        if (writer?.healthy) {
          // the writer thread's next group (pg-writer.ts), which takes the sync lock itself
          const written = await writeInThreadGroup(writer, prepared);
          if (written?.ok) return outcomeOf(decision, written.shift);
          // not written (the group failed, or its end is unknown): judged again on its own
          if (written === null) return null;
          // its context changed: judged again below, after the group has committed, so a
          // refusal (which throws) cannot roll back the others' writes
        } else {
          const turn = await groupsOf(db).join(prepared);
          if (turn.kind === 'settled') {
            if (turn.result?.ok) return outcomeOf(decision, turn.result.shift);
          } else {
            led.turn = turn;
            await takeSyncLock(tx);
            for (const write of turn.take()) led.results.push(await runWrite(tx, write));
            const own = led.results[0]!;
            // as above: judged again after the group has committed
            return own.ok ? outcomeOf(decision, own.shift) : null;
          }
        }
      }
      await takeSyncLock(tx);
      return judgeAndWrite(tx, me, items, basis, calendar, batch);
    });
  } catch (e) {
    if (led.turn === null) throw e;
    // the group was not written, or its COMMIT failed (done or not: judged again, a batch the
    // hub holds comes back as duplicates): every member goes alone, this one too
    led.turn.failed();
    return alone();
  }
  led.turn?.committed(led.results);
  return outcome ?? alone();
}

/**
 * The embedded engine: one connection, every statement queued (pglite-driver.ts), the engine
 * in a thread of its own. The context is read by one statement, the batch judged and encoded
 * on the hub's thread while the engine runs other pushes' statements, and written by one
 * guarded statement, which is a transaction by itself (one commit, no round trips for BEGIN,
 * the lock and COMMIT). Pushes of one station take turns (stationTurn: what the station
 * lock does on PostgreSQL; one process holds the data folder). If the context changed
 * meanwhile, or the batch is refused, it is judged again in one transaction.
 */
async function pushOnOneConnection(
  db: Database,
  me: StationInfo,
  items: readonly Item[],
  basis: ReadonlyMap<string, Cursor>,
  calendar: WorkCalendar,
  batch: BatchKeys,
): Promise<PushOutcome> {
  return stationTurn(db, me.stationId, async () => {
    const ahead = await readBatchContext(db, me, batch, 'resent');
    const decision = decide(me, items, basis, calendar, ahead);
    if (!(decision instanceof HubError)) {
      // a write that fails (an id the read ahead did not look up is held: the events' unique
      // key) writes nothing, being one statement: judged again below with every id looked up
      const written = await runWrite(db, prepareWrite({ ...decision.write, guard: guardOf(ahead, batch) })).catch(() => null);
      if (written?.ok) return outcomeOf(decision, written.shift);
    }
    return db.transaction(async (tx) => {
      await takeSyncLock(tx);
      return judgeAndWrite(tx, me, items, basis, calendar, batch);
    });
  });
}

/**
 * Judge a batch on a context read ahead and encode its guarded write, or null when it is
 * refused (judged again under the lock, where the refusal is thrown). What then waits for the
 * write holds the encoded write and the answer, not the parsed events nor the context
 * (classify.ts: releaseEvents): they are garbage before the wait.
 */
function judgeAhead(
  me: StationInfo,
  items: readonly Item[],
  basis: ReadonlyMap<string, Cursor>,
  calendar: WorkCalendar,
  ahead: BatchContext,
  batch: BatchKeys,
): { prepared: PreparedWrite; decision: Answer } | null {
  const judged = decide(me, items, basis, calendar, ahead);
  if (judged instanceof HubError) return null;
  const prepared = prepareWrite({ ...judged.write, guard: guardOf(ahead, batch) });
  releaseEvents(items);
  return { prepared, decision: withoutEvents(judged) };
}

function guardOf(ahead: BatchContext, batch: BatchKeys): NonNullable<BatchWrite['guard']> {
  return { aheadMax: ahead.maxHubSeq, caseIds: batch.caseIds, stationCount: ahead.stationCount };
}

/** Under the sync lock: judge on rows read now and write (or throw the refusal). */
async function judgeAndWrite(tx: Queryable, me: StationInfo, items: readonly Item[], basis: ReadonlyMap<string, Cursor>, calendar: WorkCalendar, batch: BatchKeys): Promise<PushOutcome> {
  const decision = decide(me, items, basis, calendar, await readBatchContext(tx, me, batch));
  if (decision instanceof HubError) throw decision;
  await writeBatch(tx, decision.write);
  return outcomeOf(decision, 0);
}

/** Per database, per station: the tail of its pushes in turn. */
const turns = new WeakMap<Database, Map<string, Promise<unknown>>>();

/** Run `task` after the station's earlier pushes on this database have finished. */
function stationTurn<T>(db: Database, stationId: string, task: () => Promise<T>): Promise<T> {
  let byStation = turns.get(db);
  if (!byStation) turns.set(db, (byStation = new Map()));
  const before = byStation.get(stationId) ?? Promise.resolve();
  const run = before.then(task, task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  byStation.set(stationId, tail);
  void tail.then(() => {
    if (byStation.get(stationId) === tail) byStation.delete(stationId);
  });
  return run;
}

interface Decision {
  results: PushResult[];
  refused: RefusedEvent[];
  duplicates: number;
  progress: Progress;
  write: BatchWrite;
}

/** A decision once its write is encoded: what its answer needs, without the events. */
type Answer = Omit<Decision, 'write'> & { accepted: number };

function withoutEvents(d: Decision): Answer {
  const { write, ...rest } = d;
  return { ...rest, accepted: write.accepted.length };
}

/** The outcome of a written decision; `shift`: how far its new hub numbers moved when written. */
function outcomeOf(d: Decision | Answer, shift: number): PushOutcome {
  const results = shift === 0 ? d.results : d.results.map((r) => (r.status === 'accepted' ? { ...r, hubSeq: r.hubSeq + shift } : r));
  return {
    response: { results, gaps: d.progress.gaps, contiguousSeq: d.progress.contiguousSeq },
    refused: d.refused,
    accepted: 'accepted' in d ? d.accepted : d.write.accepted.length,
    duplicates: d.duplicates,
  };
}

/**
 * Judge a batch on a context (pure): the whole batch refused (a HubError, 403), or each
 * event's status, with what to write. New events are numbered from the context's highest.
 */
function decide(me: StationInfo, items: readonly Item[], basis: ReadonlyMap<string, Cursor>, calendar: WorkCalendar, context: BatchContext): Decision | HubError {
  const known = new Set(context.logged.map((l) => l.event.caseId));
  // A case the hub holds events of, but not its opening (its origin unknown), is opened by this
  // batch when it holds the case's creation: only after the hub lost events (restored from an
  // older backup) do other desks' events on a case reach it before the case itself; refusing
  // the creator then would leave its case without it for good.
  const originUnknown = new Set(context.cases.filter((c) => c.origin_district === null).map((c) => c.case_id));
  const opening = new Set(items.filter((i) => i.kind === 'valid' && opensCase(i.event)).map((i) => (i as Extract<Item, { kind: 'valid' }>).event.caseId));
  const hidden = new Set([...known].filter((id) => !context.grants.has(id) && !(originUnknown.has(id) && opening.has(id))));
  const refusal = forbidden(me, items, hidden);
  if (refusal) return refusal;

  const contiguousBefore = context.contiguousSeq ?? 0;
  const knowledge = new StationKnowledge({
    me,
    logged: context.logged,
    grants: context.grants,
    handedOut: context.handedOut,
    contiguousSeq: contiguousBefore,
    heldAbove: [...context.heldAbove, ...context.refusedAbove],
    calendar,
  });
  const heldById = new Map(context.heldById);
  const heldBySeq = new Map(context.heldBySeq);
  let next = context.maxHubSeq;

  const results: PushResult[] = [];
  const accepted: Array<{ event: RelayEvent; hubSeq: number; content: string }> = [];
  // seq: the station's seq the refusal settles (it will not be sent again), where known
  const refused: Array<RefusedEvent & { content: string; seq: number | null }> = [];
  let duplicates = 0;
  for (const item of items) {
    if (item.kind === 'invalid') {
      results.push({ id: item.id, status: 'rejected', reason: item.reason, code: item.code });
      refused.push({ id: item.id, code: item.code, reason: item.reason, content: item.content, seq: item.seq });
      if (item.seq !== null) knowledge.settled(item.seq);
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
    const illegal = knowledge.refusal(e, basis.get(e.id));
    if (illegal !== null) {
      const reason = `按本站记录此事件时所知的工单情况，${illegal}（事件 ${e.id}，${EVENT_TYPE_LABELS[e.type]}）`;
      results.push({ id: e.id, status: 'rejected', reason, code: 'transition_refused' });
      refused.push({ id: e.id, code: 'transition_refused', reason, content: item.content, seq: e.seq });
      knowledge.settled(e.seq);
      continue;
    }
    const hubSeq = ++next;
    heldById.set(e.id, { hubSeq, content: item.content });
    heldBySeq.set(e.seq, e.id);
    knowledge.accepted(e, hubSeq);
    accepted.push({ event: e, hubSeq, content: item.content });
    results.push({ id: e.id, status: 'accepted', hubSeq });
  }

  // settled: held, or refused for good with a seq the station will not send again; a refusal
  // must not hold the prefix back, or every later push of the station reads all its events
  // above it (the context read grows with the station's history)
  const settledNow = refused.map((r) => r.seq).filter((q): q is number => q !== null);
  const progress = progressFrom(contiguousBefore, [...context.heldAbove, ...context.refusedAbove, ...settledNow, ...accepted.map((a) => a.event.seq)]);
  return {
    results,
    refused: refused.map(({ id, code, reason }) => ({ id, code, reason })),
    duplicates,
    progress,
    write: {
      stationId: me.stationId,
      accepted,
      plan: planCasesAndGrants(me, accepted, context),
      refused,
      progress: context.contiguousSeq === null || progress.contiguousSeq !== contiguousBefore ? progress.contiguousSeq : null,
    },
  };
}
