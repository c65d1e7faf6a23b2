/**
 * The supervision report as tables, for CSV/XLSX export and for on-screen tables: one table
 * per sheet, Chinese sheet names and headers. Counts stay numbers; rates are percentages
 * with one decimal ("87.5%"), "—" when the denominator is 0; times are local
 * ("YYYY-MM-DD HH:mm", at the report's UTC offset).
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import { SATISFACTION_LABELS } from '../domain/vocabulary';
import { epochMs } from './case-replay';
import { GRANULARITY_LABELS, type DepartmentFigures, type SupervisionReport } from './supervision';

export type Cell = string | number | null;

export interface ExportTable {
  /** Chinese sheet name (≤ 31 characters, no []:*?/\ so XLSX accepts it) */
  name: string;
  columns: string[];
  rows: Cell[][];
}

export const NOT_AVAILABLE = '—';

/** A rate as a percentage with one decimal, "—" for null. */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return NOT_AVAILABLE;
  return `${(rate * 100).toFixed(1)}%`;
}

/** A change rate with its sign ("+50.0%", "-25.0%", "0.0%"), "—" for null. */
export function formatChangeRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return NOT_AVAILABLE;
  const text = formatRate(rate);
  return rate > 0 ? `+${text}` : text;
}

/** An ISO instant as local "YYYY-MM-DD HH:mm" at the given offset; "—" for null. */
export function formatLocalTime(iso: string | null, offsetMinutes: number): string {
  if (iso === null) return NOT_AVAILABLE;
  const t = epochMs(iso);
  if (!Number.isFinite(t)) return iso;
  const d = new Date(t + offsetMinutes * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

// ---------------------------------------------------------------------------------------
// Sheet names and headers: what the UI shows
// ---------------------------------------------------------------------------------------

export const TABLE_NAMES = {
  info: '报表说明',
  measures: '总体指标',
  departments: '部门情况',
  returns: '退回原因',
  bounced: '多次转派工单',
  categories: '类别趋势',
  stations: '站点同步',
} as const;

export const INFO_COLUMNS = ['项目', '内容'];

export const MEASURE_COLUMNS = ['指标', '分子', '分母', '比率', '口径'];

/** The three measures, with the definition printed beside each. */
export const MEASURE_DEFINITIONS = {
  sortedRight: {
    label: '分得清（派准率）',
    definition: '1 −（退回数 + 第3次及以后派单数）÷ 派单数；分子 = 派单数 − 退回数 − 第3次及以后派单数（不小于 0）',
  },
  received: {
    label: '接得住（按时签收率）',
    definition: '按时签收数 ÷ 应签收数；应签收 = 签收时限在本期内、已签收或已过时限的派单（时限前退回未签收的不计）',
  },
  feedbackOnTime: {
    label: '办得好（按时反馈率）',
    definition: '按时反馈数 ÷ 应反馈数；反馈时限计入已批准的延期；应反馈 = 反馈时限在本期内、已反馈或已过时限的派单',
  },
  satisfaction: {
    label: '办得好（满意率）',
    definition: '（满意 + 基本满意）÷（回访数 − 未联系上）',
  },
} as const;

export const DEPARTMENT_COLUMNS = [
  '部门',
  '派单数',
  '退回数',
  '第3次及以后派单',
  '多次转派工单',
  '分得清（派准率）',
  '应签收',
  '按时签收',
  '超时签收',
  '逾期未签收',
  '接得住（按时签收率）',
  '应反馈',
  '按时反馈',
  '超时反馈',
  '逾期未反馈',
  '按时反馈率',
  '当前超时',
  '回访数',
  SATISFACTION_LABELS.satisfied,
  SATISFACTION_LABELS.basicallySatisfied,
  SATISFACTION_LABELS.unsatisfied,
  SATISFACTION_LABELS.unreachable,
  '满意率',
];

export const RETURN_COLUMNS = ['部门', '工单编号', '退回时间', '退回单位', '退回理由'];

export const BOUNCED_COLUMNS = ['工单编号', '派单次数', '派单经过'];

/** Followed by one column per bucket (its label). */
export const CATEGORY_COLUMNS = ['类别', '主管部门', '本期数量', '上期数量', '增减', '增减幅度'];

export const STATION_COLUMNS = ['站点编号', '站点名称', '待同步事件', '最后同步时间'];

function departmentRow(d: DepartmentFigures): Cell[] {
  const c = d.callbacks;
  return [
    d.name,
    d.assigned,
    d.returned,
    d.reassignedBeyondFirst,
    d.bouncedCases,
    formatRate(d.sortedRight.rate),
    d.ackDue,
    d.ackOnTime,
    d.ackLate,
    d.ackMissing,
    formatRate(d.received.rate),
    d.feedbackDue,
    d.feedbackOnTime,
    d.feedbackLate,
    d.feedbackMissing,
    formatRate(d.feedbackOnTimeRate.rate),
    d.overdueNow,
    c.total,
    c.satisfied,
    c.basicallySatisfied,
    c.unsatisfied,
    c.unreachable,
    formatRate(d.satisfaction.rate),
  ];
}

/**
 * The report as tables, in this order: 报表说明, 总体指标, 部门情况 (one row per department,
 * then 合计), 退回原因, 多次转派工单, 类别趋势 (one row per category, then 合计), 站点同步.
 */
export function reportTables(report: SupervisionReport): ExportTable[] {
  const off = report.utcOffsetMinutes;
  const t = (iso: string | null) => formatLocalTime(iso, off);
  const m = report.measures;

  const info: ExportTable = {
    name: TABLE_NAMES.info,
    columns: INFO_COLUMNS,
    rows: [
      ['统计期间', `${t(report.period.from)} 至 ${t(report.period.to)}（不含结束时刻）`],
      ['对比期间', `${t(report.period.previousFrom)} 至 ${t(report.period.previousTo)}`],
      ['统计粒度', GRANULARITY_LABELS[report.period.granularity]],
      ['区县', report.district ?? '全部'],
      ['时限判定截至', t(report.period.asOf)],
      ['生成时间', t(report.generatedAt)],
    ],
  };

  const measure = (key: keyof typeof MEASURE_DEFINITIONS, r: { numerator: number; denominator: number; rate: number | null }): Cell[] => [
    MEASURE_DEFINITIONS[key].label,
    r.numerator,
    r.denominator,
    formatRate(r.rate),
    MEASURE_DEFINITIONS[key].definition,
  ];
  const measures: ExportTable = {
    name: TABLE_NAMES.measures,
    columns: MEASURE_COLUMNS,
    rows: [
      measure('sortedRight', m.sortedRight),
      measure('received', m.received),
      measure('feedbackOnTime', m.handledWell.feedbackOnTime),
      measure('satisfaction', m.handledWell.satisfaction),
    ],
  };

  const departments: ExportTable = {
    name: TABLE_NAMES.departments,
    columns: DEPARTMENT_COLUMNS,
    rows: [...report.departments.map(departmentRow), departmentRow(report.overall)],
  };

  const returns: ExportTable = {
    name: TABLE_NAMES.returns,
    columns: RETURN_COLUMNS,
    rows: report.departments.flatMap((d) =>
      d.returnReasons.map((r): Cell[] => [d.name, r.caseNo, t(r.at), r.stationName, r.reason]),
    ),
  };

  const bounced: ExportTable = {
    name: TABLE_NAMES.bounced,
    columns: BOUNCED_COLUMNS,
    rows: report.bouncedCases.map((b): Cell[] => [
      b.caseNo,
      b.assignmentCount,
      b.chain.map((a) => `${a.name}${a.returned ? '（退回）' : ''}`).join(' → '),
    ]),
  };

  const categories: ExportTable = {
    name: TABLE_NAMES.categories,
    columns: [...CATEGORY_COLUMNS, ...report.buckets.map((b) => b.label)],
    rows: [
      ...report.categories.map((c): Cell[] => [
        c.name,
        c.departmentName ?? NOT_AVAILABLE,
        c.volume,
        c.previous,
        c.change,
        formatChangeRate(c.changeRate),
        ...c.byBucket,
      ]),
      [
        '合计',
        null,
        report.totals.received,
        report.totals.previousReceived,
        report.totals.change,
        formatChangeRate(report.totals.changeRate),
        ...report.totals.receivedByBucket,
      ],
    ],
  };

  const stations: ExportTable = {
    name: TABLE_NAMES.stations,
    columns: STATION_COLUMNS,
    rows: report.stations.map((s): Cell[] => [s.stationId, s.name, s.pendingEvents, t(s.lastSyncAt)]),
  };

  return [info, measures, departments, returns, bounced, categories, stations];
}

// ---------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------

/** The byte order mark Excel needs to read a CSV as UTF-8. */
export const UTF8_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/;
/** Text a spreadsheet would run as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Signed numbers and percentages ("-3", "+50.0%") are data, not formulas. */
const SIGNED_NUMBER = /^[+-]\d+(\.\d+)?%?$/;

/**
 * One CSV field (RFC 4180): null is empty; a number is written as is; text containing a
 * comma, a double quote, CR or LF is put in double quotes with each double quote doubled.
 * Text that a spreadsheet would run as a formula (starting with = + - @, a tab or CR, and not
 * a signed number) gets a leading apostrophe, so a return reason cannot run in Excel.
 */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  let text = cell;
  if (FORMULA_START.test(text) && !SIGNED_NUMBER.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table as CSV: UTF-8 BOM, the header line, one line per row, each line ended by CRLF. */
export function toCsv(table: Pick<ExportTable, 'columns' | 'rows'>): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvField).join(','));
  return `${UTF8_BOM}${lines.map((l) => `${l}\r\n`).join('')}`;
}
