import { afterEach, describe, expect, it } from 'vitest';
import { DUPLICATE_PHONE_WINDOW_MS, type RelayEvent } from '../../../src-common/domain';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { likelyDuplicates } from '../../../src-renderer/src/store/duplicate-candidates';
import { memorySearchState, stopMemorySearch } from '../../../src-renderer/src/store/memory-search-source';
import { CaseScript, createdPayload, P110, T0 } from '../../domain/fixtures';
import { freshDb } from './helpers';

const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function call(minutesAgo: number, phone: string, address: string, category = 'utility.water'): RelayEvent[] {
  const s = new CaseScript(T0 - minutesAgo * 60_000);
  s.add(
    P110,
    'case.created',
    createdPayload(P110, 'police110', {
      receivedAt: s.t(0),
      category,
      caller: { name: '张三', phone, anonymous: false, confidential: false },
      location: { address, district: '兰山区' },
      description: '小区停水',
    }),
    0,
  );
  return s.events;
}

async function desk(withMemory: boolean): Promise<{ db: RelayDb; ids: Record<string, string> }> {
  const db = freshDb();
  opened.push(db);
  if (!withMemory) stopMemorySearch(db, 'this test reads the case rows');
  const cases = {
    samePhoneRecent: call(60, '13912345678', '罗庄区金雀山路 8 号', 'traffic.taxi'),
    samePhoneOld: call(DUPLICATE_PHONE_WINDOW_MS / 60_000 + 60, '13912345678', '河东区沂蒙路 66 号', 'traffic.taxi'),
    otherPhone: call(30, '13800005678', '河东区沂蒙路 66 号', 'traffic.taxi'),
    sameAddress: call(20, '15066661234', '兰山区通达路 100 号'),
  };
  await applyExternalEvents(db, Object.values(cases).flat().map((event) => ({ event })));
  return { db, ids: Object.fromEntries(Object.entries(cases).map(([k, events]) => [k, events[0]!.caseId])) };
}

describe('likelyDuplicates', () => {
  it.each([
    ['through the in-memory search', true],
    ['with the in-memory search stopped (the rows of the phone window read)', false],
  ])('finds the same phone within its window and the same category near the address, %s', async (_, withMemory) => {
    const { db, ids } = await desk(withMemory);
    const found = await likelyDuplicates(db, { callerPhone: '139-1234-5678', category: 'utility.water', address: '兰山区通达路 100 号', district: '兰山区' }, T0);
    const foundIds = found.map((m) => m.candidate.id);
    expect(foundIds).toContain(ids.samePhoneRecent);
    expect(foundIds).toContain(ids.sameAddress);
    expect(foundIds).not.toContain(ids.samePhoneOld);
    expect(foundIds).not.toContain(ids.otherPhone);
    expect(Boolean(memorySearchState(db)?.ready)).toBe(withMemory);
  });

  it.each([
    ['through the in-memory search', true],
    ['with the in-memory search stopped', false],
  ])('a frequent caller: the latest call is found among many older ones, %s', async (_, withMemory) => {
    const db = freshDb();
    opened.push(db);
    if (!withMemory) stopMemorySearch(db, 'this test reads the case rows');
    const hoursAgo = (h: number) => call(h * 60, '13912345678', `兰山区解放路 ${h} 号`, 'traffic.taxi');
    const old = Array.from({ length: 55 }, (_, i) => hoursAgo(100 + i * 24));
    const recent = hoursAgo(1);
    await applyExternalEvents(db, [...old.flat(), ...recent].map((event) => ({ event })));
    const found = await likelyDuplicates(db, { callerPhone: '13912345678', category: null, address: '', district: '兰山区' }, T0);
    expect(found.map((m) => m.candidate.id)).toEqual([recent[0]!.caseId]);
  });

  it('a short phone finds nothing by phone', async () => {
    const { db } = await desk(true);
    expect(await likelyDuplicates(db, { callerPhone: '5678', category: null, address: '', district: '兰山区' }, T0)).toEqual([]);
  });
});
