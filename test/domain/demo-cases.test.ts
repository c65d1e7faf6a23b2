import { describe, expect, it } from 'vitest';
import { listCategories, loadDefaultCatalogue, suggestCategories } from '../../src-common/domain/catalogue';
import {
  DEMO_DISTRICTS,
  DEMO_TEMPLATES,
  demoDayKey,
  generateDemoCommands,
  mulberry32,
  type DemoGroup,
} from '../../src-common/demo/demo-cases';
import {
  applyEvent,
  formatCaseNo,
  HOTLINE_TARGET,
  parseEvent,
  transferAckDueBy,
  ULID_PATTERN,
  type CaseState,
  type Command,
  type Station,
} from '../../src-common/domain';

const NOW = new Date('2026-01-15T12:00:00Z');
const P110: Station = { stationId: 'p110-abc234', name: '兰山公安分局 110 接警台', role: 'police110', district: '兰山区', operator: '张伟', countyMode: false };
const H12345: Station = { stationId: 'h12345-xyz789', name: '临沂市 12345 热线', role: 'hotline12345', district: '临沂市', operator: '李娜', countyMode: false };
const COUNTY110: Station = { ...P110, stationId: 'p110-county2', name: '沂水县公安局 110', district: '沂水县', countyMode: true };

type Created = Command<'case.created'>;
const created = (groups: DemoGroup[]) =>
  groups.flatMap((g) => g.commands.filter((c): c is Created => c.type === 'case.created').map((c) => ({ at: g.at, c })));
type Transferred = Command<'case.transferred'>;
const transfers = (groups: DemoGroup[]) =>
  groups.flatMap((g) => g.commands.filter((c): c is Transferred => c.type === 'case.transferred').map((c) => ({ at: g.at, c })));
const noteCount = (groups: DemoGroup[]) => groups.flatMap((g) => g.commands).filter((c) => c.type === 'case.noteAdded').length;

/** Record the groups as a station would, folding strictly: every event must validate and be allowed. */
function foldAll(station: Station, groups: DemoGroup[]): Map<string, CaseState> {
  const cases = new Map<string, CaseState>();
  let seq = 0;
  for (const g of groups) {
    for (const c of g.commands) {
      seq++;
      const event = parseEvent({
        v: 1,
        id: `01${String(seq).padStart(24, '0')}`,
        caseId: c.caseId,
        stationId: station.stationId,
        operator: station.operator,
        seq,
        at: g.at.toISOString(),
        type: c.type,
        payload: c.payload,
      });
      cases.set(c.caseId, applyEvent(cases.get(c.caseId), event, 'strict'));
    }
  }
  return cases;
}

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});

describe('generateDemoCommands', () => {
  it('has templates for every category of the shipped catalogue', () => {
    const codes = listCategories(loadDefaultCatalogue()).map((e) => e.category.code);
    for (const code of codes) expect(DEMO_TEMPLATES[code]?.length ?? 0, code).toBeGreaterThanOrEqual(2);
    expect(Object.keys(DEMO_TEMPLATES).filter((k) => !codes.includes(k))).toEqual([]);
  });

  it('is deterministic for a seed, and differs between seeds', () => {
    const a = generateDemoCommands(P110, { count: 200, seed: 7, now: NOW });
    const b = generateDemoCommands(P110, { count: 200, seed: 7, now: NOW });
    const c = generateDemoCommands(P110, { count: 200, seed: 8, now: NOW });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('makes count cases, in time order, within the last N days, all valid and allowed', () => {
    const groups = generateDemoCommands(P110, { count: 1000, seed: 1, days: 30, now: NOW });
    const cs = created(groups);
    expect(cs).toHaveLength(1000);
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.at.getTime()).toBeGreaterThanOrEqual(groups[i - 1]!.at.getTime());
    for (const g of groups) expect(g.at.getTime()).toBeLessThanOrEqual(NOW.getTime());
    for (const { at, c } of cs) {
      const received = Date.parse(c.payload.receivedAt);
      expect(received).toBeGreaterThan(NOW.getTime() - 30 * 86_400_000);
      expect(received).toBeLessThan(at.getTime());
      expect(at.getTime() - received).toBeLessThan(10 * 60_000);
      expect(c.caseId).toMatch(ULID_PATTERN);
      expect(DEMO_DISTRICTS).toContain(c.payload.location.district);
    }
    expect(new Set(cs.map(({ c }) => c.caseId)).size).toBe(1000);
    const cases = foldAll(P110, groups);
    expect(cases.size).toBe(1000);
  });

  it('covers every catalogue category at 1,000 cases, at 110 and at 12345', () => {
    const codes = listCategories(loadDefaultCatalogue()).map((e) => e.category.code);
    for (const station of [P110, H12345]) {
      const seen = new Set(created(generateDemoCommands(station, { count: 1000, seed: 3, now: NOW })).map(({ c }) => c.payload.category));
      for (const code of codes) expect(seen.has(code), `${station.role} ${code}`).toBe(true);
    }
  });

  it('numbers cases per day in the order they were saved, continuing given counters', () => {
    const groups = generateDemoCommands(P110, { count: 600, seed: 5, days: 10, now: NOW, counterStart: { [demoDayKey(NOW)]: 41 } });
    const perDay = new Map<string, number>();
    for (const { at, c } of created(groups)) {
      const day = demoDayKey(at);
      const start = day === demoDayKey(NOW) ? 41 : 0;
      const n = (perDay.get(day) ?? start) + 1;
      perDay.set(day, n);
      expect(c.payload.caseNo).toBe(formatCaseNo(P110.stationId, at, n));
    }
    expect(perDay.size).toBeGreaterThanOrEqual(9);
  });

  it('screens at 110: police matters kept, mixed with reasons, most non-police transferred to 12345', () => {
    const groups = generateDemoCommands(P110, { count: 2000, seed: 11, now: NOW });
    const cases = [...foldAll(P110, groups).values()];
    const verdict = (v: string) => cases.filter((c) => c.screening?.verdict === v);
    expect(cases.every((c) => c.screening !== null)).toBe(true);
    const police = verdict('police');
    const mixed = verdict('mixed');
    const nonPolice = verdict('nonPolice');
    expect(police.length / cases.length).toBeGreaterThan(0.12);
    expect(police.length / cases.length).toBeLessThan(0.32);
    expect(mixed.length).toBeGreaterThan(20);
    expect(police.every((c) => c.category === null && c.transfer === null)).toBe(true);
    expect(police.some((c) => c.status === 'closed')).toBe(true);
    expect(police.some((c) => /打架|被盗|被偷|诈骗|家庭暴力/.test(c.description))).toBe(true);
    expect(mixed.every((c) => c.screening!.reason.length > 0 && c.transfer !== null && c.category !== null)).toBe(true);
    const transferred = nonPolice.filter((c) => c.transfer !== null);
    expect(transferred.length / nonPolice.length).toBeGreaterThan(0.8);
    expect(transferred.length / nonPolice.length).toBeLessThan(0.95);
    expect(transferred.every((c) => JSON.stringify(c.transfer!.to) === JSON.stringify(HOTLINE_TARGET))).toBe(true);
    const threeWay = transferred.filter((c) => c.transfer!.threeWayCall).length;
    expect(threeWay).toBeGreaterThan(0);
    expect(threeWay).toBeLessThan(transferred.length / 2);
    for (const { at, c } of transfers(groups)) {
      const urgency = cases.find((k) => k.id === c.caseId)!.urgency;
      expect(c.payload.ackDueBy).toBe(transferAckDueBy(at.toISOString(), urgency));
    }
    expect(noteCount(groups)).toBeGreaterThan(100);
  });

  it('in county mode, 110 notifies the linked unit of the department', () => {
    const groups = generateDemoCommands(COUNTY110, { count: 300, seed: 2, now: NOW });
    const sent = transfers(groups);
    expect(sent.length).toBeGreaterThan(100);
    for (const { c } of sent) {
      expect(c.payload.to.kind).toBe('unit');
      expect(c.payload.to.department).toMatch(/^[a-z]+$/);
    }
    // most calls come from the station's own county
    const own = created(groups).filter(({ c }) => c.payload.location.district === '沂水县').length;
    expect(own / 300).toBeGreaterThan(0.6);
  });

  it('at 12345, assigns most cases to the catalogue department', () => {
    const groups = generateDemoCommands(H12345, { count: 500, seed: 4, now: NOW });
    const cases = [...foldAll(H12345, groups).values()];
    const assigned = cases.filter((c) => c.assignment !== null);
    expect(assigned.length / cases.length).toBeGreaterThan(0.75);
    const catalogue = loadDefaultCatalogue();
    for (const c of assigned) expect(c.category!.startsWith(`${c.department}.`)).toBe(true);
    expect(cases.every((c) => c.channel !== 'call110' && c.screening === null)).toBe(true);
    expect(catalogue.departments.length).toBeGreaterThan(0);
  });

  it('reads like the calls it claims to be: nature, urgency, callers, times of day', () => {
    const groups = generateDemoCommands(P110, { count: 3000, seed: 9, now: NOW });
    const cs = created(groups).map(({ c }) => c.payload);
    const catalogue = loadDefaultCatalogue();
    const categorised = cs.filter((p) => p.category !== null);
    // the description suggests its own category (the text is written per category)
    const suggested = categorised.filter((p) =>
      suggestCategories(catalogue, p.description, 3).some((s) => s.category.code === p.category),
    ).length;
    expect(suggested / categorised.length).toBeGreaterThan(0.7);
    // urgency mostly follows the category default
    const byCode = new Map(listCategories(catalogue).map((e) => [e.category.code, e.category]));
    const asDefault = categorised.filter((p) => byCode.get(p.category!)!.defaultUrgency === p.urgency).length;
    expect(asDefault / categorised.length).toBeGreaterThan(0.8);
    expect(cs.filter((p) => p.category === 'housing.water' && p.urgency === 'urgent').length).toBeGreaterThan(0);
    // natures: complaints and help dominate, all five occur
    const natures = new Set(cs.map((p) => p.nature));
    expect([...natures].sort()).toEqual(['complaint', 'consultation', 'help', 'report', 'suggestion']);
    // callers: mostly named with a phone, some anonymous, some confidential
    const anonymous = cs.filter((p) => p.caller.anonymous);
    expect(anonymous.length / cs.length).toBeGreaterThan(0.02);
    expect(anonymous.length / cs.length).toBeLessThan(0.15);
    expect(anonymous.every((p) => !p.caller.name && !p.caller.phone)).toBe(true);
    expect(cs.filter((p) => p.caller.confidential).length).toBeGreaterThan(30);
    const phones = cs.map((p) => p.caller.phone ?? '');
    expect(phones.filter((ph) => /^1[3-9]\d{9}$/.test(ph)).length / cs.length).toBeGreaterThan(0.75);
    expect(phones.some((ph) => /^0539-\d{7}$/.test(ph))).toBe(true);
    expect(cs.filter((p) => /[\u4e00-\u9fff]{2,}/.test(p.caller.name ?? '')).length / cs.length).toBeGreaterThan(0.8);
    // addresses in every district and county of Linyi
    expect(new Set(cs.map((p) => p.location.district)).size).toBe(12);
    expect(cs.some((p) => /号楼\d单元\d+室$/.test(p.location.address))).toBe(true);
    expect(cs.some((p) => /[镇乡街道].+村$/.test(p.location.address))).toBe(true);
    // more calls by day than at night (0-6 h local), but nights are not empty
    const night = cs.filter((p) => new Date(p.receivedAt).getHours() < 6).length / cs.length;
    expect(night).toBeGreaterThan(0.03);
    expect(night).toBeLessThan(0.15);
    // no unfilled placeholders
    expect(cs.filter((p) => /[{}]/.test(p.description + p.location.address))).toEqual([]);
  });

  it('gives the brief examples their words', () => {
    const cs = created(generateDemoCommands(P110, { count: 3000, seed: 12, now: NOW })).map(({ c }) => c.payload);
    expect(cs.some((p) => p.category === 'housing.water' && /号楼门口主水管爆裂.*整栋楼停水/.test(p.description))).toBe(true);
    expect(cs.some((p) => p.category === 'housing.heating' && /暖气不热，室温只有\d+度，家中有老人/.test(p.description))).toBe(true);
    expect(cs.some((p) => p.category === 'culture.venue' && /KTV|练歌房|歌舞厅/.test(p.description))).toBe(true);
  });

  it('works for unit and supervisor stations, and for zero cases', () => {
    const unit: Station = { stationId: 'unit-water1', name: '兰山区供水抢修值班室', role: 'unit', district: '兰山区', operator: '王强', countyMode: false };
    const groups = generateDemoCommands(unit, { count: 100, seed: 1, now: NOW });
    expect(created(groups).every(({ c }) => ['walkIn', 'online'].includes(c.payload.channel))).toBe(true);
    expect(foldAll(unit, groups).size).toBe(100);
    expect(generateDemoCommands(unit, { count: 0, now: NOW })).toEqual([]);
    expect(() => generateDemoCommands(unit, { count: -1 })).toThrow();
  });
});
