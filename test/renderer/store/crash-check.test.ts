/**
 * The check after an unclean end (store/crash-check.ts): the marker tells a clean end from an
 * unclean one; after an unclean one, what a torn transaction left (case rows that disagree with
 * the events held, rows lost, counters off, a cursor past lost events) is mended from the events
 * held, and the cursor goes back so the lost events are pulled again. Nothing recorded changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { foldCase, type RelayEvent } from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { checkAfterUncleanEnd, checkAtOpen, closeSession, openSession, SESSION_KEY, tornSigns } from '../../../src-renderer/src/store/crash-check';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { CURSOR_KEY, readCursor } from '../../../src-renderer/src/store/pull-cursor';
import { toCaseState } from '../../../src-renderer/src/store/projection';
import { fullLifecycle, T0 } from '../../domain/fixtures';
import { dump, expectCountersRight, freshDb } from './helpers';

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

/** Three cases pulled in one page, the cursor kept with them (as pull.ts does). */
async function pulledDesk(d: RelayDb) {
  const scripts = [fullLifecycle(T0), fullLifecycle(T0 + 86_400_000), fullLifecycle(T0 + 2 * 86_400_000)];
  const all: RelayEvent[] = scripts.flatMap((s) => s.events);
  await applyExternalEvents(
    d,
    all.map((event, i) => ({ event, hubSeq: i + 1 })),
    undefined,
    { settings: [{ key: CURSOR_KEY, value: String(all.length) }], hubNumbers: true },
  );
  return { scripts, all };
}

describe('the check after an unclean end', () => {
  it('runs only when the last session did not end cleanly, and finds nothing to mend in a whole store', async () => {
    const d = db();
    await pulledDesk(d);
    const first = await checkAtOpen(d);
    expect(first.checked).toBe(false);
    expect(await d.settings.get(SESSION_KEY)).toBeDefined();
    // the session ends cleanly: no check at the next open
    await closeSession(d, first.session);
    expect(await d.settings.get(SESSION_KEY)).toBeUndefined();
    expect((await checkAtOpen(d)).checked).toBe(false);
    // it does not (killed): the next open checks, and a whole store is left exactly as it was
    const before = await dump(d);
    const check = await checkAtOpen(d);
    expect(check).toEqual({ checked: true, refolded: 0, counters: [], rewound: null, signs: [], session: expect.any(String) });
    const after = await dump(d);
    expect({ ...after, settings: after.settings.filter((s) => (s as { key: string }).key !== SESSION_KEY) }).toEqual({
      ...before,
      settings: before.settings.filter((s) => (s as { key: string }).key !== SESSION_KEY),
    });
  });

  it('a reload of the same page is no unclean end: the browser holding the store went on running', async () => {
    const d = db();
    await pulledDesk(d);
    const tab = new Map<string, string>();
    const storage = { getItem: (k: string) => tab.get(k) ?? null, setItem: (k: string, v: string) => void tab.set(k, v) };
    expect((await checkAtOpen(d, storage)).checked).toBe(false);
    // reloaded without the marker removed (pagehide's write did not finish): not checked
    expect((await checkAtOpen(d, storage)).checked).toBe(false);
    // a new browser (a new tab session) after the same: checked
    const later = await checkAtOpen(d, { getItem: () => null, setItem: () => undefined });
    expect(later.checked).toBe(true);

    // two tabs: a second opens while the first is open (its lock held): no check, both marked;
    // the second closes cleanly, and a power cut after it is still seen by the first's mark
    await openSession(d, 'tab-b', new Set([later.session]));
    expect(Object.keys((await d.settings.get(SESSION_KEY))!.value as object).sort()).toEqual([later.session, 'tab-b'].sort());
    await closeSession(d, 'tab-b');
    expect(Object.keys((await d.settings.get(SESSION_KEY))!.value as object)).toEqual([later.session]);
    expect(await openSession(d, 'after-the-cut')).toBe(true);
  });

  it('a tab gone before its mark was removed, while a tab opened before it lives on, is no unclean end; alive only after it, it is', async () => {
    const d = db();
    const at = (iso: string) => new Date(`2026-03-02T${iso}:00.000Z`);
    expect(await openSession(d, 'first', new Set(), at('08:00'))).toBe(false);
    expect(await openSession(d, 'second', new Set(['first']), at('08:05'))).toBe(false);
    // the first reloads: its mark keeps when it first opened
    expect(await openSession(d, 'first', new Set(['second']), at('08:10'))).toBe(false);
    expect(((await d.settings.get(SESSION_KEY))!.value as Record<string, string>).first).toBe(at('08:00').toISOString());
    // the second closes, its pagehide's write unfinished (its mark stays, its lock is gone): the
    // first, open since before it, shows the browser ran on throughout
    expect(await openSession(d, 'third', new Set(['first']), at('08:20'))).toBe(false);
    expect(Object.keys((await d.settings.get(SESSION_KEY))!.value as object).sort()).toEqual(['first', 'third']);

    // after a restart: the browser died with 'old' marked; a tab of the new browser is alive, but
    // it opened after 'old' was marked, so it proves nothing: unclean
    const e = db();
    await openSession(e, 'old', new Set(), at('09:00'));
    await openSession(e, 'new', new Set(), at('09:00'));
    // (the first tab of the new browser would have checked; here its check is left out)
    await e.settings.put({ key: SESSION_KEY, value: { old: at('09:00').toISOString(), new: at('09:30').toISOString() } });
    expect(await openSession(e, 'newer', new Set(['new']), at('09:31'))).toBe(true);
    // a mark whose time cannot be read proves nothing either
    await e.settings.put({ key: SESSION_KEY, value: { odd: 'not a time', alive: at('08:00').toISOString() } });
    expect(await openSession(e, 'another', new Set(['alive']), at('09:40'))).toBe(true);
  });

  it('sees the signs of a torn transaction in the latest writes, and then checks the whole store', async () => {
    const d = db();
    const { scripts } = await pulledDesk(d);
    expect(await tornSigns(d)).toEqual([]);
    // events lost from the middle of the latest writes: a gap in the local numbers, a case short
    await d.events.bulkDelete(scripts[1]!.events.slice(2, 4).map((e) => e.id));
    const signs = await tornSigns(d);
    expect(signs.some((x) => x.includes('missing'))).toBe(true);
    expect(signs.some((x) => x.includes('recent cases disagree'))).toBe(true);
    await checkAtOpen(d);
    const check = await checkAtOpen(d);
    expect(check).toMatchObject({ checked: true, refolded: 1, rewound: String(scripts.flatMap((x) => x.events).length) });
    expect(check.signs!.length).toBeGreaterThan(0);
    // a counter off alone is a sign too
    const d2 = db();
    await pulledDesk(d2);
    await d2.counters.put({ key: 'cases:total', n: 2 });
    expect(await tornSigns(d2)).toEqual(['cases counted 2, rows 3']);
  });

  it('mends what a torn transaction left, from the events held, and pulls again from the start', async () => {
    const d = db();
    const { scripts, all } = await pulledDesk(d);
    const [a, b, c] = scripts as [(typeof scripts)[0], (typeof scripts)[0], (typeof scripts)[0]];
    // a power cut took back the first writes of the page's transaction and kept the rest: two
    // of case A's events, case B's row, and the counters' decrement for nothing
    const lostA = a.events.slice(3, 5).map((e) => e.id);
    await d.events.bulkDelete(lostA);
    await d.cases.delete(b.caseId);
    const eventsBefore = (await d.events.toArray()).map((e) => e.id).sort();

    const check = await checkAfterUncleanEnd(d);
    expect(check.refolded).toBe(2);
    // reported as stored before the check: A, short of two events, is no longer closed
    expect(check.counters).toContainEqual({ key: 'cases:status:closed', kept: 3, rows: 2 });
    expect(check.hidden).toBe(0);
    expect(check.rewound).toBe(String(all.length));
    expect(await readCursor(d)).toBe('0');
    // nothing recorded was touched
    expect((await d.events.toArray()).map((e) => e.id).sort()).toEqual(eventsBefore);
    // A's row is the fold of what is held; B's row is back; C is as it was
    const held = (await d.events.where('caseId').equals(a.caseId).toArray()) as RelayEvent[];
    expect(toCaseState((await d.cases.get(a.caseId))!)).toEqual(foldCase(held));
    expect((await d.cases.get(a.caseId))!.eventCount).toBe(a.events.length - 2);
    expect(toCaseState((await d.cases.get(b.caseId))!)).toEqual(foldCase(b.events));
    expect(toCaseState((await d.cases.get(c.caseId))!)).toEqual(foldCase(c.events));
    await expectCountersRight(d, expect);

    // the next pull from 0 brings back what was lost; every case whole again
    await applyExternalEvents(d, all.map((event, i) => ({ event, hubSeq: i + 1 })), undefined, { hubNumbers: true });
    for (const s of scripts) expect(toCaseState((await d.cases.get(s.caseId))!)).toEqual(foldCase(s.events));
    // and a second check finds nothing
    expect(await checkAfterUncleanEnd(d)).toMatchObject({ refolded: 0, counters: [], rewound: null });
  });

  it('an event held but missing from an index is a sign', async () => {
    const d = db();
    const { scripts } = await pulledDesk(d);
    // fake-indexeddb cannot lose an index entry of a record; a record whose indexed field is
    // absent stands in for one (the store counts it, the index does not). Real torn records are
    // put again by the whole check (reindexMissing), checked on torn Chromium profiles.
    const stored = (await d.events.get(scripts[2]!.events[1]!.id))!;
    const { lseq: _lseq, ...unindexed } = stored;
    await d.events.put(unindexed as typeof stored);
    expect(await tornSigns(d)).toContainEqual(`events held ${await d.events.count()}, in the lseq index ${(await d.events.count()) - 1}`);
    // the same for a case row (its list indexes)
    const d2 = db();
    const { scripts: s2 } = await pulledDesk(d2);
    const row = (await d2.cases.get(s2[0]!.caseId))!;
    const { updatedAt: _updatedAt, ...unlisted } = row;
    await d2.cases.put(unlisted as typeof row);
    expect(await tornSigns(d2)).toEqual(['case rows 3, in the updatedAt index 2']);
  });

  it('counters kept off from their rows are counted again; events whose case has not arrived are no damage', async () => {
    const d = db();
    await pulledDesk(d);
    await d.counters.put({ key: 'cases:total', n: 7 });
    let check = await checkAfterUncleanEnd(d);
    expect(check.counters).toEqual([{ key: 'cases:total', kept: 7, rows: 3 }]);
    await expectCountersRight(d, expect);

    // a case known only by later events (its creation not pulled yet): no row, nothing to mend
    const d2 = db();
    const orphan = fullLifecycle(T0 + 5 * 86_400_000);
    await applyExternalEvents(d2, orphan.events.slice(1).map((event, i) => ({ event, hubSeq: i + 2 })), undefined, { settings: [{ key: CURSOR_KEY, value: '9' }], hubNumbers: true });
    check = await checkAfterUncleanEnd(d2);
    expect(check).toEqual({ checked: true, refolded: 0, hidden: 0, reindexed: 0, counters: [], rewound: null });
    expect(await readCursor(d2)).toBe('9');
  });
});
