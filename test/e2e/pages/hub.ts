/** Page objects for connecting a station to the hub and watching its sync state. */
import { expect, type Page } from '@playwright/test';

export class HubSettings {
  constructor(readonly page: Page) {}
  async connect(url: string, token: string) {
    await expect(this.page.getByTestId('status-bar')).toBeVisible();
    await this.page.keyboard.press('F4');
    await this.page.getByLabel('中心地址').fill(url);
    await this.page.getByLabel('本站令牌').fill(token);
    await this.page.getByRole('button', { name: '测试并保存' }).click();
    await expect(this.page.getByTestId('hub-message')).toContainText('测试连接成功');
  }
  async syncNow() {
    await this.page.getByTestId('status-bar').getByRole('button', { name: '立即同步' }).click();
  }
  connection() {
    return this.page.getByTestId('status-connection');
  }
}
