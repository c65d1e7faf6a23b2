/** Page objects for the whole loop: a desk connected to the hub, its work queue and case actions. */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { SetupPage, type StationInput } from './desk';
import { HubSettings } from './hub';

export class Desk {
  readonly hub: HubSettings;
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    this.hub = new HubSettings(page);
  }

  /** A new browser profile set up as a station and connected to the hub. */
  static async open(
    browser: Browser,
    station: StationInput & { stationId: string; department?: string },
    hubUrl: string,
    token: string,
    options: { fakeClock?: boolean } = {},
  ): Promise<Desk> {
    const context = await browser.newContext({ permissions: ['notifications'] });
    // record native notifications the desk asks for (the OS notifier is the edge we cannot see)
    await context.addInitScript(() => {
      const shown: Array<{ title: string; body: string; tag: string }> = [];
      (window as unknown as { __notifications: typeof shown }).__notifications = shown;
      const Real = window.Notification;
      class Recording extends Real {
        constructor(title: string, opts?: NotificationOptions) {
          super(title, opts);
          shown.push({ title, body: opts?.body ?? '', tag: opts?.tag ?? '' });
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recording });
    });
    const page = await context.newPage();
    if (options.fakeClock) await page.clock.install();
    const setup = new SetupPage(page);
    await setup.open();
    await page.getByLabel('站点编号（可选）').fill(station.stationId);
    if (station.department) {
      await page.getByRole('radio', { name: station.role }).check();
      await page.getByLabel('所属部门（职责目录）').selectOption(station.department);
    }
    await setup.complete(station);
    const desk = new Desk(context, page);
    await desk.hub.connect(hubUrl, token);
    return desk;
  }

  /** Sync now and wait until the round is over and nothing waits to be sent. */
  async sync() {
    await this.hub.syncNow();
    await expect(this.hub.connection()).toHaveAttribute('data-state', 'idle', { timeout: 30_000 });
    await expect(this.page.getByTestId('status-outbox')).toContainText('待发送 0 条');
  }

  async workQueue() {
    await this.page.keyboard.press('F1');
    await expect(this.page.locator('.work-queue')).toBeVisible();
  }

  queue(section: string) {
    return this.page.getByTestId(`queue-${section}`).getByTestId('queue-row');
  }

  async openFromQueue(section: string, text: string) {
    await this.workQueue();
    await this.queue(section).filter({ hasText: text }).first().click();
    await expect(this.page.getByTestId('case-no')).toBeVisible();
  }

  status() {
    return this.page.getByTestId('case-status');
  }

  action(name: string) {
    return this.page.getByTestId(`action-${name}`);
  }

  async notifications(): Promise<Array<{ title: string; body: string; tag: string }>> {
    return this.page.evaluate(() => (window as unknown as { __notifications: Array<{ title: string; body: string; tag: string }> }).__notifications);
  }

  async close() {
    await this.context.close();
  }
}
