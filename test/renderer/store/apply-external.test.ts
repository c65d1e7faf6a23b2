import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { foldCase, HOTLINE_TARGET, intakeCommands, type RelayEvent } from '../../../src-common/domain';
import { applyExternalEvents, canonicalJson, caseRowsOf, ConflictingEventError, heldEvents, sameEventContent } from '../../../src-renderer/src/store/apply-external';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { foldTipOf, toCaseState, toStoredCase } from '../../../src-renderer/src/store/projection';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { CaseScript, COUNTY, createdPayload, fullLifecycle, H12345, P110, stationOf, T0, TO_HOTLINE } from '../../domain/fixtures';
import { dump, expectCountersRight, freshDb, steppingClock } from './helpers';

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

const hubbed = (events: readonly RelayEvent[], from = 1) => events.map((event, i) => ({ event, hubSeq: from + i }));
const unsequenced = (events: readonly RelayEvent[]) => events.map((event) => ({ event }));

describe('applyExternalEvents', () => {
  it('adds new events, folds the case and keeps the counters', async () => {
    const d = db();
    const script = fullLifecycle();
    const result = await applyExternalEvents(d, hubbed(script.events));
    expect(result).toEqual({ added: 9, alreadyHeld: 0, sequenced: 0, casesTouched: 1 });
    const row = (await d.cases.get(script.caseId))!;
    expect(toCaseState(row)).toEqual(foldCase(script.events));
    expect(row).toMatchObject({ status: 'closed', ownerId: H12345.stationId, eventCount: 9 });
    const stored = await d.events.orderBy('lseq').toArray();
    expect(stored.map((e) => e.id)).toEqual(script.events.map((e) => e.id));
    expect(stored.map((e) => e.hubSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stored.map((e) => e.lseq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expectCountersRight(d, expect);
    // events from elsewhere are not this station's to send
    expect(await d.outbox.count()).toBe(0);
  });

  it('skips events it already holds, and changes nothing', async () => {
    const d = db();
    const script = fullLifecycle();
    await applyExternalEvents(d, hubbed(script.events));
    const before = await dump(d);
    const again = await applyExternalEvents(d, hubbed(script.events));
    expect(again).toEqual({ added: 0, alreadyHeld: 9, sequenced: 0, casesTouched: 0 });
    expect(await dump(d)).toEqual(before);
  });

  it('the same event twice in one batch is added once', async () => {
    const d = db();
    const script = fullLifecycle();
    const [a, b] = script.events;
    const result = await applyExternalEvents(d, [{ event: a }, { event: structuredClone(a) }, { event: b }]);
    expect(result).toMatchObject({ added: 2, alreadyHeld: 1 });
    expect(await d.events.count()).toBe(2);
  });

  it('key order and undefined fields do not make an event different', async () => {
    const d = db();
    const script = fullLifecycle();
    await applyExternalEvents(d, unsequenced(script.events.slice(0, 3)));
    const reordered = script.events.slice(0, 3).map((e) => Object.fromEntries(Object.entries(structuredClone(e)).reverse()));
    const result = await applyExternalEvents(d, reordered.map((event) => ({ event })));
    expect(result).toMatchObject({ added: 0, alreadyHeld: 3 });
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, z: null }] })).toBe('{"a":[{"y":2,"z":null}],"b":1}');
    expect(sameEventContent(script.events[0]!, { ...script.events[0]!, operator: '别人' })).toBe(false);
  });

  it('refuses an id it holds with different content, and writes nothing at all', async () => {
    const d = db();
    const script = fullLifecycle();
    await applyExternalEvents(d, hubbed(script.events.slice(0, 5)));
    const before = await dump(d);

    const other = fullLifecycle(T0 + 3_600_000); // a new case, which must not slip in either
    const tampered = structuredClone(script.events[2]!) as RelayEvent<'case.transferred'>;
    tampered.payload.note = '改过的说明';
    const error = await applyExternalEvents(d, [...hubbed(other.events, 100), { event: tampered, hubSeq: 3 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictingEventError);
    expect((error as ConflictingEventError).eventId).toBe(tampered.id);
    expect((error as Error).message).toContain(tampered.id);
    expect((error as Error).message).toMatch(/内容不同/);
    expect(await dump(d)).toEqual(before);
  });

  it('refuses two versions of one id within a batch', async () => {
    const d = db();
    const script = fullLifecycle();
    const twin = { ...structuredClone(script.events[1]!), operator: '另一人' };
    await expect(applyExternalEvents(d, [{ event: script.events[0] }, { event: script.events[1] }, { event: twin }])).rejects.toThrow(ConflictingEventError);
    expect(await d.events.count()).toBe(0);
    expect(await d.cases.count()).toBe(0);
  });

  it('refuses a malformed event by its position, in Chinese, and writes nothing', async () => {
    const d = db();
    const script = fullLifecycle();
    const broken = { ...structuredClone(script.events[1]!), payload: { verdict: '不知道' } };
    const error = await applyExternalEvents(d, [{ event: script.events[0] }, { event: broken }]).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^第 2 条记录无效：/);
    expect((error as Error).message).toContain('甄别结论');
    expect(await dump(d)).toEqual({ events: [], cases: [], outbox: [], settings: [], counters: [] });
  });

  it('attaches the hub sequence to events this station recorded, without adding them again', async () => {
    const d = db();
    const desk = stationOf(P110, 'police110');
    const commands = intakeCommands(
      {
        channel: 'call110', receivedAt: '2026-03-02T07:59:00.000Z', callerName: '张三', callerPhone: '', anonymous: false, confidential: false,
        address: '通达路 1 号', district: '兰山区', nature: 'help', category: null, urgency: 'urgent', description: '停水',
        verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
      },
      desk,
      'P-1',
      new Date('2026-03-02T08:00:00.000Z'),
    );
    const mine = await recordCommands(d, { station: desk, now: steppingClock() }, commands);
    const caseBefore = await d.cases.get(mine[0]!.caseId);
    const outboxBefore = await d.outbox.toArray();

    const result = await applyExternalEvents(d, hubbed(mine, 41));
    expect(result).toEqual({ added: 0, alreadyHeld: 3, sequenced: 3, casesTouched: 1 });
    const stored = await d.events.orderBy('lseq').toArray();
    expect(stored.map((e) => [e.id, e.hubSeq, e.lseq])).toEqual(mine.map((e, i) => [e.id, 41 + i, i + 1]));
    // the case is the same; its row now notes that every event it folds has a hub number
    const caseAfter = (await d.cases.get(mine[0]!.caseId))!;
    expect(toCaseState(caseAfter)).toEqual(toCaseState(caseBefore!));
    expect(caseBefore!.foldTip).toBeUndefined();
    expect(caseAfter.foldTip).toEqual({ hub: 43, seqs: { [desk.stationId]: 3 } });
    expect(await d.outbox.toArray()).toEqual(outboxBefore);
    await expectCountersRight(d, expect);

    // then the hub brings 12345's acknowledgement: 12345 owns the case now
    const ack = new CaseScript(T0, mine[0]!.caseId).add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 30);
    await applyExternalEvents(d, [{ event: ack, hubSeq: 44 }]);
    expect(await d.cases.get(mine[0]!.caseId)).toMatchObject({ status: 'pending', ownerId: H12345.stationId, dueKey: '9999-12-31T23:59:59.999Z' });
    await expectCountersRight(d, expect);

    // and this station goes on recording on top of it, with its own next number
    const [note] = await recordCommands(d, { station: desk }, [{ caseId: mine[0]!.caseId, type: 'case.noteAdded', payload: { text: '已与 12345 电话确认' } }]);
    expect(note!.seq).toBe(4);
    expect((await d.events.get(note!.id))!.lseq).toBe(5);
  });

  it('keeps events that arrive before their case, and folds them in when the creation arrives', async () => {
    const d = db();
    const script = fullLifecycle();
    const [created, ...rest] = script.events;
    const early = await applyExternalEvents(d, hubbed(rest, 2));
    expect(early).toEqual({ added: 8, alreadyHeld: 0, sequenced: 0, casesTouched: 0 });
    expect(await d.cases.count()).toBe(0);
    expect(await d.counters.count()).toBe(0);

    const late = await applyExternalEvents(d, [{ event: created, hubSeq: 1 }]);
    expect(late).toEqual({ added: 1, alreadyHeld: 0, sequenced: 0, casesTouched: 1 });
    const row = (await d.cases.get(script.caseId))!;
    expect(row.eventCount).toBe(9);
    expect(row.status).toBe('closed');
    expect(row.conflicts).toEqual([]);
    expect(toCaseState(row)).toEqual(foldCase(script.events));
    await expectCountersRight(d, expect);
  });

  it('shows two desks acting on the same hand-over while apart as a conflict, and drops nothing', async () => {
    const d = db();
    const s = new CaseScript();
    s.add(P110, 'case.created', createdPayload(P110, 'police110'), 0);
    s.add(P110, 'case.screened', { verdict: 'nonPolice' }, 1);
    s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(31) }, 2);
    const first = s.add(COUNTY, 'case.acknowledged', { of: 'transfer', station: COUNTY }, 5);
    const second = s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 4);
    await applyExternalEvents(d, hubbed(s.events));
    const row = (await d.cases.get(s.caseId))!;
    expect(row.ownerId).toBe(COUNTY.stationId); // the hub's order decides, not the clocks
    expect(row.conflicts.map((c) => c.eventId)).toEqual([second.id]);
    expect(await d.events.count()).toBe(5);
    expect(first.id).not.toBe(second.id);
  });

  it('keeps the counters right across many cases arriving piece by piece', async () => {
    const d = db();
    const scripts = Array.from({ length: 12 }, (_, i) => {
      const s = new CaseScript(T0 + i * 60_000);
      s.add(P110, 'case.created', createdPayload(P110, 'police110', { urgency: i % 3 === 0 ? 'urgent' : 'normal' }), 0);
      s.add(P110, 'case.screened', { verdict: i % 4 === 0 ? 'police' : 'nonPolice' }, 1);
      if (i % 4 === 0) {
        s.add(P110, 'case.closed', {}, 2);
        if (i % 8 === 0) s.add(P110, 'case.reopened', { reason: '再次报警' }, 3);
      } else {
        s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, ackDueBy: s.t(32) }, 2);
        if (i % 2) s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, 3);
      }
      return s;
    });
    // deliver round-robin, one event of each case per batch, so every case passes through statuses
    let hub = 0;
    for (let k = 0; k < 4; k++) {
      const batch = scripts.flatMap((s) => (s.events[k] ? [{ event: s.events[k]!, hubSeq: ++hub }] : []));
      await applyExternalEvents(d, batch);
      await expectCountersRight(d, expect);
    }
    expect((await d.counters.get('cases:total'))?.n).toBe(12);
  });

  it('writes nothing when the extra writes of the same transaction fail', async () => {
    const d = db();
    await applyExternalEvents(d, hubbed(fullLifecycle().events.slice(0, 2)));
    const before = await dump(d);
    await expect(
      applyExternalEvents(d, hubbed(fullLifecycle(T0 + 999_000).events), async () => {
        throw new Error('磁盘写入失败');
      }),
    ).rejects.toThrow('磁盘写入失败');
    expect(await dump(d)).toEqual(before);
  });

  it('applies events that fold after everything held to the case row, without reading its events again', async () => {
    const d = db();
    const script = fullLifecycle();
    const where = vi.spyOn(d.events, 'where');
    // in hub order, three pages
    for (const [from, to] of [[0, 3], [3, 6], [6, 9]] as const) {
      await applyExternalEvents(d, hubbed(script.events.slice(from, to), from + 1));
      const row = (await d.cases.get(script.caseId))!;
      expect(toCaseState(row)).toEqual(foldCase(script.events.slice(0, to)));
      expect(row.foldTip).toEqual(foldTipOf(hubbed(script.events.slice(0, to)).map(({ event, hubSeq }) => ({ ...event, hubSeq }))));
    }
    // only the first page read the case's events (a case new here: none held)
    expect(where.mock.calls.filter(([index]) => (index as unknown) === 'caseId')).toHaveLength(1);
    await expectCountersRight(d, expect);
  });

  it('folds the case again from all its events when new ones do not come after everything held', async () => {
    const d = db();
    const script = fullLifecycle();
    const all = hubbed(script.events);
    // the first three and the last three: the last three fold after the first (applied to the row)
    await applyExternalEvents(d, [...all.slice(0, 3), ...all.slice(6)]);
    expect(toCaseState((await d.cases.get(script.caseId))!)).toEqual(foldCase([...script.events.slice(0, 3), ...script.events.slice(6)]));
    // the middle ones have lower hub numbers than the held ones: a full refold puts them in place
    const where = vi.spyOn(d.events, 'where');
    await applyExternalEvents(d, all.slice(3, 6));
    expect(where.mock.calls.filter(([index]) => (index as unknown) === 'caseId')).toHaveLength(1);
    const row = (await d.cases.get(script.caseId))!;
    expect(toCaseState(row)).toEqual(foldCase(script.events));
    expect(row.status).toBe('closed');
    await expectCountersRight(d, expect);
  });

  it("a station's earlier event numbered late by the hub is folded in its station's order, not applied last", async () => {
    const d = db();
    const [created, screened, transferred] = fullLifecycle().events;
    // the hub got 110's seq 1 and 3 first, its seq 2 after them
    await applyExternalEvents(d, [{ event: created!, hubSeq: 1 }, { event: transferred!, hubSeq: 2 }]);
    await applyExternalEvents(d, [{ event: screened!, hubSeq: 3 }]);
    const row = (await d.cases.get(created!.caseId))!;
    const expected = foldCase([
      { ...created!, hubSeq: 1 },
      { ...transferred!, hubSeq: 2 },
      { ...screened!, hubSeq: 3 },
    ]);
    expect(toCaseState(row)).toEqual(expected);
    // screened before transferred (each station's own sequence): no conflict, the case is with 12345
    expect(row.conflicts).toEqual([]);
    expect(row.status).toBe('transferred');
  });

  it('a case this desk wrote to is folded again when the hub brings more (its row has no tip)', async () => {
    const d = db();
    const script = fullLifecycle();
    await applyExternalEvents(d, hubbed(script.events.slice(0, 4)));
    const desk = stationOf(H12345, 'hotline12345');
    await recordCommands(d, { station: desk, now: steppingClock('2026-03-02T08:06:00.000Z') }, [
      { caseId: script.caseId, type: 'case.noteAdded', payload: { text: '已联系来电人' } },
    ]);
    expect((await d.cases.get(script.caseId))!.foldTip).toBeUndefined();
    const where = vi.spyOn(d.events, 'where');
    await applyExternalEvents(d, hubbed(script.events.slice(4), 5));
    expect(where.mock.calls.filter(([index]) => (index as unknown) === 'caseId')).toHaveLength(1);
    const events = await d.events.where('caseId').equals(script.caseId).toArray();
    expect(toCaseState((await d.cases.get(script.caseId))!)).toEqual(foldCase(events));
    expect((await d.cases.get(script.caseId))!.noteCount).toBe(1);
  });

  it('any delivery of pages, in any order, with or without hub numbers, ends with the rows a full fold gives', async () => {
    const scripts = [fullLifecycle(), fullLifecycle(T0 + 60_000), fullLifecycle(T0 + 120_000)];
    const events = scripts.flatMap((s) => s.events);
    await fc.assert(
      fc.asyncProperty(
        // the hub's order of the events (each station's own events keep their order at the hub or not)
        fc.shuffledSubarray(events.map((_, i) => i), { minLength: events.length, maxLength: events.length }),
        // each event's deliveries: page number, and whether it carries its hub number
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.boolean()), { minLength: events.length, maxLength: events.length }),
        async (hubOrder, deliveries) => {
          const d = freshDb();
          try {
            const hubSeqOf = new Map(hubOrder.map((index, position) => [events[index]!.id, position + 1]));
            const pages: Array<Array<{ event: RelayEvent; hubSeq: number | null }>> = Array.from({ length: 6 }, () => []);
            for (const [i, [page, withHub, twice]] of deliveries.entries()) {
              const e = events[i]!;
              pages[page]!.push({ event: e, hubSeq: withHub ? hubSeqOf.get(e.id)! : null });
              // sometimes again on a later page, this time numbered
              if (twice) pages[Math.min(5, page + 1)]!.push({ event: e, hubSeq: hubSeqOf.get(e.id)! });
            }
            for (const page of pages) if (page.length > 0) await applyExternalEvents(d, page);
            const held = await d.events.toArray();
            for (const s of scripts) {
              const mine = held.filter((e) => e.caseId === s.caseId);
              const state = foldCase(mine);
              const row = await d.cases.get(s.caseId);
              if (!state) {
                expect(row).toBeUndefined();
                continue;
              }
              const { foldTip: _t, ...expected } = toStoredCase(state, foldTipOf(mine));
              const { foldTip, ...actual } = row!;
              expect(actual).toEqual(expected);
              // a tip, when kept, is the one of the events held (a missing tip only costs a refold)
              if (foldTip) expect(foldTip).toEqual(foldTipOf(mine));
            }
            await expectCountersRight(d, expect);
          } finally {
            d.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('finds held events and case rows among a batch the same way one lookup per id would, whatever else the store holds', async () => {
    const scripts = Array.from({ length: 12 }, (_, i) => fullLifecycle(T0 + i * 7 * 60_000));
    const all = scripts.flatMap((s) => s.events);
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(all.map((_, i) => i)),
        fc.subarray(all.map((_, i) => i), { minLength: 1 }),
        async (heldIdx, askIdx) => {
          const d = freshDb();
          try {
            if (heldIdx.length > 0) await d.events.bulkAdd(heldIdx.map((i, n) => ({ ...all[i]!, hubSeq: n + 1, lseq: n + 1 })));
            const ids = [...askIdx.map((i) => all[i]!.id), 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ'];
            expect(await heldEvents(d, ids)).toEqual(await d.events.bulkGet(ids));
            // the same for case rows, keyed by the events' ids here (any ULID keys will do)
            if (heldIdx.length > 0) await d.cases.bulkPut(heldIdx.map((i) => ({ ...toStoredCase(foldCase([all[i - (i % 9)]!])!), id: all[i]!.id })));
            expect(await caseRowsOf(d, ids)).toEqual(await d.cases.bulkGet(ids));
          } finally {
            d.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
