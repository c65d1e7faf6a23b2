/**
 * casesTheNumbersMayChange: after a push acknowledgement, only the cases it returns are
 * folded again. The claim it rests on: a case it leaves out folds exactly as before the new
 * hub numbers. Checked here on busy multi-desk cases, with some events already numbered,
 * clocks skewed, and new numbers either above everything (the usual delivery) or anywhere.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldCase, type RelayEvent } from '../../../src-common/domain';
import type { StoredEvent } from '../../../src-renderer/src/store/db';
import { casesTheNumbersMayChange } from '../../../src-renderer/src/sync/push';
import { H12345, HEAT, LIFECYCLE, MIN, P110, play, WATER, type Step } from '../../domain/fixtures';

const desks = [P110, H12345, WATER, HEAT];

function busyCase(extra: Array<{ who: number; minute: number }>): RelayEvent[] {
  const steps: Step[] = [...LIFECYCLE];
  for (const x of extra) {
    const by = desks[x.who]!;
    steps.push({ minute: x.minute, record: (s, m) => s.add(by, 'case.noteAdded', { text: `备注 ${m}` }, m) });
  }
  return play(steps).events;
}

const stored = (events: readonly RelayEvent[], hubSeqOf: ReadonlyMap<string, number>): StoredEvent[] =>
  events.map((e, i) => ({ ...e, hubSeq: hubSeqOf.get(e.id) ?? null, lseq: i + 1 }));

describe('casesTheNumbersMayChange', () => {
  it('the usual delivery (a desk’s unnumbered events numbered in order, above all it holds) changes no fold and is skipped', () => {
    const events = busyCase([]);
    // the hub numbered everything of 12345 and the water company; 110's three events are new
    const held = new Map(events.filter((e) => e.stationId !== P110.stationId).map((e, i) => [e.id, 10 + i]));
    const before = stored(events, held);
    const numbers = new Map(events.filter((e) => e.stationId === P110.stationId).map((e, i) => [e.id, 100 + i]));
    expect(casesTheNumbersMayChange(before, numbers, P110.stationId)).toEqual(new Set());
  });

  it('a number below one already held moves the event: the case is folded again', () => {
    const events = busyCase([]);
    const held = new Map(events.filter((e) => e.stationId !== P110.stationId).map((e, i) => [e.id, 10 + i]));
    const before = stored(events, held);
    const mine = events.filter((e) => e.stationId === P110.stationId);
    const numbers = new Map(mine.map((e, i) => [e.id, 1 + i]));
    expect(casesTheNumbersMayChange(before, numbers, P110.stationId)).toEqual(new Set([events[0]!.caseId]));
  });

  it('an earlier event of the desk left unnumbered (refused) while later ones are numbered: folded again', () => {
    const events = busyCase([]).filter((e) => e.stationId === P110.stationId);
    const before = stored(events, new Map());
    const numbers = new Map([[events[0]!.id, 1], [events[2]!.id, 2]]);
    expect(casesTheNumbersMayChange(before, numbers, P110.stationId)).toEqual(new Set([events[0]!.caseId]));
  });

  it('another desk’s unnumbered events in the case: checked the general way', () => {
    const events = busyCase([]);
    const before = stored(events, new Map());
    const numbers = new Map(events.filter((e) => e.stationId === P110.stationId).map((e, i) => [e.id, 1 + i]));
    expect(casesTheNumbersMayChange(before, numbers, P110.stationId)).toEqual(new Set([events[0]!.caseId]));
  });

  it('numbers it was already given change nothing, and cases without new numbers are not looked at', () => {
    const events = busyCase([]);
    const held = new Map(events.map((e, i) => [e.id, 1 + i]));
    expect(casesTheNumbersMayChange(stored(events, held), held, P110.stationId)).toEqual(new Set());
    expect(casesTheNumbersMayChange(stored(events, new Map()), new Map(), P110.stationId)).toEqual(new Set());
  });

  it('a case it leaves out folds exactly as before the new numbers (any numbering, skewed clocks)', () => {
    let skipped = 0;
    let flagged = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ who: fc.integer({ min: 0, max: 3 }), minute: fc.integer({ min: 0, max: 200 }) }), { maxLength: 10 }),
        fc.array(fc.integer({ min: -120, max: 120 }), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 12 }),
        (extra, skews, me, numberedShare, above, randomNumbers, newCount) => {
          const events = busyCase(extra).map((e, i) => ({ ...e, at: new Date(Date.parse(e.at) + skews[i % skews.length]! * MIN).toISOString() }));
          // already numbered: a prefix of each desk's events, numbered 10, 20, 30, ... in time order
          const held = new Map<string, number>();
          const perDesk = new Map<string, number>();
          let n = 0;
          for (const e of events) {
            const k = perDesk.get(e.stationId) ?? 0;
            perDesk.set(e.stationId, k + 1);
            if (k < numberedShare[desks.findIndex((d) => d.stationId === e.stationId)]!) held.set(e.id, (n += 10));
          }
          const mine = desks[me]!.stationId;
          const waiting = events.filter((e) => e.stationId === mine && !held.has(e.id)).sort((a, b) => a.seq - b.seq);
          const numbered = waiting.slice(0, newCount);
          const numbers = new Map<string, number>();
          const used = new Set(held.values());
          for (const [i, e] of numbered.entries()) {
            let v = above ? n + 1 + i : randomNumbers[i % randomNumbers.length]! + i * 401;
            while (used.has(v)) v++;
            used.add(v);
            numbers.set(e.id, v);
          }
          const before = stored(events, held);
          const after = before.map((e) => (numbers.has(e.id) ? { ...e, hubSeq: numbers.get(e.id)! } : e));
          const flaggedNow = casesTheNumbersMayChange(before, numbers, mine);
          if (flaggedNow.size === 0) {
            if (numbers.size > 0) skipped++;
            expect(foldCase(after)).toEqual(foldCase(before));
          } else flagged++;
        },
      ),
      { numRuns: 400 },
    );
    // both ways were taken (the check is not vacuous)
    expect(skipped).toBeGreaterThan(20);
    expect(flagged).toBeGreaterThan(20);
  });
});
