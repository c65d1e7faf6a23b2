import { describe, expect, it } from 'vitest';
import {
  addressSimilarity,
  distanceMeters,
  emptyDraft,
  findLikelyDuplicates,
  normalizeAddress,
  normalizePhone,
  placeNames,
  type DuplicateCandidate,
  type DuplicateProbe,
  type Status,
} from '../../src-common/domain';
import { H12345, HOUR, stationOf } from './fixtures';

const NOW = Date.parse('2026-03-02T16:00:00+08:00');
const ago = (h: number) => new Date(NOW - h * HOUR).toISOString();

let n = 0;
function cand(over: {
  phone?: string;
  category?: string | null;
  address?: string;
  district?: string;
  lat?: number;
  lng?: number;
  hoursAgo?: number;
  status?: Status;
  closedHoursAgo?: number;
}): DuplicateCandidate {
  n++;
  return {
    id: `case-${n}`,
    caseNo: `20260302-h12345-${String(n).padStart(4, '0')}`,
    status: over.status ?? 'acknowledged',
    caller: { name: '李四', phone: over.phone ?? '13800000000', anonymous: false, confidential: false },
    category: over.category === undefined ? 'housing.water' : over.category,
    location: {
      address: over.address ?? '兰山区通达路100号金雀山小区3号楼',
      district: over.district ?? '兰山区',
      ...(over.lat !== undefined ? { lat: over.lat, lng: over.lng! } : {}),
    },
    receivedAt: ago(over.hoursAgo ?? 2),
    closedAt: over.closedHoursAgo !== undefined ? ago(over.closedHoursAgo) : null,
  };
}

const probe = (over: Partial<DuplicateProbe> = {}): DuplicateProbe => ({
  callerPhone: '13912345678',
  category: 'housing.water',
  address: '金雀山小区5号楼东单元',
  district: '兰山区',
  ...over,
});

const ids = (xs: Array<{ candidate: { id: string } }>) => xs.map((x) => x.candidate.id);

describe('same caller phone', () => {
  it('matches an open case with the same number within 72 h, whatever the category or place', () => {
    const c = cand({ phone: '13912345678', category: 'hrss.wages', address: '河东区某工地', district: '河东区', hoursAgo: 60 });
    const [m] = findLikelyDuplicates(probe(), [c], { now: NOW });
    expect(m?.reasons).toEqual([{ kind: 'samePhone', text: '同一来电号码（13912345678）' }]);
    expect(m?.score).toBe(3);
    expect(findLikelyDuplicates(probe(), [cand({ phone: '13912345678', category: 'hrss.wages', district: '河东区', hoursAgo: 80 })], { now: NOW })).toEqual([]);
  });

  it('compares digits only; an empty number matches nothing', () => {
    expect(normalizePhone('0539-8123456')).toBe('05398123456');
    const c = cand({ phone: '0539-8123456', category: 'hrss.wages', district: '河东区' });
    expect(findLikelyDuplicates(probe({ callerPhone: '05398123456' }), [c], { now: NOW })).toHaveLength(1);
    const anon = cand({ phone: '', category: 'hrss.wages', district: '河东区' });
    expect(findLikelyDuplicates(probe({ callerPhone: '' }), [anon], { now: NOW })).toEqual([]);
  });
});

describe('same category, same place', () => {
  it('same 小区 within the window', () => {
    const c = cand({});
    const [m] = findLikelyDuplicates(probe(), [c], { now: NOW });
    expect(m?.reasons).toEqual([{ kind: 'samePlace', via: 'placeName', text: '同类诉求，同在“金雀山小区”' }]);
    expect(m?.closed).toBe(false);
  });

  it('outside the window: no', () => {
    expect(findLikelyDuplicates(probe(), [cand({ hoursAgo: 25 })], { now: NOW })).toEqual([]);
    expect(findLikelyDuplicates(probe(), [cand({ hoursAgo: 25 })], { now: NOW, windowMs: 48 * HOUR })).toHaveLength(1);
  });

  it('different category: no', () => {
    expect(findLikelyDuplicates(probe(), [cand({ category: 'housing.heating' })], { now: NOW })).toEqual([]);
    expect(findLikelyDuplicates(probe({ category: null }), [cand({})], { now: NOW })).toEqual([]);
  });

  it('different district: no', () => {
    expect(findLikelyDuplicates(probe(), [cand({ district: '河东区' })], { now: NOW })).toEqual([]);
  });

  it('same road and number', () => {
    const [m] = findLikelyDuplicates(probe({ address: '通达路100号门口' }), [cand({ address: '兰山区通达路100号东侧' })], { now: NOW });
    expect(m?.reasons[0]).toMatchObject({ kind: 'samePlace', via: 'roadNumber', text: '同类诉求，同在“通达路100号”' });
    expect(findLikelyDuplicates(probe({ address: '通达路102号门口' }), [cand({ address: '兰山区通达路100号东侧' })], { now: NOW })).toEqual([]);
  });

  it('similar address text (bigram Jaccard >= 0.5)', () => {
    const a = normalizeAddress('兰山区解放路与沂蒙路交汇处东南角', '兰山区');
    const b = normalizeAddress('解放路与沂蒙路交汇处东南', '兰山区');
    expect(addressSimilarity(a, b)).toBeGreaterThanOrEqual(0.5);
    const [m] = findLikelyDuplicates(probe({ address: '解放路与沂蒙路交汇处东南' }), [cand({ address: '兰山区解放路与沂蒙路交汇处东南角' })], { now: NOW });
    expect(m?.reasons[0]).toMatchObject({ kind: 'samePlace', via: 'similarAddress' });
    expect(findLikelyDuplicates(probe({ address: '北京路菜市场北门' }), [cand({ address: '兰山区解放路与沂蒙路交汇处东南角' })], { now: NOW })).toEqual([]);
  });

  it('coordinates within 300 m', () => {
    const here = { lat: 35.0518, lng: 118.3564 };
    const near = { lat: 35.0535, lng: 118.3564 }; // ~190 m north
    const far = { lat: 35.0568, lng: 118.3564 }; // ~560 m north
    expect(distanceMeters(here, near)).toBeGreaterThan(150);
    expect(distanceMeters(here, near)).toBeLessThan(300);
    expect(distanceMeters(here, far)).toBeGreaterThan(500);
    const p = probe({ address: '沂蒙路东侧绿化带', ...here });
    const [m] = findLikelyDuplicates(p, [cand({ address: '某单位门口', ...near })], { now: NOW });
    expect(m?.reasons[0]).toMatchObject({ kind: 'samePlace', via: 'coordinates' });
    expect(findLikelyDuplicates(p, [cand({ address: '某单位门口', ...far })], { now: NOW })).toEqual([]);
    expect(findLikelyDuplicates(p, [cand({ address: '某单位门口', ...far })], { now: NOW, maxDistanceMeters: 800 })).toHaveLength(1);
  });
});

describe('closed cases and ranking', () => {
  it('closed cases only when closed within the window, flagged and ranked after open ones', () => {
    const closedRecently = cand({ status: 'closed', closedHoursAgo: 3, phone: '13912345678' });
    const closedLongAgo = cand({ status: 'closed', closedHoursAgo: 30, hoursAgo: 20 });
    const open = cand({ hoursAgo: 5 });
    const result = findLikelyDuplicates(probe(), [closedRecently, closedLongAgo, open], { now: NOW });
    expect(ids(result)).toEqual([open.id, closedRecently.id]);
    expect(result[1]?.closed).toBe(true);
  });

  it('phone and place together rank above place alone; then the most recent first', () => {
    const placeOld = cand({ hoursAgo: 10 });
    const placeNew = cand({ hoursAgo: 1 });
    const both = cand({ hoursAgo: 12, phone: '13912345678' });
    const result = findLikelyDuplicates(probe(), [placeOld, placeNew, both], { now: NOW });
    expect(ids(result)).toEqual([both.id, placeNew.id, placeOld.id]);
    expect(result[0]?.score).toBe(5);
    expect(findLikelyDuplicates(probe(), [placeOld, placeNew, both], { now: NOW, limit: 1 })).toHaveLength(1);
  });

  it('a case does not match itself; an intake draft is a probe', () => {
    const c = cand({});
    expect(findLikelyDuplicates(probe({ caseId: c.id }), [c], { now: NOW })).toEqual([]);
    const draft = { ...emptyDraft(stationOf(H12345, 'hotline12345'), new Date(NOW)), category: 'housing.water', address: '金雀山小区2号楼', district: '兰山区' };
    expect(findLikelyDuplicates(draft, [c], { now: new Date(NOW).toISOString() })).toHaveLength(1);
  });
});

describe('address helpers', () => {
  it('finds estate and building names', () => {
    expect(placeNames(normalizeAddress('山东省临沂市兰山区通达路100号金雀山小区3号楼', '兰山区'))).toEqual(['金雀山小区']);
    expect(placeNames('沂河新村12号')).toEqual(['沂河新村']);
    expect(placeNames('幸福家园小区')).toEqual(expect.arrayContaining(['幸福家园', '幸福家园小区']));
    expect(placeNames('兰山区人民医院门口')).toEqual(['人民医院']);
    expect(placeNames('通达路100号')).toEqual([]);
  });

  it('normalises width, spaces, punctuation and the district prefix', () => {
    expect(normalizeAddress('兰山区 通达路１００号（金雀山小区）', '兰山区')).toBe('通达路100号金雀山小区');
    expect(normalizeAddress('临沂市兰山区通达路', '兰山区')).toBe('通达路');
  });
});
