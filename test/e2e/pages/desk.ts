/** Page objects for the browser edition of Relay Desk. */
import { expect, type Locator, type Page } from '@playwright/test';

export interface StationInput {
  name: string;
  role: '110 接警台' | '12345 热线' | '部门/单位值班室' | '值班长/督办';
  district: string;
  operator: string;
}

export class SetupPage {
  constructor(readonly page: Page) {}
  async open() {
    await this.page.goto('/index.html');
    await expect(this.page.getByRole('heading', { name: /首次设置/ })).toBeVisible();
  }
  async complete(s: StationInput) {
    await this.page.getByLabel('站点名称').fill(s.name);
    await this.page.getByRole('radio', { name: s.role }).check();
    await this.page.getByLabel('所属区县').fill(s.district);
    await this.page.getByLabel('当班值班员').fill(s.operator);
    await this.page.getByRole('button', { name: '开始使用' }).click();
    await expect(this.page.getByTestId('status-bar')).toContainText(s.name);
  }
}

export class StatusBar {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('status-bar');
  }
  async outboxCount(): Promise<number> {
    const text = await this.page.getByTestId('status-outbox').innerText();
    return Number(/(\d+)/.exec(text)?.[1] ?? NaN);
  }
}

export interface CaseInput {
  name?: string;
  phone?: string;
  address: string;
  description: string;
  nature: '咨询' | '求助' | '投诉' | '建议' | '举报';
  category?: string; // text typed into the picker; the first match is taken
  urgent?: boolean;
  verdict?: '警务类' | '非警务类' | '警务与非警务交织';
  reason?: string;
  transfer?: boolean;
  threeWayCall?: boolean;
}

export class IntakePage {
  constructor(readonly page: Page) {}
  async open() {
    await expect(this.page.getByTestId('status-bar')).toBeVisible();
    await this.page.keyboard.press('F2');
    await expect(this.page.getByRole('heading', { name: '接报登记' })).toBeVisible();
  }
  async fill(c: CaseInput) {
    const p = this.page;
    if (c.name) await p.getByLabel('求助人姓名').fill(c.name);
    if (c.phone) await p.getByLabel('联系电话').fill(c.phone);
    await p.getByLabel('详细地址').fill(c.address);
    await p.getByLabel('诉求内容').fill(c.description);
    await p.getByRole('radio', { name: c.nature, exact: true }).check();
    if (c.category) {
      await p.getByLabel('诉求类别（职责目录）').fill(c.category);
      await p.getByLabel('诉求类别（职责目录）').press('Enter');
    }
    if (c.urgent !== undefined) await p.getByRole('radio', { name: c.urgent ? '紧急' : '一般', exact: true }).check();
    if (c.verdict) await p.getByRole('radio', { name: c.verdict, exact: true }).check();
    if (c.reason) await p.getByLabel('甄别理由').fill(c.reason);
    if (c.transfer === false) await p.getByRole('checkbox', { name: /保存后转办/ }).uncheck();
    if (c.threeWayCall) await p.getByRole('checkbox', { name: '已进行三方通话' }).check();
  }
  private lastSavedBefore = '';
  async save() {
    const last = this.page.getByTestId('last-saved');
    this.lastSavedBefore = (await last.count()) > 0 ? await last.innerText() : '';
    await this.page.keyboard.press('Control+s');
  }
  /** Waits for this save's own confirmation (not an earlier one) and returns the case number. */
  async expectSaved(): Promise<string> {
    const last = this.page.getByTestId('last-saved');
    await expect(last).toBeVisible();
    await expect(last).not.toHaveText(this.lastSavedBefore);
    return /刚保存：(\S+?)(（|$)/.exec(await last.innerText())?.[1] ?? '';
  }
}

export class CaseListPage {
  readonly rows: Locator;
  constructor(readonly page: Page) {
    this.rows = page.getByTestId('case-row');
  }
  async open() {
    await expect(this.page.getByTestId('status-bar')).toBeVisible();
    await this.page.keyboard.press('F3');
    await expect(this.page.getByTestId('case-table')).toBeVisible();
  }
  async search(text: string) {
    await this.page.getByRole('searchbox', { name: '搜索' }).fill(text);
  }
  async filterBy(label: '紧急程度' | '诉求性质' | '诉求类别', option: string) {
    await this.page.getByRole('combobox', { name: label }).selectOption({ label: option });
  }
  async statusTab(status: string) {
    await this.page.getByTestId(`status-tab-${status}`).click();
  }
  async descriptions(): Promise<string[]> {
    return this.rows.locator('[role=cell]:nth-child(7)').allInnerTexts();
  }
  async openCase(text: string) {
    await this.rows.filter({ hasText: text }).first().click();
    await expect(this.page.getByTestId('case-no')).toBeVisible();
  }
}

export class CaseDetailPage {
  constructor(readonly page: Page) {}
  status() {
    return this.page.getByTestId('case-status');
  }
  timeline() {
    return this.page.getByTestId('timeline');
  }
  /** The timeline entry of one kind of record (e.g. 转办). */
  entry(what: string) {
    return this.timeline().locator('li').filter({ has: this.page.locator('.what', { hasText: what }) });
  }
}

export class SettingsPage {
  constructor(readonly page: Page) {}
  async open() {
    await expect(this.page.getByTestId('status-bar')).toBeVisible();
    await this.page.keyboard.press('F4');
    await expect(this.page.getByRole('heading', { name: '备份与恢复' })).toBeVisible();
  }
  /** Export and keep the file at `saveTo` (a download's own file goes when its context closes). */
  async exportBackup(saveTo: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: '导出备份' }).click();
    const d = await download;
    await d.saveAs(saveTo);
    return saveTo;
  }
  async importBackup(filePath: string) {
    await this.page.getByTestId('import-file').setInputFiles(filePath);
  }
  importMessage() {
    return this.page.getByTestId('import-message');
  }
}
