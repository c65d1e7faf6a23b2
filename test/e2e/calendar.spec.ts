/**
 * A year's holiday schedule loaded once at the hub reaches the desk in its sync round and is
 * shown as the hub's; a correction loaded later replaces it at the next round.
 */
import { expect, test } from './fixtures';
import { HubSettings } from './pages/hub';
import { SetupPage } from './pages/desk';
import { freePort, HubProcess } from './support/hub-process';
import { draftYear2027 } from '../support/calendar-years';

test('a calendar year loaded at the hub reaches the desk, and a correction replaces it', async ({ browser }) => {
  const hub = new HubProcess(await freePort());
  await hub.start();
  const ctx = await browser.newContext();
  try {
    const token = await hub.register({ stationId: 'h12345-cal', name: '市12345热线', role: 'hotline12345', district: '市直' });
    const first = await hub.loadCalendar(draftYear2027('测试用：2027 年安排草案（虚构）'));
    const page = await ctx.newPage();
    const setup = new SetupPage(page);
    await setup.open();
    await page.getByLabel('站点编号（可选）').fill('h12345-cal');
    await setup.complete({ name: '市12345热线', role: '12345 热线', district: '市直', operator: '陈话务' });
    const settings = new HubSettings(page);
    await settings.connect(hub.url, token);

    const year2027 = page.getByTestId('calendar-years').locator('li[data-year="2027"]');
    await expect(year2027).toContainText('测试用：2027 年安排草案（虚构）');
    await expect(year2027).toContainText(`市级中心下发（第 ${first.revision} 版`);
    await expect(page.getByTestId('calendar-hub')).toContainText(`第 ${first.revision} 版`);
    // a shipped year says so
    await expect(page.getByTestId('calendar-years').locator('li[data-year="2026"]')).toContainText('随软件发布');

    const corrected = await hub.loadCalendar(draftYear2027('测试用：2027 年安排更正（虚构）'));
    expect(corrected.revision).toBeGreaterThan(first.revision);
    await settings.syncNow();
    await expect(year2027).toContainText('测试用：2027 年安排更正（虚构）');
    await expect(year2027).toContainText(`市级中心下发（第 ${corrected.revision} 版`);
    await expect(page.getByTestId('calendar-hub-error')).toHaveCount(0);
  } finally {
    await ctx.close();
    await hub.stop();
  }
});
