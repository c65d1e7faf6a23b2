/**
 * pushOutbox and applyPushResponse against an in-memory hub (a fake HubClient that numbers
 * events the way the real hub does: by id, once, in arrival order), on the real store:
 * - what an acknowledgement writes: the numbers in one hubAcks row, the event rows untouched,
 *   the outbox rows gone (one key range, or one by one when the range holds others);
 * - the pipeline: batch n+1 goes out as soon as batch n is answered, before n's answer is
 *   recorded; one request at a time; a failure anywhere leaves everything unrecorded queued;
 * - answers that leave something behind (gaps, unanswered events) stop the pipeline: the loop
 *   records the answer and starts again from the head of the outbox.
 * The fault suite (test/sync) runs the same code against the real hub over HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, foldCase, intakeCommands, type IntakeDraft, type RelayEvent, type Station } from '../../../src-common/domain';
import type { PushResponse, PushResult } from '../../../src-common/protocol/v1';
import { COUNTER } from '../../../src-renderer/src/store/counters';
import type { RelayDb, StoredEvent } from '../../../src-renderer/src/store/db';
import { acknowledgedBases, countSequenced, readAllEvents, readRenumbered, renumberedRow } from '../../../src-renderer/src/store/hub-seqs';
import { toCaseState } from '../../../src-renderer/src/store/projection';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { HubError, type HubClient } from '../../../src-renderer/src/sync/hub-client';
import { CURSOR_KEY } from '../../../src-renderer/src/store/pull-cursor';
import { applyPushResponse, pushOutbox, type SentRows } from '../../../src-renderer/src/sync/push';
import { CaseScript, H12345, P110, stationOf, T0 } from '../../domain/fixtures';
import { expectCountersRight, freshDb, steppingClock } from '../store/helpers';

const desk: Station = stationOf(P110, 'police110', '王强');

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function draft(i: number): IntakeDraft {
  return {
    channel: 'call110', receivedAt: '2026-03-02T08:00:00.000Z', callerName: '张三', callerPhone: '13912345678', anonymous: false, confidential: false,
    address: `通达路 ${i} 号`, district: '兰山区', nature: 'help', category: 'utility.water', urgency: i % 2 ? 'urgent' : 'normal',
    description: `第 ${i} 起停水`, verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
  };
}

/** `n` intakes (3 events each) recorded offline, in one transaction per intake. */
async function recordIntakes(d: RelayDb, n: number): Promise<RelayEvent[]> {
  const clock = steppingClock();
  const out: RelayEvent[] = [];
  for (let i = 1; i <= n; i++) out.push(...(await recordCommands(d, { station: desk, now: clock }, intakeCommands(draft(i), desk, `A-${i}`, clock()))));
  return out;
}

type Step = { send: number; ids: string[] } | { recorded: number };

/** The hub, in memory: numbers each new id once, answers duplicates with the first number. */
class FakeHub implements HubClient {
  readonly held = new Map<string, number>();
  readonly sent: string[][] = [];
  /** the basis each push carried (event id → the pull cursor it was recorded at) */
  readonly bases: Array<Record<string, string>> = [];
  readonly timeline: Step[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** per call (1-based): make the call fail, or rewrite the answer */
  fail = new Map<number, HubError>();
  rewrite = new Map<number, (r: PushResponse) => PushResponse>();

  health(): never {
    throw new Error('not used');
  }
  me(): never {
    throw new Error('not used');
  }
  calendar(): never {
    throw new Error('not used');
  }
  pull(): never {
    throw new Error('not used');
  }
  async push(events: unknown[], basis: Record<string, string> = {}): Promise<PushResponse> {
    const n = this.sent.length + 1;
    const ids = events.map((e) => String((e as { id: string }).id));
    this.sent.push(ids);
    this.bases.push(basis);
    this.timeline.push({ send: n, ids });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const failure = this.fail.get(n);
      if (failure) throw failure;
      const results: PushResult[] = ids.map((id) => {
        const had = this.held.get(id);
        if (had !== undefined) return { id, status: 'duplicate', hubSeq: had };
        const hubSeq = this.held.size + 1;
        this.held.set(id, hubSeq);
        return { id, status: 'accepted', hubSeq };
      });
      const response: PushResponse = { results, gaps: [], contiguousSeq: 0 };
      return this.rewrite.get(n)?.(response) ?? response;
    } finally {
      this.inFlight--;
    }
  }
}

/** Log every acknowledgement row written, in the hub's timeline. */
function watchAcks(d: RelayDb, hub: FakeHub): void {
  let recorded = 0;
  d.hubAcks.hook('creating', () => {
    hub.timeline.push({ recorded: ++recorded });
  });
}

async function outboxIds(d: RelayDb): Promise<string[]> {
  return (await d.outbox.orderBy('lseq').toArray()).map((r) => r.eventId);
}

describe('recording the hub’s answer', () => {
  it('writes the numbers in one hubAcks row and leaves the event rows as they were', async () => {
    const d = db();
    const events = await recordIntakes(d, 4);
    const rowsBefore = await d.events.toArray();
    const hub = new FakeHub();
    const summary = await pushOutbox(d, hub, desk.stationId);
    expect(summary).toMatchObject({ batches: 1, accepted: 12, duplicates: 0, rejected: 0, requeued: 0 });
    expect(await d.events.toArray()).toEqual(rowsBefore); // no row rewritten: hubSeq still null on the rows
    const acks = await d.hubAcks.toArray();
    expect(acks).toHaveLength(1);
    expect(acks[0]!.ids).toEqual(events.map((e) => e.id));
    expect(acks[0]!.hubSeqs).toEqual(events.map((_, i) => i + 1));
    // every reader sees the numbers
    const held = await readAllEvents(d);
    expect(Object.fromEntries(held.map((e) => [e.id, e.hubSeq]))).toEqual(Object.fromEntries(events.map((e, i) => [e.id, i + 1])));
    expect(await countSequenced(d)).toBe(12);
    expect(await outboxIds(d)).toEqual([]);
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(0);
    await expectCountersRight(d, expect);
  });

  it('an event row that already carries a different number is rewritten; an equal one is left alone', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    const [a, b] = events as [RelayEvent, RelayEvent, RelayEvent];
    // a pull numbered a (7) and b (8) while they were still queued
    await d.events.update(a.id, { hubSeq: 7 });
    await d.events.update(b.id, { hubSeq: 8 });
    const response: PushResponse = {
      results: events.map((e, i) => ({ id: e.id, status: 'duplicate' as const, hubSeq: i === 0 ? 7 : 20 + i })),
      gaps: [],
      contiguousSeq: 0,
    };
    await applyPushResponse(d, response, desk.stationId, events as unknown as Array<Record<string, unknown>>);
    const rows = new Map((await d.events.toArray()).map((e) => [e.id, e]));
    expect(rows.get(a.id)!.hubSeq).toBe(7);
    expect(rows.get(b.id)!.hubSeq).toBe(21); // the hub's answer wins, on the row that held the old one
    expect(rows.get(events[2]!.id)!.hubSeq).toBeNull();
    const acks = await d.hubAcks.toArray();
    expect(acks.map((r) => [r.ids, r.hubSeqs])).toEqual([[[events[2]!.id], [22]]]);
    const merged = new Map((await readAllEvents(d)).map((e) => [e.id, e.hubSeq]));
    expect([...merged.values()]).toEqual([7, 21, 22]);
  });

  it('outbox rows inside the settled ids’ key range that the hub did not answer stay queued', async () => {
    const d = db();
    const events = await recordIntakes(d, 2);
    const ids = events.map((e) => e.id);
    const byId = [...ids].sort();
    // answer the lowest and highest id only: everything between them is in the key range but unanswered
    const answered = [byId[0]!, byId[byId.length - 1]!];
    const response: PushResponse = { results: answered.map((id, i) => ({ id, status: 'accepted' as const, hubSeq: i + 1 })), gaps: [], contiguousSeq: 0 };
    const r = await applyPushResponse(d, response, desk.stationId);
    expect(r).toEqual({ accepted: 2, duplicates: 0, rejected: 0, requeued: 0 });
    expect(new Set(await outboxIds(d))).toEqual(new Set(ids.filter((id) => !answered.includes(id))));
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(4);
    await expectCountersRight(d, expect);
  });

  it('a settled id no longer queued is not counted twice', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    await d.outbox.delete(events[1]!.id);
    await d.counters.put({ key: COUNTER.outbox, n: 2 });
    const response: PushResponse = { results: events.map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: i + 1 })), gaps: [], contiguousSeq: 0 };
    await applyPushResponse(d, response, desk.stationId);
    expect(await d.outbox.count()).toBe(0);
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(0);
  });

  it('a refused event is kept, shown, and counted; the rest of its case is numbered', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    const response: PushResponse = {
      results: [
        { id: events[0]!.id, status: 'accepted', hubSeq: 1 },
        { id: events[1]!.id, status: 'rejected', code: 'invalid_event', reason: '格式不对' },
        { id: events[2]!.id, status: 'accepted', hubSeq: 2 },
      ],
      gaps: [],
      contiguousSeq: 0,
    };
    await applyPushResponse(d, response, desk.stationId);
    expect(await d.rejected.toArray()).toMatchObject([{ eventId: events[1]!.id, code: 'invalid_event' }]);
    expect((await d.counters.get(COUNTER.rejected))?.n).toBe(1);
    expect(await d.events.count()).toBe(3);
    expect((await readAllEvents(d)).map((e) => e.hubSeq)).toEqual([1, null, 2]);
    expect(await d.outbox.count()).toBe(0);
  });
});

describe('recording an answer against the rows as sent', () => {
  /** the rows of `events` as the store holds them, as a batch read would have them */
  async function asSent(d: RelayDb, events: readonly RelayEvent[]): Promise<SentRows> {
    const rows = (await d.events.bulkGet(events.map((e) => e.id))) as StoredEvent[];
    return { rows, renumbered: await readRenumbered(d) };
  }
  const answerAll = (events: readonly RelayEvent[]): PushResponse => ({
    results: events.map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: i + 1 })),
    gaps: [],
    contiguousSeq: 0,
  });

  it('while no row was renumbered, the rows as sent are taken as held (not read again)', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    const sent = await asSent(d, events);
    // stand-in: the second row, as this batch read it, carried a number (the store's has none)
    sent.rows[1] = { ...sent.rows[1]!, hubSeq: 999 };
    await applyPushResponse(d, answerAll(events), desk.stationId, events as unknown as Array<Record<string, unknown>>, {}, sent);
    const rows = new Map((await d.events.toArray()).map((e) => [e.id, e.hubSeq]));
    // recorded as for a row holding 999: the row rewritten with the answer's number
    expect(rows.get(events[1]!.id)).toBe(2);
    expect((await d.hubAcks.toArray()).map((r) => r.ids)).toEqual([[events[0]!.id, events[2]!.id]]);
    expect(await readRenumbered(d)).toBe(1);
  });

  it('once a row was renumbered after the batch was read, the cases’ events are read again', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    const sent = await asSent(d, events);
    sent.rows[1] = { ...sent.rows[1]!, hubSeq: 999 };
    await d.settings.put(renumberedRow(sent.renumbered));
    await applyPushResponse(d, answerAll(events), desk.stationId, events as unknown as Array<Record<string, unknown>>, {}, sent);
    // the store's rows, as they are: none numbered, so every number goes to the acknowledgement
    expect((await d.events.toArray()).map((e) => e.hubSeq)).toEqual([null, null, null]);
    expect((await d.hubAcks.toArray()).map((r) => r.ids)).toEqual([events.map((e) => e.id)]);
    expect((await readAllEvents(d)).map((e) => e.hubSeq)).toEqual([1, 2, 3]);
  });

  it('a pull that numbers a sent event while its push is at the hub counts a renumbering: the answer then wins on the row', async () => {
    const d = db();
    const events = await recordIntakes(d, 2);
    const hub = new FakeHub();
    const push = hub.push.bind(hub);
    hub.push = async (batch, basis) => {
      // a pull brings the first event back with another number (a hub restored from a backup)
      if (hub.sent.length === 0) await applyExternalEvents(d, [{ event: events[0]!, hubSeq: 50 }], undefined, { hubNumbers: true });
      return push(batch, basis);
    };
    expect(await readRenumbered(d)).toBe(0);
    await pushOutbox(d, hub, desk.stationId);
    expect(await readRenumbered(d)).toBe(2); // the pull's, then the answer's rewrite
    const held = new Map((await readAllEvents(d)).map((e) => [e.id, e.hubSeq]));
    expect(held.get(events[0]!.id)).toBe(1);
    expect([...held.values()]).toEqual([1, 2, 3, 4, 5, 6]);
    await expectCountersRight(d, expect);
  });

  it('an event recorded on a sent case while its push is at the hub is part of the case when the answer is recorded', async () => {
    const d = db();
    const events = await recordIntakes(d, 3);
    const caseId = events[3]!.caseId;
    const hub = new FakeHub();
    const push = hub.push.bind(hub);
    let note: RelayEvent[] = [];
    hub.push = async (batch, basis) => {
      if (hub.sent.length === 0) note = await recordCommands(d, { station: desk }, [{ caseId, type: 'case.noteAdded', payload: { text: '来电人补充门牌号' } }]);
      return push(batch, basis);
    };
    await pushOutbox(d, hub, desk.stationId, { maxEvents: 6 });
    expect(note).toHaveLength(1);
    expect(hub.sent.map((b) => b.length)).toEqual([6, 4]);
    const all = await readAllEvents(d);
    expect(all.every((e) => e.hubSeq !== null)).toBe(true);
    // the case row is the fold of all its events, the note among them
    const row = await d.cases.get(caseId);
    expect(toCaseState(row!)).toEqual(foldCase(all.filter((e) => e.caseId === caseId)));
    expect(row).toMatchObject({ noteCount: 1, eventCount: 4, lastEventId: note[0]!.id });
    await expectCountersRight(d, expect);
  });

  it('another desk’s event pulled onto a sent case while its push is at the hub counts in the fold check', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    const caseId = events[0]!.caseId;
    const sent = await asSent(d, events);
    // meanwhile a pull brings 12345's acknowledgement of the transfer, numbered after them
    const ack = new CaseScript(T0, caseId).add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 30);
    await applyExternalEvents(d, [{ event: ack, hubSeq: 4 }], undefined, { hubNumbers: true });
    expect(await readRenumbered(d)).toBe(sent.renumbered); // an added event renumbers nothing
    const held = await d.cases.get(caseId);
    expect(held!.ownerId).toBe(desk.stationId); // folded before our unnumbered events: not 12345's yet
    await applyPushResponse(d, answerAll(events), desk.stationId, events as unknown as Array<Record<string, unknown>>, {}, sent);
    // in hub order the acknowledgement comes last: the case is folded again, 12345 owns it
    const all = (await readAllEvents(d)).filter((e) => e.caseId === caseId);
    expect(all.map((e) => e.hubSeq)).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    const row = await d.cases.get(caseId);
    expect(toCaseState(row!)).toEqual(foldCase(all));
    expect(row).toMatchObject({ status: 'pending', ownerId: H12345.stationId });
    await expectCountersRight(d, expect);
  });

  it('applying pulled events counts a renumbering only when a held row takes a number', async () => {
    const d = db();
    const events = await recordIntakes(d, 1);
    // nothing held numbered: none counted
    await applyExternalEvents(d, [], undefined, { hubNumbers: true });
    expect(await readRenumbered(d)).toBe(0);
    await applyExternalEvents(d, [{ event: events[0]!, hubSeq: 7 }], undefined, { hubNumbers: true });
    expect(await readRenumbered(d)).toBe(1);
    // the same number again: nothing rewritten, nothing counted
    await applyExternalEvents(d, [{ event: events[0]!, hubSeq: 7 }], undefined, { hubNumbers: true });
    expect(await readRenumbered(d)).toBe(1);
  });
});

describe('the pipeline', () => {
  it('sends batch n+1 as soon as batch n is answered, before n is recorded; one request at a time, in outbox order', async () => {
    const d = db();
    const events = await recordIntakes(d, 10); // 30 events, batches of 7
    const hub = new FakeHub();
    watchAcks(d, hub);
    const summary = await pushOutbox(d, hub, desk.stationId, { maxEvents: 7 });
    expect(summary).toMatchObject({ batches: 5, accepted: 30, duplicates: 0 });
    expect(hub.maxInFlight).toBe(1);
    expect(hub.sent.flat()).toEqual(events.map((e) => e.id));
    expect(hub.timeline.map((s) => ('send' in s ? `send ${s.send}` : `recorded ${s.recorded}`))).toEqual([
      'send 1', 'send 2', 'recorded 1', 'send 3', 'recorded 2', 'send 4', 'recorded 3', 'send 5', 'recorded 4', 'recorded 5',
    ]);
    expect(await outboxIds(d)).toEqual([]);
    expect(await countSequenced(d)).toBe(30);
    await expectCountersRight(d, expect);
  });

  it('the hub fails on batch 3 while batch 2 is recorded: 1 and 2 settled, the rest queued; the next push sends the rest once', async () => {
    const d = db();
    const events = await recordIntakes(d, 10);
    const ids = events.map((e) => e.id);
    const hub = new FakeHub();
    hub.fail.set(3, new HubError('network', 'fetch failed'));
    const failed = await pushOutbox(d, hub, desk.stationId, { maxEvents: 7 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HubError);
    expect(await outboxIds(d)).toEqual(ids.slice(14));
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(16);
    expect((await readAllEvents(d)).filter((e) => e.hubSeq !== null).map((e) => e.id).sort()).toEqual(ids.slice(0, 14).sort());
    hub.fail.clear();
    await pushOutbox(d, hub, desk.stationId, { maxEvents: 7 });
    expect(hub.held.size).toBe(30);
    expect(hub.sent.slice(3).flat()).toEqual(ids.slice(14)); // nothing settled went again
    expect(await outboxIds(d)).toEqual([]);
    await expectCountersRight(d, expect);
  });

  it('recording batch 1 fails after batch 2 went out: everything stays queued; the re-send gets duplicates with the same numbers', async () => {
    const d = db();
    const events = await recordIntakes(d, 5);
    const ids = events.map((e) => e.id);
    const hub = new FakeHub();
    const boom = new Error('disk full');
    const unsubscribe = (): void => {
      d.hubAcks.hook('creating').unsubscribe(fail);
    };
    function fail(): void {
      throw boom;
    }
    d.hubAcks.hook('creating', fail);
    const failed = await pushOutbox(d, hub, desk.stationId, { maxEvents: 6 }).catch((e: unknown) => e);
    expect(failed).toBe(boom);
    expect(hub.sent).toHaveLength(2); // batch 2 was in flight when the recording failed; nothing after it
    expect(await outboxIds(d)).toEqual(ids);
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(15);
    expect(await countSequenced(d)).toBe(0);
    unsubscribe();
    const first = new Map(hub.held);
    const summary = await pushOutbox(d, hub, desk.stationId, { maxEvents: 6 });
    expect(summary).toMatchObject({ accepted: 3, duplicates: 12 });
    expect(hub.held.size).toBe(15);
    const numbers = new Map((await readAllEvents(d)).map((e) => [e.id, e.hubSeq]));
    for (const [id, n] of first) expect(numbers.get(id)).toBe(n);
    expect(await outboxIds(d)).toEqual([]);
    await expectCountersRight(d, expect);
  });

  it('an answer with a gap is recorded before anything else goes out, and the loop starts again from the head of the outbox', async () => {
    const d = db();
    const events = await recordIntakes(d, 4); // 12 events
    const ids = events.map((e) => e.id);
    const hub = new FakeHub();
    watchAcks(d, hub);
    // batch 1 is settled, but the hub says it lacks our seq 1..2: they go back into the outbox
    hub.rewrite.set(1, (r) => ({ ...r, gaps: [{ from: 1, to: 2 }] }));
    const summary = await pushOutbox(d, hub, desk.stationId, { maxEvents: 5 });
    expect(summary.requeued).toBe(2);
    const steps = hub.timeline.map((s) => ('send' in s ? `send ${s.send}` : `recorded ${s.recorded}`));
    expect(steps.slice(0, 3)).toEqual(['send 1', 'recorded 1', 'send 2']);
    expect(hub.sent[1]!.slice(0, 2)).toEqual(ids.slice(0, 2)); // the re-queued events first
    expect(hub.held.size).toBe(12);
    expect(await outboxIds(d)).toEqual([]);
    await expectCountersRight(d, expect);
  });

  it('events sent again for a gap carry the pull cursor they were recorded at, kept by their acknowledgement', async () => {
    const d = db();
    await d.settings.put({ key: CURSOR_KEY, value: '42' });
    const early = await recordIntakes(d, 2);
    // the desk pulls on before it records more
    await d.settings.put({ key: CURSOR_KEY, value: '99' });
    const late = await recordIntakes(d, 1);
    const hub = new FakeHub();
    // the hub numbers all nine, then says it lacks this desk's seq 1..2 (restored from an older backup)
    hub.rewrite.set(1, (r) => ({ ...r, gaps: [{ from: 1, to: 2 }] }));
    const summary = await pushOutbox(d, hub, desk.stationId, { maxEvents: 9 });
    expect(summary.requeued).toBe(2);
    expect(hub.bases[0]).toEqual({ ...Object.fromEntries(early.map((e) => [e.id, '42'])), ...Object.fromEntries(late.map((e) => [e.id, '99'])) });
    expect(hub.sent[1]).toEqual(early.slice(0, 2).map((e) => e.id));
    expect(hub.bases[1]).toEqual(Object.fromEntries(early.slice(0, 2).map((e) => [e.id, '42'])));
    expect(await outboxIds(d)).toEqual([]);
  });

  it('an event a pull numbered while it was still queued keeps its recorded pull cursor when its push is acknowledged', async () => {
    const d = db();
    await d.settings.put({ key: CURSOR_KEY, value: '5' });
    const events = await recordIntakes(d, 1);
    // the hub numbered the first (a push whose answer was lost) and a pull brought it back
    await applyExternalEvents(d, [{ event: events[0]!, hubSeq: 1 }], undefined, { hubNumbers: true });
    const bases = Object.fromEntries((await d.outbox.toArray()).map((o) => [o.eventId, o.basis!]));
    await applyPushResponse(
      d,
      {
        results: [
          { id: events[0]!.id, status: 'duplicate', hubSeq: 1 },
          { id: events[1]!.id, status: 'accepted', hubSeq: 2 },
          { id: events[2]!.id, status: 'accepted', hubSeq: 3 },
        ],
        gaps: [],
        contiguousSeq: 3,
      },
      desk.stationId,
      events as unknown as Array<Record<string, unknown>>,
      bases,
    );
    expect(await d.outbox.count()).toBe(0);
    expect(await acknowledgedBases(d, events.map((e) => e.id))).toEqual(new Map(events.map((e) => [e.id, '5'])));
    // and the numbers are what the hub said, whichever place holds them
    expect((await readAllEvents(d)).map((e) => e.hubSeq)).toEqual([1, 2, 3]);
  });

  it('an answer that leaves events unanswered: they stay queued and go again first; a hub that never answers them stops the loop', async () => {
    const d = db();
    const events = await recordIntakes(d, 4);
    const ids = events.map((e) => e.id);
    const hub = new FakeHub();
    hub.rewrite.set(1, (r) => ({ ...r, results: r.results.slice(0, 3) }));
    await pushOutbox(d, hub, desk.stationId, { maxEvents: 5 });
    expect(hub.sent[1]!.slice(0, 2)).toEqual(ids.slice(3, 5));
    expect(await outboxIds(d)).toEqual([]);

    const d2 = db();
    await recordIntakes(d2, 2);
    const mute = new FakeHub();
    for (let n = 1; n <= 10; n++) mute.rewrite.set(n, (r) => ({ ...r, results: [] }));
    const stopped = await pushOutbox(d2, mute, desk.stationId, { maxEvents: 4 }).catch((e: unknown) => e);
    expect(String((stopped as Error).message)).toContain('中心未确认本批任何记录');
    expect(mute.sent.length).toBeLessThanOrEqual(3);
    expect(await d2.outbox.count()).toBe(6);
  });

  it('events recorded while the push runs go out in the same push', async () => {
    const d = db();
    await recordIntakes(d, 4);
    const hub = new FakeHub();
    let recordedMeanwhile: RelayEvent[] = [];
    const push = hub.push.bind(hub);
    hub.push = async (events) => {
      if (hub.sent.length === 0) recordedMeanwhile = await recordCommands(d, { station: desk }, intakeCommands(draft(99), desk, 'A-99', new Date()));
      return push(events);
    };
    await pushOutbox(d, hub, desk.stationId, { maxEvents: 5 });
    expect(recordedMeanwhile).toHaveLength(3);
    expect(hub.held.size).toBe(15);
    expect(await d.outbox.count()).toBe(0);
    const numbered = (await readAllEvents(d)).filter((e: StoredEvent) => e.hubSeq !== null);
    expect(numbered).toHaveLength(15);
    await expectCountersRight(d, expect);
  });
});
