/** Page objects for part 4: 交接班 (F6) and 督办通报 (F7). */
import { expect, type Download, type Locator, type Page } from '@playwright/test';

export type CountKey =
  | 'received'
  | 'screenedNonPolice'
  | 'transferred'
  | 'assigned'
  | 'acknowledged'
  | 'feedback'
  | 'closed'
  | 'returned'
  | 'reassigned';

export class HandoverPage {
  /** the sheet that prints (masked), whether a fresh one or a stored one */
  readonly sheet: Locator;
  readonly openItems: Locator;
  readonly pastHandovers: Locator;
  constructor(readonly page: Page) {
    this.sheet = page.getByTestId('handover-sheet');
    this.openItems = this.sheet.getByTestId('open-item');
    this.pastHandovers = page.getByTestId('past-handover');
  }
  async open() {
    await expect(this.page.getByTestId('status-bar')).toBeVisible();
    await this.page.keyboard.press('F6');
    await expect(this.page.getByRole('heading', { name: '历次交接班' })).toBeVisible();
    await expect(this.page.getByLabel('班次开始')).not.toHaveValue('');
  }
  async fill(f: { outgoing?: string; incoming?: string; notes?: string }) {
    if (f.outgoing !== undefined) await this.page.getByLabel('交班人').fill(f.outgoing);
    if (f.incoming !== undefined) await this.page.getByLabel('接班人').fill(f.incoming);
    if (f.notes !== undefined) await this.page.getByLabel('交接事项').fill(f.notes);
  }
  async generate() {
    await this.page.getByRole('button', { name: '生成交接班记录' }).click();
    await expect(this.sheet).toBeVisible();
  }
  count(key: CountKey): Locator {
    return this.sheet.getByTestId(`count-${key}`);
  }
  async showFullPersonalData(on: boolean) {
    await this.page.getByRole('checkbox', { name: /显示完整个人信息/ }).setChecked(on);
  }
  async confirm() {
    await this.page.getByRole('button', { name: '确认交班' }).click();
    await expect(this.page.getByTestId('sheet-state')).toContainText('已于');
  }
  /**
   * Count window.print() calls instead of printing (the browser edition's shell.print): a
   * headless print job would block page.pdf() for a while.
   */
  async stubPrint() {
    await this.page.evaluate(() => {
      const w = window as unknown as { __printCalls: number };
      w.__printCalls = 0;
      window.print = () => {
        w.__printCalls += 1;
      };
    });
  }
  printCalls(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __printCalls?: number }).__printCalls ?? 0);
  }
  async reprint(index = 0) {
    await this.pastHandovers.nth(index).getByRole('button', { name: '重新打印' }).click();
    await expect(this.page.getByTestId('sheet-state')).toContainText('原样');
  }
  /** Render the page for paper (print stylesheet, bundled font loaded) and return the PDF. */
  async pdf(): Promise<Buffer> {
    await this.page.emulateMedia({ media: 'print' });
    await this.page.evaluate(() => document.fonts.ready.then(() => undefined));
    const pdf = await this.page.pdf({ format: 'A4', printBackground: true });
    await this.page.emulateMedia({ media: null });
    return pdf;
  }
}

export class ReportsPage {
  readonly report: Locator;
  readonly departmentTable: Locator;
  constructor(readonly page: Page) {
    this.report = page.getByTestId('report');
    this.departmentTable = page.getByTestId('table-departments');
  }
  async open() {
    await expect(this.page.getByTestId('status-bar')).toBeVisible();
    await this.page.keyboard.press('F7');
    await expect(this.report).toBeVisible();
  }
  async choosePeriod(kind: '日报' | '周报' | '月报', date?: string) {
    await this.page.getByRole('radio', { name: kind, exact: true }).check();
    if (date) await this.page.getByLabel(/^日期/).fill(date);
  }
  async chooseDistrict(district: string) {
    await this.page.getByLabel('区县').selectOption(district);
  }
  private async download(button: string, saveTo: string): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: button }).click();
    const d = await download;
    await d.saveAs(saveTo);
    return d;
  }
  /** Export to Excel and keep the file at `saveTo`. */
  exportExcel(saveTo: string): Promise<Download> {
    return this.download('导出 Excel', saveTo);
  }
  /** Export the department table as CSV and keep the file at `saveTo`. */
  exportCsv(saveTo: string): Promise<Download> {
    return this.download('导出 CSV', saveTo);
  }
}

/** The 12345 desk the reports are made at. */
export const STATION_12345 = { name: '临沂市12345政务服务热线', role: '12345 热线', district: '兰山区', operator: '李娜' } as const;

/** 数据与设置 → 演示数据: generate `count` demo cases for this station and wait until done. */
export async function fillDemoData(page: Page, count: 50 | 200 | 1000) {
  await expect(page.getByTestId('status-bar')).toBeVisible();
  await page.keyboard.press('F4');
  await page.getByLabel('演示工单数量').selectOption(String(count));
  await page.getByRole('button', { name: '生成演示工单' }).click();
  await expect(page.getByTestId('toast-ok').filter({ hasText: `已生成 ${count} 件演示工单` })).toBeVisible({ timeout: 30_000 });
}
