import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { caseSearchTerms, HOTLINE_TARGET, intakeCommands, type Command, type IntakeDraft } from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import { RelayDb, TERMS_INDEXED_TO_KEY } from '../../../src-renderer/src/store/db';
import { fillDemoData } from '../../../src-renderer/src/store/demo-fill';
import { likelyDuplicates } from '../../../src-renderer/src/store/duplicate-candidates';
import { queryCasePage } from '../../../src-renderer/src/store/list-query';
import { openDb } from '../../../src-renderer/src/store/open-db';
import { AUTO_CASE_NO, recordCommands } from '../../../src-renderer/src/store/record';
import { termsIndexingIdle } from '../../../src-renderer/src/store/terms-index';
import { fullLifecycle, P110, stationOf } from '../../domain/fixtures';
import { steppingClock } from './helpers';

const desk = stationOf(P110, 'police110');
const opened: RelayDb[] = [];
function open(name: string, factory: IDBFactory): RelayDb {
  const d = new RelayDb(name, { indexedDB: factory, IDBKeyRange });
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  vi.restoreAllMocks();
});

function draft(description: string, phone = '13905391234'): IntakeDraft {
  return {
    channel: 'call110', receivedAt: '2026-03-02T07:59:00.000Z', callerName: '李四', callerPhone: phone, anonymous: false, confidential: false,
    address: '兰山区解放路 12 号凤凰城小区', district: '兰山区', nature: 'help', category: 'utility.water', urgency: 'urgent', description,
    verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
  };
}

const intake = (description: string, phone?: string): Command[] =>
  intakeCommands(draft(description, phone), desk, AUTO_CASE_NO, new Date('2026-03-02T08:00:00.000Z'));

const watermark = async (d: RelayDb) => (await d.termsState.get(TERMS_INDEXED_TO_KEY))?.value;
const search = async (d: RelayDb, text: string) => (await queryCasePage(d, { search: text }, { key: 'updatedAt', dir: 'desc' })).rows.map((r) => r.id);

/** Make the follow-up that writes search terms fail, as if the power went right after the save. */
function cutPowerBeforeIndexing(d: RelayDb) {
  const real = d.transaction.bind(d) as (...args: unknown[]) => unknown;
  return vi.spyOn(d, 'transaction').mockImplementation(((...args: unknown[]) => {
    const tables = args[1];
    const names = (Array.isArray(tables) ? tables : [tables]).map((t) => (typeof t === 'string' ? t : (t as { name: string }).name));
    // the only transaction writing caseTerms without touching the outbox is the follow-up (search reads it)
    if (args[0] !== 'r' && names.includes('caseTerms') && !names.includes('outbox')) return Promise.reject(new Error('power cut'));
    return real(...args);
  }) as never);
}

describe('search terms, written after the save', () => {
  it('the list shows a saved case at once; search finds it once its terms are indexed', async () => {
    const d = open('a', new IDBFactory());
    const [created] = await recordCommands(d, { station: desk, now: steppingClock() }, intake('小区主水管爆裂，整栋楼停水'));
    const caseId = created!.caseId;
    // the case row is in the strict save: the unfiltered list has it right away
    expect((await queryCasePage(d, {}, { key: 'updatedAt', dir: 'desc' })).rows.map((r) => r.id)).toEqual([caseId]);
    await termsIndexingIdle(d);
    const row = (await d.cases.get(caseId))!;
    expect(await d.caseTerms.get(caseId)).toEqual({ caseId, terms: caseSearchTerms(row) });
    expect(await search(d, '停水')).toEqual([caseId]);
    expect(await search(d, row.caseNo)).toEqual([caseId]);
    expect(await search(d, '路灯')).toEqual([]);
    expect(await watermark(d)).toBe(3);
  });

  it('a recording that creates no case moves the watermark in its own transaction', async () => {
    const d = open('b', new IDBFactory());
    const [created] = await recordCommands(d, { station: desk, now: steppingClock() }, intake('停水'));
    await termsIndexingIdle(d);
    await recordCommands(d, { station: desk, now: steppingClock() }, [{ caseId: created!.caseId, type: 'case.noteAdded', payload: { text: '再次来电催促' } }]);
    // no follow-up awaited: written with the note itself
    expect(await watermark(d)).toBe(4);
    expect(await d.caseTerms.count()).toBe(1);
  });

  it('a crash between the save and its follow-up: the case and its events are kept, and the next open indexes it', async () => {
    const factory = new IDBFactory();
    const d = open('crash', factory);
    const spy = cutPowerBeforeIndexing(d);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const [created] = await recordCommands(d, { station: desk, now: steppingClock() }, intake('燃气泄漏，楼道有异味', '13800001111'));
    await termsIndexingIdle(d);
    expect(spy).toHaveBeenCalled();
    const caseId = created!.caseId;
    // the recorded data is all there; only the derived search terms are missing
    expect(await d.events.where('caseId').equals(caseId).count()).toBe(3);
    expect(await d.outbox.count()).toBe(3);
    expect(await d.cases.get(caseId)).toBeDefined();
    expect(await d.caseTerms.get(caseId)).toBeUndefined();
    expect(await watermark(d)).toBeUndefined();
    expect(await search(d, '燃气')).toEqual([]);
    d.close();

    const again = await openDb(open('crash', factory), 50);
    expect(await again.caseTerms.get(caseId)).toEqual({ caseId, terms: (await again.cases.get(caseId))!.terms });
    expect(await search(again, '燃气')).toEqual([caseId]);
    expect(await watermark(again)).toBe(3);
    // duplicate candidates read the same terms
    const dup = await likelyDuplicates(
      again,
      { callerPhone: '13800001111', address: '', category: null, district: '兰山区' },
      Date.parse('2026-03-02T08:10:00.000Z'),
    );
    expect(dup.map((m) => m.candidate.id)).toEqual([caseId]);
  });

  it('a missed follow-up is caught up by the next one, which reads the events it missed', async () => {
    const d = open('c', new IDBFactory());
    const spy = cutPowerBeforeIndexing(d);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const [first] = await recordCommands(d, { station: desk, now: steppingClock() }, intake('路灯不亮'));
    await termsIndexingIdle(d);
    spy.mockRestore();
    expect(await d.caseTerms.count()).toBe(0);
    // a note, then a pull, while the terms are behind: neither can move the watermark on its own
    await recordCommands(d, { station: desk, now: steppingClock() }, [{ caseId: first!.caseId, type: 'case.noteAdded', payload: { text: '补记' } }]);
    expect(await watermark(d)).toBeUndefined();
    const pulled = fullLifecycle();
    await applyExternalEvents(d, pulled.events.map((event, i) => ({ event, hubSeq: i + 1 })));
    await termsIndexingIdle(d);
    const [second] = await recordCommands(d, { station: desk, now: steppingClock() }, intake('井盖丢失'));
    await termsIndexingIdle(d);
    expect(await search(d, '路灯')).toEqual([first!.caseId]);
    expect(await search(d, '井盖')).toEqual([second!.caseId]);
    expect(await search(d, '停水')).toEqual([pulled.caseId]);
    expect(await watermark(d)).toBe(3 + 1 + 9 + 3);
  });

  it('pulled cases are searchable once the pull pauses; the pages of one pull are indexed together', async () => {
    const d = open('d', new IDBFactory());
    const pulled = [fullLifecycle(), fullLifecycle(Date.parse('2026-03-03T08:00:00.000Z'))];
    const transactions = vi.spyOn(d, 'transaction');
    await applyExternalEvents(d, pulled[0]!.events.map((event, i) => ({ event, hubSeq: i + 1 })));
    await applyExternalEvents(d, pulled[1]!.events.map((event, i) => ({ event, hubSeq: 10 + i })));
    // the case rows are there at once, the search terms follow
    expect(await d.cases.count()).toBe(2);
    await termsIndexingIdle(d);
    expect(new Set(await search(d, '停水'))).toEqual(new Set(pulled.map((p) => p.caseId)));
    expect(await watermark(d)).toBe(18);
    // two applies, one follow-up for both (plus the search reads)
    const writes = transactions.mock.calls.filter(([mode]) => mode === 'rw');
    expect(writes).toHaveLength(3);
  });

  it('a save inside a transaction that fails leaves no search terms behind, and the numbers it would have used index right', async () => {
    const d = open('f', new IDBFactory());
    await expect(
      d.transaction('rw', [d.events, d.cases, d.outbox, d.settings, d.counters, d.termsState], async () => {
        await recordCommands(d, { station: desk, now: steppingClock() }, intake('暖气不热'));
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    await termsIndexingIdle(d);
    expect(await d.caseTerms.count()).toBe(0);
    expect(await d.cases.count()).toBe(0);
    const [again] = await recordCommands(d, { station: desk, now: steppingClock() }, intake('燃气泄漏'));
    await termsIndexingIdle(d);
    expect(await search(d, '燃气')).toEqual([again!.caseId]);
    expect(await search(d, '暖气')).toEqual([]);
    expect(await d.caseTerms.count()).toBe(1);
  });

  it('a demo fill leaves every case searchable', async () => {
    const d = open('e', new IDBFactory());
    const result = await fillDemoData(d, desk, { count: 120, seed: 7, now: new Date('2026-03-02T08:00:00.000Z'), batchSize: 40 });
    expect(await d.caseTerms.count()).toBe(result.cases);
    expect(await d.cases.count()).toBe(result.cases);
    expect(await watermark(d)).toBe(result.events);
    for (const row of (await d.cases.toArray()).slice(0, 20)) {
      expect((await d.caseTerms.get(row.id))?.terms).toEqual(row.terms);
      expect(await search(d, row.caseNo)).toContain(row.id);
    }
  });
});
