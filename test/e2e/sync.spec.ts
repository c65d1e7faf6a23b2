/**
 * Part 2 end to end: a 110 desk keeps working with the hub down, and when the hub comes back
 * a 12345 desk (another browser profile) sees everything, in order, none twice.
 */
import { expect, test } from './fixtures';
import { HubSettings } from './pages/hub';
import { CaseListPage, IntakePage, SetupPage, StatusBar } from './pages/desk';
import { freePort, HubProcess } from './support/hub-process';

test.describe.configure({ timeout: 240_000 });

test('20 cases transferred while the hub is down all reach 12345 once it is back', async ({ browser }) => {
  const hub = new HubProcess(await freePort());
  await hub.start();
  const token110 = await hub.register({ stationId: 'p110-e2e', name: '兰山110接警台', role: 'police110', district: '兰山区' });
  const token12345 = await hub.register({ stationId: 'h12345-e2e', name: '市12345热线', role: 'hotline12345', district: '市直' });

  const ctx110 = await browser.newContext();
  const p110 = await ctx110.newPage();
  const setup110 = new SetupPage(p110);
  await setup110.open();
  await p110.getByLabel('站点编号（可选）').fill('p110-e2e');
  await setup110.complete({ name: '兰山110接警台', role: '110 接警台', district: '兰山区', operator: '王警官' });
  const hub110 = new HubSettings(p110);
  await hub110.connect(hub.url, token110);

  // the hub goes down
  await hub.stop();
  const intake = new IntakePage(p110);
  await intake.open();
  const caseNos: string[] = [];
  for (let i = 1; i <= 20; i++) {
    await intake.fill({
      name: `求助人${i}`,
      phone: `139053900${String(i).padStart(2, '0')}`,
      address: `兰山区测试路${i}号`,
      description: `第${i}号：小区停水，请供水公司处理`,
      nature: '求助',
      category: 'gs',
      verdict: '非警务类',
    });
    await intake.save();
    caseNos.push(await intake.expectSaved());
  }
  const status110 = new StatusBar(p110);
  await expect.poll(() => status110.outboxCount()).toBe(60);
  await expect(hub110.connection()).toHaveAttribute('data-state', /backoff|syncing/);

  // the hub comes back: the desk delivers everything
  await hub.start();
  await hub110.syncNow();
  await expect.poll(() => status110.outboxCount(), { timeout: 60_000 }).toBe(0);
  await expect(hub110.connection()).toHaveAttribute('data-state', 'idle');

  // a 12345 desk in another profile sees all 20, in order, none twice
  const ctx12345 = await browser.newContext();
  const p12345 = await ctx12345.newPage();
  const setup12345 = new SetupPage(p12345);
  await setup12345.open();
  await p12345.getByLabel('站点编号（可选）').fill('h12345-e2e');
  await setup12345.complete({ name: '市12345热线', role: '12345 热线', district: '市直', operator: '陈话务' });
  await new HubSettings(p12345).connect(hub.url, token12345);
  const list = new CaseListPage(p12345);
  await list.open();
  await p12345.getByRole('columnheader', { name: /接报时间/ }).click();
  await p12345.getByRole('columnheader', { name: /接报时间/ }).click(); // ascending
  await expect(p12345.getByRole('columnheader', { name: /接报时间/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(list.rows).toHaveCount(20);
  await expect.poll(() => list.rows.locator('[role=cell]:first-child').allInnerTexts()).toEqual(caseNos);
  expect(new Set(caseNos).size).toBe(20);
  await expect(list.rows.first()).toContainText('已转办待签收');

  await ctx110.close();
  await ctx12345.close();
  await hub.stop();
});
