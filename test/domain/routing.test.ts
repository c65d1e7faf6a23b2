import { describe, expect, it } from 'vitest';
import {
  findCategory,
  findDepartment,
  HandoverTargetSchema,
  loadDefaultCatalogue,
  MAX_ASSISTING,
  suggestAssignment,
  targetFor,
} from '../../src-common/domain';

const catalogue = loadDefaultCatalogue();
const CJK = /[\u4e00-\u9fff]/;

const lead = (category: string | null, description: string) => suggestAssignment(catalogue, { category, description }).lead?.department.code;
const assisting = (category: string | null, description: string) =>
  suggestAssignment(catalogue, { category, description }).assisting.map((a) => a.department.code);

describe('suggestAssignment', () => {
  it('a burst main goes to housing (from the text when no category is chosen)', () => {
    const s = suggestAssignment(catalogue, { category: null, description: '小区主水管爆了，整栋楼停水' });
    expect(s.lead?.department.code).toBe('housing');
    expect(s.lead?.categories[0]?.code).toBe('housing.water');
    expect(s.lead?.reason).toContain('停水');
    expect(s.lead?.reason).toContain('城市供水');
    expect(s.assisting).toEqual([]);
  });

  it('a bag lost in a taxi goes to transport', () => {
    expect(lead(null, '我的包落在出租车上了，里面有身份证')).toBe('transport');
    expect(suggestAssignment(catalogue, { category: null, description: '我的包落在出租车上了' }).lead?.categories[0]?.code).toBe('transport.taxi-lost');
    expect(lead('transport.taxi-lost', '包丢了')).toBe('transport');
  });

  it('mixed text: the category decides the lead, the other department assists', () => {
    const s = suggestAssignment(catalogue, { category: 'housing.water', description: '小区停水三天了，施工队还拖欠工资，工人都停工了' });
    expect(s.lead?.department.code).toBe('housing');
    expect(s.lead?.reason).toBe('诉求类别“城市供水”由住建城管负责');
    expect(s.assisting.map((a) => a.department.code)).toEqual(['hrss']);
    expect(s.assisting[0]?.reason).toContain('拖欠');
    expect(s.assisting[0]?.categories[0]?.code).toBe('hrss.wages');
    expect(s.candidates.map((c) => c.department.code)).toEqual(expect.arrayContaining(['housing', 'hrss']));
  });

  it('the chosen category wins over the text', () => {
    expect(lead('transport.complaint', '出租车司机拒载，还说停水了')).toBe('transport');
    expect(assisting('transport.complaint', '出租车司机拒载，还说停水了')).toEqual(['housing']);
    expect(assisting('housing.water', '停水停电')).toEqual(['power']);
  });

  it('a term found only inside a longer one does not bring in another department', () => {
    // 污水 (environment) inside 污水外溢 (municipal facilities)
    expect(lead(null, '下水道污水外溢到马路上')).toBe('housing');
    expect(assisting(null, '下水道污水外溢到马路上')).toEqual([]);
  });

  it('an unknown category falls back to the text; no match gives no lead', () => {
    expect(lead('nope.nothing', '有人晕倒在路边，昏迷不醒')).toBe('health');
    const none = suggestAssignment(catalogue, { category: null, description: '今天天气不错' });
    expect(none).toEqual({ lead: null, assisting: [], candidates: [] });
  });

  it('assisting is capped, never repeats the lead, and every reason is Chinese', () => {
    const s = suggestAssignment(catalogue, {
      category: 'housing.water',
      description: '停水停电，拖欠工资，出租车拒载，歌厅噪音，假货，污染排污，流浪乞讨，停水',
    });
    expect(s.assisting.length).toBe(MAX_ASSISTING);
    expect(s.assisting.some((a) => a.department.code === 'housing')).toBe(false);
    for (const p of [s.lead!, ...s.assisting, ...s.candidates]) expect(p.reason).toMatch(CJK);
    // candidates best first
    const scores = s.candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});

describe('targetFor', () => {
  it('builds a department hand-over target', () => {
    const housing = findDepartment(catalogue, 'housing')!;
    const t = targetFor(housing);
    expect(t).toEqual({ kind: 'department', stationId: null, name: '住房城乡建设、城市管理部门', department: 'housing' });
    expect(HandoverTargetSchema.parse(t)).toEqual(t);
  });

  it('names the acting unit of a category under 其他部门', () => {
    const other = findDepartment(catalogue, 'other')!;
    const tax = findCategory(catalogue, 'other.tax')!;
    expect(targetFor(other, tax)).toEqual({ kind: 'department', stationId: null, name: '税务部门', department: 'other' });
    for (const d of catalogue.departments) expect(() => HandoverTargetSchema.parse(targetFor(d))).not.toThrow();
  });
});
