/**
 * 督办通报 (F7): how the linked system did over a day, a week or a month, from every event
 * this desk holds (buildSupervisionReport): the policy's three measures with their
 * definitions, each department, returns with their reasons, buck-passing cases, category
 * volume and its trend, and this station's sync. Charts are Apache ECharts (SVG: crisp on
 * paper), in the desk's theme on screen and black on white on paper. Exports: Excel (one
 * worksheet per table, exceljs loaded only when asked) and CSV (the department table).
 */
import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import '../print.css';
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState } from 'react';
import { loadDefaultCatalogue } from '../../../src-common/domain';
import {
  buildSupervisionReport,
  DEFAULT_UTC_OFFSET_MINUTES,
  formatLocalTime,
  formatRate,
  localDate,
  MEASURE_DEFINITIONS,
  reportTables,
  TABLE_NAMES,
  toCsv,
  type ExportTable,
  type Granularity,
  type Ratio,
  type SupervisionReport,
} from '../../../src-common/reports';
import { useDesk } from '../app/desk-store';
import { DISTRICTS } from '../app/districts';
import { shell } from '../shell';
import type { StoredEvent } from '../store/db';
import { readAllEvents } from '../store/hub-seqs';
import { useSync } from '../sync/sync-service';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

type ChartOption = echarts.ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

const OFFSET = DEFAULT_UTC_OFFSET_MINUTES;
const DAY = 86_400_000;
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type PeriodKind = 'day' | 'week' | 'month';
const PERIOD_LABELS: Record<PeriodKind, string> = { day: '日报', week: '周报', month: '月报' };
/** the trend's buckets: a week by day, a month by week */
const BUCKETS: Record<PeriodKind, Granularity> = { day: 'day', week: 'day', month: 'week' };

/**
 * The period containing a local date (China Standard Time): that day, its Monday-to-Sunday
 * week, or its calendar month, as half-open ISO instants.
 */
export function periodOf(kind: PeriodKind, date: string, offsetMinutes = OFFSET): { from: string; to: string } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const shift = offsetMinutes * 60_000;
  let from: number;
  let to: number;
  if (kind === 'day') {
    from = Date.UTC(y, m - 1, d) - shift;
    to = from + DAY;
  } else if (kind === 'week') {
    const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    from = Date.UTC(y, m - 1, d - ((dow + 6) % 7)) - shift;
    to = from + 7 * DAY;
  } else {
    from = Date.UTC(y, m - 1, 1) - shift;
    to = Date.UTC(y, m, 1) - shift;
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

function periodText(kind: PeriodKind, from: string, to: string): string {
  const a = localDate(Date.parse(from), OFFSET);
  const b = localDate(Date.parse(to) - 1, OFFSET);
  if (kind === 'day') return a;
  if (kind === 'month') return `${a.slice(0, 4)}年${Number(a.slice(5, 7))}月`;
  return `${a} 至 ${b}`;
}

function fileLabel(kind: PeriodKind, from: string, to: string): string {
  const a = localDate(Date.parse(from), OFFSET);
  const b = localDate(Date.parse(to) - 1, OFFSET);
  return kind === 'day' ? a : kind === 'month' ? a.slice(0, 7) : `${a}至${b}`;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Display width of a cell for a column width: CJK characters count double. */
function cellWidth(v: unknown): number {
  let w = 0;
  for (const ch of String(v ?? '')) w += /[\u2e80-\uffff]/.test(ch) ? 2 : 1;
  return w;
}

/** The .xlsx of the report: one worksheet per table, header row bold and frozen. */
export async function reportWorkbook(tables: readonly ExportTable[]): Promise<Uint8Array> {
  const mod = await import('exceljs');
  const Excel = (mod as unknown as { default?: typeof mod }).default ?? mod;
  const wb = new Excel.Workbook();
  wb.creator = '接转办工作台';
  wb.created = new Date();
  for (const t of tables) {
    const ws = wb.addWorksheet(t.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(t.columns);
    for (const row of t.rows) ws.addRow(row);
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).alignment = { vertical: 'middle', wrapText: true };
    t.columns.forEach((c, i) => {
      const widest = Math.max(cellWidth(c), ...t.rows.map((r) => cellWidth(r[i])));
      ws.getColumn(i + 1).width = Math.min(60, Math.max(8, widest + 2));
    });
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------
// Theme and charts
// ---------------------------------------------------------------------------------------

type Look = 'dark' | 'light' | 'paper';

function currentTheme(): 'dark' | 'light' {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

/** The chart look: the desk's theme on screen, 'paper' while printing. */
function useLook(): Look {
  const [theme, setTheme] = useState(currentTheme);
  const [printing, setPrinting] = useState(false);
  useEffect(() => {
    const mo = new MutationObserver(() => setTheme(currentTheme()));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const before = () => setPrinting(true);
    const after = () => setPrinting(false);
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    return () => {
      mo.disconnect();
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
    };
  }, []);
  return printing ? 'paper' : theme;
}

interface Palette {
  text: string;
  muted: string;
  line: string;
  series: string[];
}

function paletteOf(look: Look): Palette {
  if (look === 'paper') return { text: '#000', muted: '#333', line: '#bbb', series: ['#1f4e99', '#2e7d32', '#c75000', '#6a1b9a', '#b71c1c', '#00838f', '#555'] };
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', look === 'dark' ? '#d6dde5' : '#1c2530'),
    muted: v('--muted', '#8c99a6'),
    line: v('--line', '#2c3540'),
    series:
      look === 'dark'
        ? ['#4c8df6', '#5fd08a', '#f0b450', '#c59cff', '#ff7b72', '#39c5cf', '#8c99a6']
        : ['#1f6feb', '#1b7f3b', '#c86b00', '#7c3aed', '#c62828', '#0e7c86', '#5b6875'],
  };
}

const pct = (r: Ratio) => (r.rate === null ? '-' : Math.round(r.rate * 1000) / 10);

function departmentChart(report: SupervisionReport, p: Palette): ChartOption {
  const names = report.departments.map((d) => d.name);
  const label = { show: true, position: 'top' as const, color: p.text, fontSize: 10, formatter: '{c}%' };
  return {
    animation: false,
    backgroundColor: 'transparent',
    color: p.series,
    textStyle: { fontFamily: "'Noto Sans SC', 'Noto Sans CJK SC', sans-serif", color: p.text },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? `${v}%` : '—') },
    legend: { top: 0, textStyle: { color: p.text } },
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: names,
      axisLabel: { color: p.text, interval: 0, rotate: names.length > 6 ? 30 : 0, fontSize: 11 },
      axisLine: { lineStyle: { color: p.muted } },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      axisLabel: { color: p.muted, formatter: '{value}%' },
      splitLine: { lineStyle: { color: p.line } },
    },
    series: [
      { name: '按时签收率', type: 'bar', data: report.departments.map((d) => pct(d.received)), label, barMaxWidth: 28 },
      { name: '按时反馈率', type: 'bar', data: report.departments.map((d) => pct(d.feedbackOnTimeRate)), label, barMaxWidth: 28 },
    ],
  };
}

const TOP_CATEGORIES = 6;

function bucketLabel(label: string): string {
  // 'YYYY-MM-DD' -> 'MM-DD'; a week 'YYYY-MM-DD～YYYY-MM-DD' -> 'MM-DD～MM-DD'
  return label.replace(/\d{4}-(\d{2}-\d{2})/g, '$1');
}

function categoryChart(report: SupervisionReport, p: Palette): ChartOption {
  const top = report.categories.filter((c) => c.volume > 0).slice(0, TOP_CATEGORIES);
  // buckets that have not begun yet (the rest of this week or month) are left blank, not drawn as 0
  const asOf = Date.parse(report.period.asOf);
  const begun = report.buckets.map((b) => Date.parse(b.start) < asOf);
  const series: LineSeriesOption[] = top.map((c) => ({
    name: c.name,
    type: 'line',
    data: c.byBucket.map((n, i) => (begun[i] ? n : null)),
    symbolSize: 6,
    showSymbol: true,
  }));
  return {
    animation: false,
    backgroundColor: 'transparent',
    color: p.series,
    textStyle: { fontFamily: "'Noto Sans SC', 'Noto Sans CJK SC', sans-serif", color: p.text },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll', textStyle: { color: p.text }, pageTextStyle: { color: p.text } },
    grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: report.buckets.length === 1,
      data: report.buckets.map((b) => bucketLabel(b.label)),
      axisLabel: { color: p.text, fontSize: 11 },
      axisLine: { lineStyle: { color: p.muted } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: p.muted },
      splitLine: { lineStyle: { color: p.line } },
    },
    series,
  };
}

function Chart({ option, label, testId }: { option: ChartOption; label: string; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const node = el.current!;
    const c = echarts.init(node, undefined, { renderer: 'svg', locale: 'ZH' });
    chart.current = c;
    // a viewBox lets paper scale the drawing to the page width (print.css); zrender sets none on screen
    c.on('finished', () => node.querySelector('svg')?.setAttribute('viewBox', `0 0 ${c.getWidth()} ${c.getHeight()}`));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={el} className="chart" role="img" aria-label={label} data-testid={testId} />;
}

// ---------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------

/** Names, case numbers and times (not counts, rates or "—") read from the left. */
function isWords(cell: unknown): boolean {
  return typeof cell === 'string' && cell !== '—' && !/^[+-]?\d+(\.\d+)?%?$/.test(cell);
}

function ReportTable({
  table,
  testId,
  textColumns = [],
  totalRow = false,
  empty,
}: {
  table: ExportTable;
  testId: string;
  textColumns?: number[];
  totalRow?: boolean;
  empty: string;
}) {
  if (table.rows.length === 0) return <p className="empty-row" data-testid={`${testId}-empty`}>{empty}</p>;
  return (
    <div className="report-table-wrap">
      <table className="report-table" data-testid={testId}>
        <thead>
          <tr>{table.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r} className={totalRow && r === table.rows.length - 1 ? 'total' : ''}>
              {row.map((cell, i) => (
                <td key={i} className={textColumns.includes(i) ? 'text' : isWords(cell) ? 'words' : ''}>
                  {cell === null ? '—' : cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Figure({ label, ratio, testId }: { label: string; ratio: Ratio; testId: string }) {
  return (
    <div className="m-figure">
      <span className="m-value" data-testid={testId}>{formatRate(ratio.rate)}</span>
      <span className="m-label">{label}</span>
      <span className="m-frac">{ratio.numerator} / {ratio.denominator}</span>
    </div>
  );
}

function Measures({ report }: { report: SupervisionReport }) {
  const m = report.measures;
  return (
    <div className="measures" data-testid="measures">
      <section className="measure m-sorted" aria-label="分得清">
        <div className="m-title">分得清<small>派得准，不退回、不反复转派</small></div>
        <div className="m-figures">
          <Figure label="派准率" ratio={m.sortedRight} testId="measure-sorted" />
        </div>
        <p className="m-def">{MEASURE_DEFINITIONS.sortedRight.definition}</p>
      </section>
      <section className="measure m-received" aria-label="接得住">
        <div className="m-title">接得住<small>派单按时签收</small></div>
        <div className="m-figures">
          <Figure label="按时签收率" ratio={m.received} testId="measure-received" />
        </div>
        <p className="m-def">{MEASURE_DEFINITIONS.received.definition}</p>
      </section>
      <section className="measure m-handled" aria-label="办得好">
        <div className="m-title">办得好<small>按时反馈，群众满意</small></div>
        <div className="m-figures">
          <Figure label="按时反馈率" ratio={m.handledWell.feedbackOnTime} testId="measure-feedback" />
          <Figure label="满意率" ratio={m.handledWell.satisfaction} testId="measure-satisfaction" />
        </div>
        <p className="m-def">
          按时反馈率 = {MEASURE_DEFINITIONS.feedbackOnTime.definition}
          <br />
          满意率 = {MEASURE_DEFINITIONS.satisfaction.definition}
        </p>
      </section>
    </div>
  );
}

// ---------------------------------------------------------------------------------------
// The screen
// ---------------------------------------------------------------------------------------

export function ReportsScreen() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const toast = useDesk((s) => s.toast);
  const lastSyncAt = useSync((s) => s.lastSuccessAt);

  const [kind, setKind] = useState<PeriodKind>('week');
  const [date, setDate] = useState(() => localDate(Date.now(), OFFSET));
  const [district, setDistrict] = useState<string>('');
  const [held, setHeld] = useState<{ events: StoredEvent[]; pending: number; at: string } | null>(null);
  const [busy, setBusy] = useState('');
  const look = useLook();

  useEffect(() => {
    let live = true;
    void Promise.all([readAllEvents(db), db.outbox.count()]).then(([events, pending]) => {
      if (live) setHeld({ events, pending, at: new Date().toISOString() });
    });
    return () => {
      live = false;
    };
  }, [db, dataVersion]);

  const period = useMemo(() => periodOf(kind, date || localDate(Date.now(), OFFSET)), [kind, date]);

  const districts = useMemo(() => {
    const seen = new Set<string>(DISTRICTS);
    for (const e of held?.events ?? []) if (e.type === 'case.created') seen.add(e.payload.location.district.trim());
    return [...seen].filter((d) => d !== '');
  }, [held]);

  const built = useMemo((): { report: SupervisionReport; tables: ExportTable[] } | { error: string } | null => {
    if (!held) return null;
    try {
      const report = buildSupervisionReport({
        events: held.events,
        period: { ...period, granularity: BUCKETS[kind] },
        district: district || null,
        catalogue: loadDefaultCatalogue(),
        now: held.at,
        stations: [{ stationId: station.stationId, name: station.name, pendingEvents: held.pending, lastSyncAt }],
      });
      return { report, tables: reportTables(report) };
    } catch (e) {
      return { error: String((e as Error)?.message ?? e) };
    }
  }, [held, period, kind, district, station.stationId, station.name, lastSyncAt]);

  const report = built && 'report' in built ? built.report : null;
  const tables = built && 'tables' in built ? built.tables : null;
  const table = (name: string) => tables?.find((t) => t.name === name) ?? null;

  const palette = useMemo(() => paletteOf(look), [look]);
  const barOption = useMemo(() => (report ? departmentChart(report, palette) : null), [report, palette]);
  const lineOption = useMemo(() => (report ? categoryChart(report, palette) : null), [report, palette]);

  const label = fileLabel(kind, period.from, period.to);
  const districtLabel = district || '全部区县';

  async function exportExcel() {
    if (!tables) return;
    setBusy('xlsx');
    try {
      const bytes = await reportWorkbook(tables);
      const r = await shell.saveFile({
        suggestedName: `督办通报-${label}${district ? `-${district}` : ''}.xlsx`,
        content: bytesToBase64(bytes),
        encoding: 'base64',
        mime: XLSX_MIME,
      });
      if (r.saved) toast('ok', `已导出 Excel${r.path ? `：${r.path}` : ''}`);
    } catch (e) {
      toast('error', `导出失败：${String((e as Error)?.message ?? e)}`);
    } finally {
      setBusy('');
    }
  }

  async function exportCsv() {
    const t = table(TABLE_NAMES.departments);
    if (!t) return;
    try {
      const r = await shell.saveFile({
        suggestedName: `督办通报-${TABLE_NAMES.departments}-${label}${district ? `-${district}` : ''}.csv`,
        content: toCsv(t),
        encoding: 'utf8',
        mime: 'text/csv;charset=utf-8',
      });
      if (r.saved) toast('ok', `已导出 CSV${r.path ? `：${r.path}` : ''}`);
    } catch (e) {
      toast('error', `导出失败：${String((e as Error)?.message ?? e)}`);
    }
  }

  async function print() {
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    await document.fonts?.ready;
    const r = await shell.print({ silent: false, landscape: true });
    if (!r.ok && r.reason) toast('error', `打印未完成：${r.reason}`);
  }

  const departments = table(TABLE_NAMES.departments);
  const returns = table(TABLE_NAMES.returns);
  const bounced = table(TABLE_NAMES.bounced);
  const categories = table(TABLE_NAMES.categories);
  const stations = table(TABLE_NAMES.stations);

  return (
    <div className="reports-screen">
      <section className="panel no-print" aria-label="报表条件">
        <div className="report-controls">
          <div className="field">
            <span className="label">统计周期</span>
            <div className="choices" role="radiogroup" aria-label="统计周期">
              {(['day', 'week', 'month'] as const).map((k) => (
                <label key={k}>
                  <input type="radio" name="report-period" checked={kind === k} onChange={() => setKind(k)} />
                  {PERIOD_LABELS[k]}
                </label>
              ))}
            </div>
          </div>
          <div className="field">
            <label htmlFor="report-date">日期（所在{kind === 'day' ? '日' : kind === 'week' ? '周' : '月'}）</label>
            <input id="report-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="report-district">区县</label>
            <select id="report-district" value={district} onChange={(e) => setDistrict(e.target.value)}>
              <option value="">全部区县</option>
              {districts.map((d) => <option key={d} value={d}>{d}</option>)}
            </select>
          </div>
          <span className="spacer" />
          <div className="btn-row">
            <button type="button" className="btn primary" disabled={!tables || busy !== ''} onClick={() => void exportExcel()}>
              {busy === 'xlsx' ? '正在导出…' : '导出 Excel'}
            </button>
            <button type="button" className="btn" disabled={!tables} onClick={() => void exportCsv()}>导出 CSV</button>
            <button type="button" className="btn" disabled={!report} onClick={() => void print()}>打印</button>
          </div>
        </div>
        <p className="hint" style={{ margin: '10px 0 0' }}>
          依据本机保存的全部记录（含其他站点同步来的记录）统计；时间按北京时间。导出 CSV 为“部门情况”表，导出 Excel 含全部表格。
        </p>
      </section>

      {built === null && <p className="busy">正在读取本机记录…</p>}
      {built && 'error' in built && <p className="form-error" role="alert">{built.error}</p>}

      {report && tables && (
        <div className="report" data-testid="report">
          <div className="report-head">
            <h1>督办通报</h1>
            <span className="period" data-testid="report-period">
              {PERIOD_LABELS[kind]} · {periodText(kind, period.from, period.to)} · {districtLabel}
            </span>
            <span className="period">统计截至 {formatLocalTime(report.period.asOf, OFFSET)}</span>
          </div>

          <div className="totals" data-testid="report-totals">
            <span>受理<strong>{report.totals.received}</strong>件</span>
            <span>
              上期<strong>{report.totals.previousReceived}</strong>件（{report.totals.change >= 0 ? '+' : ''}
              {report.totals.change}）
            </span>
            <span>派单<strong>{report.overall.assigned}</strong>次</span>
            <span>转办<strong>{report.totals.transferred}</strong>件</span>
            <span>转办被退回<strong>{report.totals.transferReturned}</strong>次</span>
            <span title="转办给12345或联动单位、签收时限已过仍未签收的在办工单（当前数）">转办超时未签收<strong>{report.totals.overdueTransfers}</strong>件</span>
            <span title="派给各部门、当前已超过签收或反馈时限的在办工单（当前数）">派单当前超时<strong>{report.overall.overdueNow}</strong>件</span>
          </div>

          <Measures report={report} />

          <div className="charts">
            <section className="panel" aria-label="各部门按时签收率与按时反馈率">
              <h2>各部门按时签收率与按时反馈率</h2>
              {report.departments.length === 0 ? (
                <p className="empty-row">本期没有派单。</p>
              ) : (
                barOption && <Chart option={barOption} label="各部门按时签收率与按时反馈率柱状图" testId="chart-departments" />
              )}
            </section>
            <section className="panel" aria-label="诉求类别数量趋势">
              <h2>诉求类别数量趋势<small>本期数量前 {TOP_CATEGORIES} 类；合计见“类别趋势”表</small></h2>
              {report.totals.received === 0 ? (
                <p className="empty-row">本期没有受理。</p>
              ) : (
                lineOption && <Chart option={lineOption} label="诉求类别数量趋势折线图" testId="chart-categories" />
              )}
            </section>
          </div>

          <section className="panel" aria-label={TABLE_NAMES.departments}>
            <h2>{TABLE_NAMES.departments}<small>按职责目录顺序，末行为合计</small></h2>
            {departments && <ReportTable table={departments} testId="table-departments" totalRow empty="本期没有派单。" />}
          </section>

          <section className="panel" aria-label={TABLE_NAMES.returns}>
            <h2>{TABLE_NAMES.returns}<small>共 {returns?.rows.length ?? 0} 次</small></h2>
            {returns && <ReportTable table={returns} testId="table-returns" textColumns={[4]} empty="本期没有退回。" />}
          </section>

          <section className="panel" aria-label={TABLE_NAMES.bounced}>
            <h2>{TABLE_NAMES.bounced}<small>派单 3 次及以上（推诿扯皮的信号）</small></h2>
            {bounced && <ReportTable table={bounced} testId="table-bounced" textColumns={[2]} empty="本期没有多次转派的工单。" />}
          </section>

          <section className="panel" aria-label={TABLE_NAMES.categories}>
            <h2>{TABLE_NAMES.categories}<small>本期与上期对比，末行为合计</small></h2>
            {categories && <ReportTable table={categories} testId="table-categories" totalRow empty="本期没有受理。" />}
          </section>

          <section className="panel" aria-label={TABLE_NAMES.stations}>
            <h2>{TABLE_NAMES.stations}</h2>
            {stations && <ReportTable table={stations} testId="table-stations" empty="—" />}
          </section>
        </div>
      )}
    </div>
  );
}
