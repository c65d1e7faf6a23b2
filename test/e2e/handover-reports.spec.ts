/**
 * Part 4 end to end: the shift handover sheet (generated from real intakes, printed to PDF
 * through the print stylesheet, masked, confirmed, printed again from the stored event) and
 * the supervision report (on screen, exported to Excel and CSV, read back).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, STATION_110, test as base } from './fixtures';
import type { CaseInput } from './pages/desk';
import { fillDemoData, HandoverPage, ReportsPage, STATION_12345 } from './pages/reports';

const test = base.extend<{ handover: HandoverPage; reports: ReportsPage }>({
  handover: async ({ page }, use) => use(new HandoverPage(page)),
  reports: async ({ page }, use) => use(new ReportsPage(page)),
});

const CASES: CaseInput[] = [
  { name: '孙建国', phone: '13905390001', address: '兰山区解放路1号', description: '解放路主水管爆裂，整条街停水', nature: '求助', category: 'gs', urgent: true, verdict: '非警务类' },
  { name: '周秀英', phone: '13905390002', address: '罗庄区罗程路9号', description: '老板拖欠三个月工资不发，回电 13905390002', nature: '投诉', category: '工资', urgent: false, verdict: '非警务类' },
  { name: '吴海', phone: '13905398888', address: '兰山区通达路夜市', description: '两伙人在夜市打架，有人受伤', nature: '求助', verdict: '警务类' },
];
// what the report promises (src-common/reports/export-rows.ts), written out: the e2e runner
// cannot load src-common (its catalogue is a JSON module)
const TABLE_NAMES = ['报表说明', '总体指标', '部门情况', '退回原因', '多次转派工单', '类别趋势', '站点同步'];
const DEPARTMENTS = '部门情况';
const STATIONS = '站点同步';
const DEPARTMENT_COLUMNS = [
  '部门', '派单数', '退回数', '第3次及以后派单', '多次转派工单', '分得清（派准率）',
  '应签收', '按时签收', '超时签收', '逾期未签收', '接得住（按时签收率）',
  '应反馈', '按时反馈', '超时反馈', '逾期未反馈', '按时反馈率', '当前超时',
  '回访数', '满意', '基本满意', '不满意', '未联系上', '满意率',
];
const OVERALL_LABEL = '合计';
const UTF8_BOM = '\uFEFF';
const FULL_PHONES = ['13905390001', '13905390002', '13905398888'];
const ANY_MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

/** The first page's size as pdfinfo reports it: A4 is 595 x 842 pt (Chromium rounds it a little). */
function pageSize(file: string): { portrait: boolean; a4: boolean } {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  const [w, h] = [Number(m?.[1]), Number(m?.[2])];
  const near = (a: number, b: number) => Math.abs(a - b) < 3;
  return { portrait: h > w, a4: (near(w, 595) && near(h, 842)) || (near(w, 842) && near(h, 595)) };
}

function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

test('the handover sheet: generated, printed to PDF masked, confirmed and printed again as it was', async ({
  page,
  setup,
  intake,
  statusBar,
  handover,
}, testInfo) => {
  await setup.open();
  await setup.complete(STATION_110);
  const caseNos: string[] = [];
  for (const c of CASES) {
    await intake.fill(c);
    await intake.save();
    caseNos.push(await intake.expectSaved());
  }
  expect(caseNos.every((n) => n.length > 10)).toBe(true);
  // two intakes transferred (created, screened, transferred) and one kept by 110 (created,
  // screened), none sent: the status bar counts them once the last save has reached it
  const unsent = 3 + 3 + 2;
  await expect.poll(() => statusBar.outboxCount()).toBe(unsent);

  await handover.open();
  await expect(page.getByLabel('交班人')).toHaveValue(STATION_110.operator);
  await handover.fill({ incoming: '赵敏', notes: '夜市打架一案派出所已出警，请跟进；供水抢修回电 13905390001 未接通。' });
  await handover.generate();

  // on screen: counts, every open item (the urgent one first), the unsynced records
  await expect(handover.count('received')).toHaveText('3');
  await expect(handover.count('screenedNonPolice')).toHaveText('2');
  await expect(handover.count('transferred')).toHaveText('2');
  await expect(handover.openItems).toHaveCount(3);
  await expect(handover.openItems.first()).toContainText(caseNos[0]!);
  await expect(handover.sheet.getByTestId('sheet-unsynced')).toContainText(caseNos[2]!);
  await expect(handover.sheet).toContainText(`共 ${unsent} 条`);
  await expect(handover.sheet).toHaveAttribute('data-masked', 'yes');
  await expect(handover.sheet).toContainText('139****0001');
  expect(await handover.sheet.innerText()).not.toMatch(ANY_MOBILE);

  // full personal data on screen only; the paper copy stays masked
  await handover.showFullPersonalData(true);
  await expect(page.getByTestId('handover-sheet-full')).toContainText('13905390001');
  await expect(handover.sheet).toBeHidden();

  // paper: A4 PDF through the print stylesheet
  const pdf = await handover.pdf();
  const pdfFile = testInfo.outputPath('handover.pdf');
  writeFileSync(pdfFile, pdf);
  const text = pdfText(pdfFile);
  writeFileSync(testInfo.outputPath('handover.txt'), text);
  expect(text).toContain('交接班记录');
  expect(text).toContain(STATION_110.name);
  expect(text).toMatch(/受理\s+甄别为非警务\s+转办\s+派单\s+签收\s+办理反馈\s+办结\s+退回\s+改派/);
  expect(text).toMatch(/^\s*3\s+2\s+2\s+0\s+0\s+0\s+0\s+0\s+0\s*$/m);
  for (const no of caseNos) expect(text).toContain(no);
  expect(text).toContain('仅存于本机、尚未上传中心的记录');
  expect(text).toContain(`共 ${unsent} 条`);
  expect(text).toContain('139****0001');
  expect(text).toContain('139****8888');
  expect(text).toContain('交班人签字');
  expect(text).toContain('接班人签字');
  expect(text).not.toMatch(ANY_MOBILE);
  for (const phone of FULL_PHONES) expect(text).not.toContain(phone);
  // no desk chrome on paper
  expect(text).not.toContain('接报登记');
  expect(text).not.toContain('生成交接班记录');
  expect(text).not.toContain('历次交接班');
  // Chinese set in the bundled font, embedded in the PDF
  const fonts = execFileSync('pdffonts', [pdfFile], { encoding: 'utf8' });
  expect(fonts).toMatch(/NotoSansSC/);
  expect(pageSize(pdfFile)).toEqual({ portrait: true, a4: true });

  // the print view as it looks on paper
  await page.emulateMedia({ media: 'print' });
  await expect(handover.sheet).toBeVisible();
  await expect(page.getByTestId('handover-sheet-full')).toBeHidden();
  await expect(page.getByRole('button', { name: '确认交班' })).toBeHidden();
  const box = (await handover.sheet.boundingBox())!;
  expect(box.height).toBeGreaterThan(400);
  const shot = await page.screenshot({ clip: box, fullPage: true, path: testInfo.outputPath('handover-print.png') });
  const blankStyle = await page.addStyleTag({ content: '.sheet * { visibility: hidden !important; }' });
  const blank = await page.screenshot({ clip: box, fullPage: true });
  await blankStyle.evaluate((el) => (el as Element).remove());
  expect(shot.equals(blank)).toBe(false);
  expect(shot.length).toBeGreaterThan(blank.length * 4);
  await page.emulateMedia({ media: null });
  await handover.showFullPersonalData(false);

  // confirm: recorded as an event waiting for the hub, listed, printed again as it was
  await handover.confirm();
  await expect.poll(() => statusBar.outboxCount()).toBe(unsent + 1);
  await expect(handover.pastHandovers).toHaveCount(1);
  await expect(handover.pastHandovers.first()).toContainText(`${STATION_110.operator} → 赵敏`);
  await expect(handover.pastHandovers.first()).toContainText('待上传');
  // the incoming operator takes the desk from the sheet: what is recorded next carries that name
  await page.getByTestId('take-over').click();
  await expect(page.getByTestId('status-bar')).toContainText('赵敏');
  await expect(page.getByTestId('take-over')).toHaveCount(0);

  await intake.open(); // leave and come back: the stored sheet, not the screen's state
  await intake.fill({ name: '钱女士', phone: '13905390009', address: '河东区人民大街', description: '建议增设公交站', nature: '建议', verdict: '非警务类', transfer: false });
  await intake.save();
  await intake.expectSaved();
  await handover.open();
  await handover.stubPrint();
  await handover.reprint(0);
  await expect.poll(() => handover.printCalls()).toBe(1);
  await expect(handover.count('received')).toHaveText('3');
  await expect(handover.count('screenedNonPolice')).toHaveText('2');
  await expect(handover.count('transferred')).toHaveText('2');
  await expect(handover.openItems).toHaveCount(3);
  await expect(handover.sheet).toContainText('赵敏');
  await expect(handover.sheet.getByTestId('sheet-notes')).toContainText('139****0001');
  await expect(handover.sheet).not.toContainText('钱女士');
  const again = testInfo.outputPath('handover-reprint.pdf');
  writeFileSync(again, await handover.pdf());
  const reprinted = pdfText(again);
  expect(reprinted).toMatch(/^\s*3\s+2\s+2\s+0\s+0\s+0\s+0\s+0\s+0\s*$/m);
  for (const no of caseNos) expect(reprinted).toContain(no);
  expect(reprinted).not.toMatch(ANY_MOBILE);
  expect(reprinted).toContain('赵敏');
  expect(reprinted).not.toContain('历次交接班');
});

test('the supervision report: measures, departments and charts, exported to Excel and CSV', async ({ page, setup, reports }, testInfo) => {
  await setup.open();
  await setup.complete(STATION_12345);
  await fillDemoData(page, 50);
  await reports.open();
  // demo cases spread over the last 30 days: the month of 15 days ago holds at least half of them
  const d = new Date(Date.now() - 15 * 86_400_000);
  const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  await reports.choosePeriod('月报', date);
  await expect(page.getByTestId('report-period')).toContainText('月报');

  await expect(page.getByTestId('measures')).toContainText('分得清');
  await expect(page.getByTestId('measures')).toContainText('接得住');
  await expect(page.getByTestId('measures')).toContainText('办得好');
  await expect(page.getByTestId('measure-sorted')).toHaveText(/^(\d+\.\d%|—)$/);
  await expect(reports.departmentTable).toBeVisible();
  const headers = await reports.departmentTable.locator('thead th').allInnerTexts();
  expect(headers).toEqual(DEPARTMENT_COLUMNS);
  const screenRows = await reports.departmentTable.locator('tbody tr').count();
  expect(screenRows).toBeGreaterThanOrEqual(2);
  const totalRow = reports.departmentTable.locator('tbody tr').last();
  await expect(totalRow.locator('td').first()).toHaveText(OVERALL_LABEL);
  const assignedOnScreen = Number(await totalRow.locator('td').nth(1).innerText());
  expect(assignedOnScreen).toBeGreaterThan(0);
  const firstDepartment = await reports.departmentTable.locator('tbody tr').first().locator('td').first().innerText();
  await expect(page.getByTestId('chart-departments').locator('svg')).toBeVisible();
  await expect(page.getByTestId('chart-departments').locator('svg')).toContainText(firstDepartment);
  await expect(page.getByTestId('chart-categories').locator('svg')).toBeVisible();

  // Excel: one worksheet per table, Chinese headers, the figures on screen
  const xlsxFile = testInfo.outputPath('report.xlsx');
  const xlsx = await reports.exportExcel(xlsxFile);
  expect(xlsx.suggestedFilename()).toMatch(/^督办通报-.+\.xlsx$/);
  const mod = await import('exceljs');
  const Excel = (mod as unknown as { default?: typeof mod }).default ?? mod;
  const wb = new Excel.Workbook();
  await wb.xlsx.load(readFileSync(xlsxFile) as unknown as ArrayBuffer);
  expect(wb.worksheets.map((w) => w.name)).toEqual(TABLE_NAMES);
  const ws = wb.getWorksheet(DEPARTMENTS)!;
  expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(DEPARTMENT_COLUMNS);
  expect(ws.rowCount).toBe(screenRows + 1);
  expect(ws.getRow(ws.rowCount).getCell(1).value).toBe(OVERALL_LABEL);
  expect(ws.getRow(ws.rowCount).getCell(2).value).toBe(assignedOnScreen);
  expect(ws.getRow(2).getCell(1).value).toBe(firstDepartment);
  const stations = wb.getWorksheet(STATIONS)!;
  expect(stations.getRow(2).getCell(2).value).toBe(STATION_12345.name);

  // CSV: the department table, with the BOM Excel needs and the same header
  const csvFile = testInfo.outputPath('departments.csv');
  await reports.exportCsv(csvFile);
  const bytes = readFileSync(csvFile);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const csv = bytes.toString('utf8');
  expect(csv.startsWith(UTF8_BOM)).toBe(true);
  const lines = csv.slice(1).split('\r\n');
  expect(lines[0]).toBe(DEPARTMENT_COLUMNS.join(','));
  expect(lines[lines.length - 2]!.startsWith(`${OVERALL_LABEL},${assignedOnScreen},`)).toBe(true);

  // paper: landscape A4, the report alone, chart text included
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const pdfFile = join(testInfo.outputDir, 'report.pdf');
  writeFileSync(pdfFile, await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }));
  const text = pdfText(pdfFile);
  expect(text).toContain('督办通报');
  expect(text).toContain('分得清');
  expect(text).toContain(DEPARTMENTS);
  expect(text).not.toContain('导出 Excel');
  expect(pageSize(pdfFile)).toEqual({ portrait: false, a4: true });
});
