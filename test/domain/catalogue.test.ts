import { describe, expect, it } from 'vitest';
import shipped from '../../resources/catalogue.json';
import {
  type Catalogue,
  CatalogueSchema,
  departmentOf,
  findCategory,
  findDepartment,
  listCategories,
  loadDefaultCatalogue,
  parseCatalogue,
  searchCategories,
  suggestCategories,
} from '../../src-common/domain/catalogue';

const catalogue = loadDefaultCatalogue();
const allCategories = catalogue.departments.flatMap((d) => d.categories);

/** A fresh, mutable copy of the shipped data for the rejection tests. */
function copy(): Catalogue {
  return structuredClone(loadDefaultCatalogue());
}

function firstCode(query: string): string | undefined {
  return searchCategories(catalogue, query)[0]?.category.code;
}

describe('shipped catalogue', () => {
  it('parses, and loadDefaultCatalogue is memoised', () => {
    expect(() => parseCatalogue(shipped)).not.toThrow();
    expect(CatalogueSchema.safeParse(shipped).success).toBe(true);
    expect(loadDefaultCatalogue()).toBe(catalogue);
    expect(catalogue.schema).toBe(1);
    expect(catalogue.version).toBe('2017-149.1');
    expect(catalogue.source).toContain('149号');
    expect(catalogue.publishedScope.length).toBeGreaterThanOrEqual(8);
    expect(catalogue.policeScope.length).toBeGreaterThanOrEqual(4);
  });

  it('has every department of the policy table (section 四) plus power supply', () => {
    const names = catalogue.departments.map((d) => d.name).join('|');
    for (const word of ['民政', '人力资源社会保障', '住房城乡建设', '城市管理', '交通运输', '文化市场执法', '卫生计生', '环境保护', '工商', '质监', '食品药品', '其他部门', '供电']) {
      expect(names, word).toContain(word);
    }
    expect(catalogue.departments.map((d) => d.code)).toEqual(
      expect.arrayContaining(['civil', 'hrss', 'housing', 'transport', 'culture', 'health', 'environment', 'market', 'power', 'other']),
    );
  });

  it('covers every line of the responsibility table', () => {
    const byName = new Map(allCategories.map((c) => [c.name, c.code]));
    const expected: Record<string, string[]> = {
      civil: ['流浪乞讨救助', '护送人员救助', '弃婴安置'],
      hrss: ['劳动人事争议', '拖欠工资', '社会保险'],
      housing: ['城市供水', '城市供气', '城市供暖', '市容环境卫生', '市政设施维修'],
      transport: ['出租车失物', '公交失物', '出租公交投诉', '农村公路桥梁损毁'],
      culture: ['娱乐场所', '非法出版物'],
      health: ['伤病急救'],
      environment: ['环境污染投诉', '突发环境事件'],
      market: ['消费投诉', '假冒伪劣', '缺斤少两'],
      power: ['供电故障抢修'],
    };
    for (const [department, names] of Object.entries(expected)) {
      for (const name of names) {
        const code = byName.get(name);
        expect(code, name).toBeDefined();
        expect(departmentOf(catalogue, code!)?.code, name).toBe(department);
      }
    }
    // section 四（九）: the other departments, each with at least one category
    const other = findDepartment(catalogue, 'other')!;
    const units = other.categories.map((c) => `${c.name}${c.aliases.join('')}${c.unit ?? ''}`).join('|');
    for (const word of ['司法', '税务', '公路', '物价', '渔业', '通信', '水利', '农业', '旅游', '国土', '安监', '文化']) {
      expect(units, word).toContain(word);
    }
  });

  it('has a realistic size and well-formed categories', () => {
    expect(allCategories.length).toBeGreaterThanOrEqual(35);
    expect(allCategories.length).toBeLessThanOrEqual(45);
    for (const c of allCategories) {
      expect(c.keywords.length, c.code).toBeGreaterThanOrEqual(5);
      expect(c.keywords.length, c.code).toBeLessThanOrEqual(12);
      expect(new Set(c.keywords).size, c.code).toBe(c.keywords.length);
      expect(c.keywordInitials).toHaveLength(c.keywords.length);
      expect(c.aliasInitials).toHaveLength(c.aliases.length);
    }
  });

  it('has unique codes', () => {
    const deptCodes = catalogue.departments.map((d) => d.code);
    expect(new Set(deptCodes).size).toBe(deptCodes.length);
    const codes = allCategories.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const d of catalogue.departments) {
      for (const c of d.categories) expect(c.code.startsWith(`${d.code}.`), c.code).toBe(true);
    }
  });

  it('keeps alert and urgency consistent', () => {
    for (const c of allCategories) {
      if (c.alert !== null) expect(c.defaultUrgency, c.code).toBe('urgent');
    }
    const alerts = Object.fromEntries(allCategories.filter((c) => c.alert).map((c) => [c.alert, c.code]));
    expect(alerts).toEqual({
      water: 'housing.water',
      gas: 'housing.gas',
      heating: 'housing.heating',
      medical: 'health.emergency',
      power: 'power.outage',
    });
    // section 三: 城管、供水、供气、供电、医疗急救 keep 24-hour duty
    for (const code of ['housing', 'power', 'health']) expect(findDepartment(catalogue, code)?.urgentDuty, code).toBe(true);
    for (const d of catalogue.departments) {
      if (d.categories.some((c) => c.alert !== null)) expect(d.urgentDuty, d.code).toBe(true);
    }
  });

  it('carries the precomputed pinyin of the examples', () => {
    const water = findCategory(catalogue, 'housing.water')!;
    expect(water.initials).toBe('csgs');
    expect(water.pinyin).toBe('chengshigongshui');
    expect(water.aliases[0]).toBe('供水');
    expect(water.aliasInitials[0]).toBe('gs');
    expect(findDepartment(catalogue, 'housing')?.initials).toBe('zjcg');
  });
});

describe('lookup', () => {
  it('finds categories and their departments by code', () => {
    expect(findCategory(catalogue, 'housing.water')?.name).toBe('城市供水');
    expect(departmentOf(catalogue, 'housing.water')?.short).toBe('住建城管');
    expect(departmentOf(catalogue, 'transport.taxi-lost')?.code).toBe('transport');
    expect(findCategory(catalogue, 'nope.nope')).toBeUndefined();
    expect(departmentOf(catalogue, 'nope.nope')).toBeUndefined();
    expect(listCategories(catalogue).map((e) => e.category.code)).toEqual(allCategories.map((c) => c.code));
  });
});

describe('searchCategories', () => {
  it('finds 城市供水 by initials, alias initials, Chinese and full pinyin', () => {
    expect(firstCode('gs')).toBe('housing.water');
    expect(searchCategories(catalogue, 'gs')[0]?.matchedOn).toBe('initials');
    expect(firstCode('csgs')).toBe('housing.water');
    expect(firstCode('供水')).toBe('housing.water');
    expect(searchCategories(catalogue, '供水')[0]?.matchedOn).toBe('alias');
    expect(firstCode('城市供水')).toBe('housing.water');
    expect(searchCategories(catalogue, '城市供水')[0]?.matchedOn).toBe('name');
    expect(firstCode('gongshui')).toBe('housing.water');
    expect(searchCategories(catalogue, 'gongshui')[0]?.matchedOn).toBe('pinyin');
    expect(firstCode('chengshigong')).toBe('housing.water');
  });

  it('is case-insensitive, trimmed and folds full-width letters', () => {
    expect(firstCode('  GS ')).toBe('housing.water');
    expect(firstCode('ＧＳ')).toBe('housing.water');
    expect(firstCode(' 供水\t')).toBe('housing.water');
  });

  it('finds the other utilities and 120 by alias initials', () => {
    expect(firstCode('gq')).toBe('housing.gas');
    expect(firstCode('gn')).toBe('housing.heating');
    expect(firstCode('gd')).toBe('power.outage');
    expect(firstCode('jj')).toBe('health.emergency');
    expect(firstCode('120')).toBe('health.emergency');
    expect(firstCode('急救')).toBe('health.emergency');
  });

  it('finds taxi lost property and wages by Chinese words', () => {
    expect(firstCode('出租')).toBe('transport.taxi-lost');
    expect(firstCode('欠薪')).toBe('hrss.wages');
    expect(firstCode('工资')).toBe('hrss.wages');
    expect(searchCategories(catalogue, '停水')[0]).toMatchObject({ matchedOn: 'keyword', matchedText: '停水' });
    expect(firstCode('tingshui')).toBe('housing.water');
  });

  it('ranks name/alias exact and prefix matches above keyword and substring matches', () => {
    const results = searchCategories(catalogue, '暖气');
    expect(results[0]?.category.code).toBe('housing.heating');
    const taxi = searchCategories(catalogue, '出租').map((r) => r.category.code);
    expect(taxi.slice(0, 2)).toEqual(['transport.taxi-lost', 'transport.complaint']);
    const scores = results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('matches department names', () => {
    const results = searchCategories(catalogue, '人社');
    expect(results.map((r) => r.category.code)).toEqual(['hrss.dispute', 'hrss.wages', 'hrss.insurance']);
    expect(results.every((r) => r.matchedOn === 'department')).toBe(true);
    expect(searchCategories(catalogue, 'rs').slice(0, 3).map((r) => r.category.code)).toEqual(['hrss.dispute', 'hrss.wages', 'hrss.insurance']);
    expect(searchCategories(catalogue, '税务部门')[0]?.category.code).toBe('other.tax');
  });

  it('finds nothing for nonsense', () => {
    expect(searchCategories(catalogue, 'zzzzqqq')).toEqual([]);
    expect(searchCategories(catalogue, '火星人入侵')).toEqual([]);
  });

  it('returns every category in catalogue order for an empty query', () => {
    const codes = allCategories.map((c) => c.code);
    expect(searchCategories(catalogue, '').map((r) => r.category.code)).toEqual(codes);
    expect(searchCategories(catalogue, '   ').map((r) => r.category.code)).toEqual(codes);
    expect(searchCategories(catalogue, '', 5).map((r) => r.category.code)).toEqual(codes.slice(0, 5));
  });

  it('honours the limit and keeps catalogue order on ties', () => {
    expect(searchCategories(catalogue, 'g', 3)).toHaveLength(3);
    expect(searchCategories(catalogue, 'g').length).toBeLessThanOrEqual(20);
    const results = searchCategories(catalogue, 'g', 100);
    for (let i = 1; i < results.length; i++) {
      const a = results[i - 1]!;
      const b = results[i]!;
      if (a.score === b.score) {
        expect(allCategories.indexOf(a.category)).toBeLessThan(allCategories.indexOf(b.category));
      }
    }
  });
});

describe('suggestCategories', () => {
  const first = (text: string) => suggestCategories(catalogue, text)[0]?.category.code;

  it('routes typical caller descriptions', () => {
    expect(first('小区主水管爆了，整栋楼停水')).toBe('housing.water');
    expect(first('出租车上丢了一个黑色背包')).toBe('transport.taxi-lost');
    expect(first('老板拖欠三个月工资')).toBe('hrss.wages');
    expect(first('楼道里有很浓的煤气味')).toBe('housing.gas');
    expect(first('家里暖气不热，室温只有十二度')).toBe('housing.heating');
    expect(first('整个小区停电了')).toBe('power.outage');
    expect(first('楼下歌厅唱歌扰民到凌晨')).toBe('culture.venue');
    expect(first('有个老人晕倒在路边，昏迷不醒')).toBe('health.emergency');
  });

  it('reports the matched terms, limits, and drops zero scores', () => {
    const [top] = suggestCategories(catalogue, '小区主水管爆了，整栋楼停水');
    expect(top?.matched).toEqual(expect.arrayContaining(['停水', '水管']));
    expect(top?.score).toBeGreaterThan(0);
    expect(suggestCategories(catalogue, '出租车上丢了一个黑色背包', 1)).toHaveLength(1);
    expect(suggestCategories(catalogue, '今天天气不错')).toEqual([]);
    expect(suggestCategories(catalogue, '')).toEqual([]);
    for (const s of suggestCategories(catalogue, '出租车上丢了一个黑色背包', 10)) expect(s.score).toBeGreaterThan(0);
  });
});

describe('parseCatalogue', () => {
  it('names the bad field', () => {
    const bad = copy();
    (bad.departments[2]!.categories[0] as { alert: unknown }).alert = 'fire';
    expect(() => parseCatalogue(bad)).toThrow(/departments\[2\]\.categories\[0\]\.alert/);

    const noName = copy() as unknown as { departments: Array<{ name?: string }> };
    delete noName.departments[0]!.name;
    expect(() => parseCatalogue(noName)).toThrow(/departments\[0\]\.name/);

    const badCode = copy();
    badCode.departments[0]!.categories[0]!.code = 'Civil Vagrant';
    expect(() => parseCatalogue(badCode)).toThrow(/departments\[0\]\.categories\[0\]\.code/);

    const badSchema = { ...copy(), schema: 2 };
    expect(() => parseCatalogue(badSchema)).toThrow(/schema/);

    const extra = copy() as unknown as { departments: Array<{ categories: Array<Record<string, unknown>> }> };
    extra.departments[0]!.categories[0]!.keyword = ['typo'];
    expect(() => parseCatalogue(extra)).toThrow(/departments\[0\]\.categories\[0\]/);

    expect(() => parseCatalogue(null)).toThrow(/Invalid catalogue/);
    expect(() => parseCatalogue({})).toThrow(/departments/);
  });

  it('rejects duplicate codes', () => {
    const dupCategory = copy();
    dupCategory.departments[2]!.categories[1]!.code = 'housing.water';
    expect(() => parseCatalogue(dupCategory)).toThrow(/duplicate category code "housing\.water"/);

    const dupDepartment = copy();
    dupDepartment.departments[1]!.code = 'civil';
    expect(() => parseCatalogue(dupDepartment)).toThrow(/duplicate department code "civil"/);
  });

  it('rejects inconsistent data', () => {
    const lazyWater = copy();
    lazyWater.departments[2]!.categories[0]!.defaultUrgency = 'normal';
    expect(() => parseCatalogue(lazyWater)).toThrow(/departments\[2\]\.categories\[0\]\.defaultUrgency.*urgent/);

    const shortInitials = copy();
    shortInitials.departments[2]!.categories[0]!.keywordInitials.pop();
    expect(() => parseCatalogue(shortInitials)).toThrow(/keywordInitials: has \d+ entries but keywords has/);

    const foreign = copy();
    foreign.departments[0]!.categories[0]!.code = 'hrss.vagrant';
    expect(() => parseCatalogue(foreign)).toThrow(/must start with its department code "civil\."/);

    const spacedPinyin = copy();
    spacedPinyin.departments[2]!.categories[0]!.pinyin = 'cheng shi gong shui';
    expect(() => parseCatalogue(spacedPinyin)).toThrow(/departments\[2\]\.categories\[0\]\.pinyin/);
  });
});
