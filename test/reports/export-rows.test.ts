/**
 * The report as tables and CSV. The report is the one of supervision.test.ts (the same
 * history, supervisionHistory in fixtures.ts); the figures in the rows are the hand-worked
 * figures listed there, formatted.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultCatalogue } from '../../src-common/domain';
import {
  buildSupervisionReport,
  csvField,
  formatChangeRate,
  formatLocalTime,
  formatRate,
  reportTables,
  toCsv,
  type ExportTable,
} from '../../src-common/reports';
import { L, supervisionHistory } from './fixtures';

const catalogue = loadDefaultCatalogue();

const report = buildSupervisionReport({
  events: supervisionHistory().events,
  period: { from: L('03-02 00:00'), to: L('03-05 00:00'), granularity: 'day' },
  district: null,
  catalogue,
  now: L('03-05 12:00'),
  stations: [
    { stationId: 'h12345-city', name: '市12345热线', pendingEvents: 3, lastSyncAt: L('03-05 11:58') },
    { stationId: 'unit-housing', name: '市住建局值班室' },
  ],
});
const tables = reportTables(report);
const table = (name: string): ExportTable => tables.find((t) => t.name === name)!;

describe('formatting', () => {
  it('rates: one decimal percent, — for null', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(2 / 3)).toBe('66.7%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(0)).toBe('0.0%');
    expect(formatChangeRate(2.5)).toBe('+250.0%');
    expect(formatChangeRate(-0.25)).toBe('-25.0%');
    expect(formatChangeRate(0)).toBe('0.0%');
    expect(formatChangeRate(null)).toBe('—');
  });

  it('times: local YYYY-MM-DD HH:mm at the offset', () => {
    expect(formatLocalTime('2026-03-01T16:05:00.000Z', 480)).toBe('2026-03-02 00:05');
    expect(formatLocalTime(null, 480)).toBe('—');
  });
});

describe('reportTables', () => {
  it('gives the tables in order, each row as wide as its header', () => {
    expect(tables.map((t) => t.name)).toEqual(['报表说明', '总体指标', '部门情况', '退回原因', '多次转派工单', '类别趋势', '站点同步']);
    for (const t of tables) {
      expect(t.name.length).toBeLessThanOrEqual(31);
      for (const row of t.rows) expect(row).toHaveLength(t.columns.length);
    }
  });

  it('报表说明', () => {
    expect(table('报表说明').rows).toEqual([
      ['统计期间', '2026-03-02 00:00 至 2026-03-05 00:00（不含结束时刻）'],
      ['对比期间', '2026-02-27 00:00 至 2026-03-02 00:00'],
      ['统计粒度', '日'],
      ['区县', '全部'],
      ['时限判定截至', '2026-03-05 00:00'],
      ['生成时间', '2026-03-05 12:00'],
    ]);
  });

  it('总体指标: the three measures with numerator, denominator, rate', () => {
    const t = table('总体指标');
    expect(t.columns).toEqual(['指标', '分子', '分母', '比率', '口径']);
    expect(t.rows.map((row) => row.slice(0, 4))).toEqual([
      ['分得清（派准率）', 5, 9, '55.6%'],
      ['接得住（按时签收率）', 5, 8, '62.5%'],
      ['办得好（按时反馈率）', 4, 6, '66.7%'],
      ['办得好（满意率）', 2, 3, '66.7%'],
    ]);
  });

  it('部门情况: one row per department, then 合计', () => {
    const t = table('部门情况');
    expect(t.columns).toEqual([
      '部门', '派单数', '退回数', '第3次及以后派单', '多次转派工单', '分得清（派准率）',
      '应签收', '按时签收', '超时签收', '逾期未签收', '接得住（按时签收率）',
      '应反馈', '按时反馈', '超时反馈', '逾期未反馈', '按时反馈率',
      '当前超时', '回访数', '满意', '基本满意', '不满意', '未联系上', '满意率',
    ]);
    expect(t.rows).toEqual([
      ['人社', 1, 0, 0, 0, '100.0%', 1, 1, 0, 0, '100.0%', 1, 1, 0, 0, '100.0%', 0, 1, 0, 1, 0, 0, '100.0%'],
      ['住建城管', 4, 1, 0, 1, '75.0%', 4, 1, 1, 2, '25.0%', 3, 2, 0, 1, '66.7%', 2, 1, 1, 0, 0, 0, '100.0%'],
      ['交通', 3, 2, 0, 1, '33.3%', 2, 2, 0, 0, '100.0%', 1, 0, 1, 0, '0.0%', 0, 1, 0, 0, 0, 1, '—'],
      ['工商质监食药', 1, 0, 1, 1, '0.0%', 1, 1, 0, 0, '100.0%', 1, 1, 0, 0, '100.0%', 0, 1, 0, 0, 1, 0, '0.0%'],
      ['合计', 9, 3, 1, 1, '55.6%', 8, 5, 1, 2, '62.5%', 6, 4, 1, 1, '66.7%', 2, 4, 1, 1, 1, 1, '66.7%'],
    ]);
  });

  it('退回原因 and 多次转派工单', () => {
    expect(table('退回原因').rows).toEqual([
      ['住建城管', 'C-001', '2026-03-02 12:30', '市住建局值班室', '非住建部门职责'],
      ['交通', 'A-001', '2026-03-02 09:30', '市交通运输局值班室', '属供热问题，非交通部门职责'],
      ['交通', 'C-001', '2026-03-02 11:30', '市交通运输局值班室', '系商场消费纠纷，非交通部门职责'],
    ]);
    expect(table('多次转派工单').rows).toEqual([['C-001', 3, '交通（退回） → 住建城管（退回） → 工商质监食药']]);
  });

  it('类别趋势: a column per day, then 合计', () => {
    const t = table('类别趋势');
    expect(t.columns).toEqual(['类别', '主管部门', '本期数量', '上期数量', '增减', '增减幅度', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(t.rows).toEqual([
      ['城市供水', '住建城管', 2, 1, 1, '+100.0%', 1, 0, 1],
      ['拖欠工资', '人社', 1, 1, 0, '0.0%', 1, 0, 0],
      ['城市供暖', '住建城管', 1, 0, 1, '—', 1, 0, 0],
      ['消费投诉', '工商质监食药', 1, 0, 1, '—', 1, 0, 0],
      ['出租车失物', '交通', 1, 0, 1, '—', 0, 1, 0],
      ['未分类', '—', 1, 0, 1, '—', 1, 0, 0],
      ['合计', null, 7, 2, 5, '+250.0%', 5, 1, 1],
    ]);
  });

  it('站点同步', () => {
    expect(table('站点同步')).toEqual({
      name: '站点同步',
      columns: ['站点编号', '站点名称', '待同步事件', '最后同步时间'],
      rows: [
        ['h12345-city', '市12345热线', 3, '2026-03-05 11:58'],
        ['unit-housing', '市住建局值班室', null, '—'],
      ],
    });
  });
});

describe('toCsv', () => {
  it('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    const csv = toCsv({ columns: ['类别', '数量'], rows: [['城市供水', 2]] });
    expect(csv).toBe('\uFEFF类别,数量\r\n城市供水,2\r\n');
    expect([...Buffer.from(csv, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes commas, double quotes, CR and LF (RFC 4180); null is empty', () => {
    const csv = toCsv({
      columns: ['名称', '说明'],
      rows: [
        ['a,b', '他说"好"'],
        ['第一行\n第二行', null],
        ['回车\r在此', '，全角逗号不需引号'],
        [1.5, -3],
      ],
    });
    expect(csv).toBe(
      '\uFEFF名称,说明\r\n' +
        '"a,b","他说""好"""\r\n' +
        '"第一行\n第二行",\r\n' +
        '"回车\r在此",，全角逗号不需引号\r\n' +
        '1.5,-3\r\n',
    );
  });

  it('defuses text a spreadsheet would run as a formula, but not signed numbers', () => {
    expect(csvField('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('-来电人称')).toBe("'-来电人称");
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
    expect(csvField('-25.0%')).toBe('-25.0%');
    expect(csvField('+250.0%')).toBe('+250.0%');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('writes a whole report table', () => {
    const csv = toCsv(table('多次转派工单'));
    expect(csv).toBe('\uFEFF工单编号,派单次数,派单经过\r\nC-001,3,交通（退回） → 住建城管（退回） → 工商质监食药\r\n');
  });
});
