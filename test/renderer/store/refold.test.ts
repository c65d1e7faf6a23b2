/**
 * Reading every event of a set of cases (refold.ts eventsOfCases, keysOfCases): one span read
 * where the cases lie close together, Dexie's anyOf where they are scattered; either way exactly
 * the events anyOf gives, in its order (by case, then id).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayDb, StoredEvent } from '../../../src-renderer/src/store/db';
import { eventsOfCases, keysOfCases } from '../../../src-renderer/src/store/refold';
import { freshDb } from './helpers';

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

const caseId = (n: number) => `C${String(n).padStart(6, '0')}`;

/** `perCase[i]` events of case i (ids unique, not in case order), as stored rows. */
async function fill(d: RelayDb, perCase: readonly number[]): Promise<void> {
  const rows: StoredEvent[] = [];
  let lseq = 0;
  for (const [c, n] of perCase.entries()) {
    for (let k = 0; k < n; k++) {
      lseq++;
      // ids interleave across cases, so index order (case, then id) differs from id order
      const id = `E${String((lseq * 7919) % 1_000_003).padStart(7, '0')}-${lseq}`;
      rows.push({ id, caseId: caseId(c), stationId: 'p110-test', seq: lseq, lseq, hubSeq: null } as unknown as StoredEvent);
    }
  }
  await d.events.bulkAdd(rows);
}

const viaAnyOf = (d: RelayDb, ids: readonly string[]) => d.events.where('caseId').anyOf([...ids]).toArray();

describe('eventsOfCases', () => {
  it('gives exactly what anyOf gives, for any set of cases, close together or scattered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (perCase, picks) => {
          const d = db();
          await fill(d, perCase);
          const ids = [...new Set(picks.map((p) => caseId(p % (perCase.length + 3))))]; // some with no events
          expect((await eventsOfCases(d, ids)).map((e) => e.id)).toEqual((await viaAnyOf(d, ids)).map((e) => e.id));
          d.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads a run of adjacent cases as one span, and only their events', async () => {
    const d = db();
    await fill(d, Array.from({ length: 40 }, () => 3));
    const run = Array.from({ length: 10 }, (_, i) => caseId(i + 5));
    expect(await keysOfCases(d, run)).toHaveLength(30);
    const events = await eventsOfCases(d, run);
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.caseId))).toEqual(new Set(run));
  });

  it('a span holding many other cases’ events is not read: keysOfCases says so, and anyOf answers', async () => {
    const d = db();
    // 4 wanted cases at both ends of 200 cases of 3 events: cap is 4 × 16 + 256 = 320 < 600
    await fill(d, Array.from({ length: 200 }, () => 3));
    const ends = [caseId(0), caseId(1), caseId(198), caseId(199)];
    expect(await keysOfCases(d, ends)).toBeNull();
    const events = await eventsOfCases(d, ends);
    expect(events.map((e) => e.id)).toEqual((await viaAnyOf(d, ends)).map((e) => e.id));
    expect(events).toHaveLength(12);
  });
});
