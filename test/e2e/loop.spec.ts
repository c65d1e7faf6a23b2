/**
 * Part 3 end to end, with the real hub: 110 → 12345 → the water-supply duty room → back, with
 * the alert at the duty room; a misrouted item returned with a reason and reassigned; an item
 * turning overdue while its station is offline.
 */
import type { Browser } from '@playwright/test';
import { expect, test } from './fixtures';
import { IntakePage } from './pages/desk';
import { Desk } from './pages/loop';
import { freePort, HubProcess } from './support/hub-process';

test.describe.configure({ timeout: 300_000 });

let hub: HubProcess;
test.beforeAll(async () => {
  hub = new HubProcess(await freePort());
  await hub.start();
});
test.afterAll(async () => {
  await hub?.stop();
});

async function stations(browser: Browser, suffix: string, opts: { fakeClockUnit?: boolean } = {}) {
  const tokens = {
    p110: await hub.register({ stationId: `p110-${suffix}`, name: '兰山110接警台', role: 'police110', district: '兰山区' }),
    h12345: await hub.register({ stationId: `h12345-${suffix}`, name: '市12345热线', role: 'hotline12345', district: '兰山区' }),
    water: await hub.register({ stationId: `unit-water-${suffix}`, name: '兰山供水抢修值班室', role: 'unit', district: '兰山区', department: 'housing' }),
    traffic: await hub.register({ stationId: `unit-traffic-${suffix}`, name: '兰山交通运输值班室', role: 'unit', district: '兰山区', department: 'transport' }),
  };
  const p110 = await Desk.open(browser, { stationId: `p110-${suffix}`, name: '兰山110接警台', role: '110 接警台', district: '兰山区', operator: '王警官' }, hub.url, tokens.p110);
  const h12345 = await Desk.open(browser, { stationId: `h12345-${suffix}`, name: '市12345热线', role: '12345 热线', district: '兰山区', operator: '陈话务' }, hub.url, tokens.h12345);
  const water = await Desk.open(
    browser,
    { stationId: `unit-water-${suffix}`, name: '兰山供水抢修值班室', role: '部门/单位值班室', district: '兰山区', operator: '刘师傅', department: 'housing' },
    hub.url,
    tokens.water,
    { fakeClock: opts.fakeClockUnit },
  );
  const traffic = await Desk.open(
    browser,
    { stationId: `unit-traffic-${suffix}`, name: '兰山交通运输值班室', role: '部门/单位值班室', district: '兰山区', operator: '孙科员', department: 'transport' },
    hub.url,
    tokens.traffic,
  );
  return { p110, h12345, water, traffic };
}

test('a burst water main goes 110 → 12345 → water supply and back, closed, with the right state at every desk', async ({ browser }) => {
  const { p110, h12345, water, traffic } = await stations(browser, 'a');
  await traffic.close();

  // 110 takes the call, screens it non-police and transfers it to 12345
  const intake = new IntakePage(p110.page);
  await intake.open();
  await intake.fill({ name: '张建国', phone: '13905391234', address: '兰山区金雀山路18号和平小区', description: '小区主水管爆裂，水漫到路面，整栋楼停水', nature: '求助', category: 'gs', verdict: '非警务类' });
  await intake.save();
  const caseNo = await intake.expectSaved();
  await p110.sync();

  // 12345 acknowledges the transfer and assigns it to water supply (the suggested lead)
  await h12345.sync();
  await h12345.openFromQueue('incoming', caseNo);
  await expect(h12345.status()).toHaveText('已转办待签收');
  await h12345.action('acknowledge').getByRole('button', { name: '签收' }).click();
  await expect(h12345.status()).toHaveText('待转派');
  await expect(h12345.action('assign').getByTestId('assign-suggestion')).toContainText('住房城乡建设');
  await expect(h12345.page.getByLabel('主办单位')).toHaveValue('housing');
  await h12345.action('assign').getByRole('button', { name: '确认派单' }).click();
  await expect(h12345.status()).toHaveText('已派单待签收');
  await h12345.sync();

  // the 110 desk sees its transfer acknowledged and the case with 12345 now
  await p110.sync();
  await p110.page.keyboard.press('F3');
  await p110.page.getByTestId('case-row').filter({ hasText: caseNo }).click();
  await expect(p110.status()).toHaveText('已派单待签收');
  await expect(p110.page.getByTestId('timeline')).toContainText('签收转办');

  // a duty room takes no calls in: no intake screen, F2 says where calls come from
  await expect(water.page.getByRole('navigation', { name: '主导航' })).not.toContainText('接报登记');
  await water.page.keyboard.press('F2');
  await expect(water.page.getByTestId('intake-not-here')).toHaveCount(0);

  // the water-supply duty room is alerted, loudly, and the alert stays until confirmed
  await water.sync();
  await expect(water.page.getByTestId('alert-button')).toContainText('提醒', { timeout: 20_000 });
  await expect.poll(async () => (await water.notifications()).map((n) => n.title).join('|'), { timeout: 20_000 }).toContain('紧急');
  await water.page.getByTestId('alert-button').click();
  await expect(water.page.getByTestId('alert-item').first()).toContainText(caseNo);
  await water.page.getByTestId('alert-item').first().getByRole('button', { name: '确认' }).click();
  await water.page.keyboard.press('Escape');
  await expect(water.page.getByTestId('alert-list')).toHaveCount(0); // Escape closes the list

  // it acknowledges, cannot give feedback before that, then reports back
  await water.openFromQueue('incoming', caseNo);
  await expect(water.action('feedback')).toHaveCount(0);
  await expect(water.action('close')).toHaveCount(0); // a department never closes a case
  await water.action('acknowledge').getByRole('button', { name: '签收' }).click();
  await expect(water.status()).toHaveText('已签收办理中');
  await water.action('feedback').getByLabel('办理情况').fill('抢修队已到场关阀抢修，更换破损管段，18 时恢复供水');
  // no result is chosen for the department: it must say
  await water.action('feedback').getByRole('button', { name: '提交反馈' }).click();
  await expect(water.action('feedback')).toContainText('请选择办理结果');
  await water.action('feedback').getByRole('radio', { name: '已解决', exact: true }).check();
  await water.action('feedback').getByRole('button', { name: '提交反馈' }).click();
  await expect(water.status()).toHaveText('已反馈待回访');
  await water.sync();

  // 12345 calls the caller back and closes
  await h12345.sync();
  await h12345.openFromQueue('callback', caseNo);
  // closing before the callback asks once more
  await h12345.action('close').getByRole('button', { name: '办结' }).click();
  await expect(h12345.action('close')).toContainText('尚未回访来电人');
  await h12345.action('close').getByRole('button', { name: '取消' }).click();
  await h12345.action('callback').getByRole('radio', { name: '满意', exact: true }).check();
  await h12345.action('callback').getByRole('button', { name: '记录回访' }).click();
  await h12345.action('close').getByRole('button', { name: '办结' }).click();
  await expect(h12345.status()).toHaveText('已办结');
  await h12345.sync();

  // every desk shows it closed
  for (const desk of [p110, water]) {
    await desk.sync();
    await desk.page.keyboard.press('F3');
    await desk.page.getByTestId('case-row').filter({ hasText: caseNo }).click();
    await expect(desk.status()).toHaveText('已办结');
    await expect(desk.page.getByTestId('timeline')).toContainText('回访：满意');
  }
  for (const d of [p110, h12345, water]) await d.close();
});

test('a misrouted item is returned with a reason and reassigned', async ({ browser }) => {
  const { p110, h12345, water, traffic } = await stations(browser, 'b');
  const intake = new IntakePage(h12345.page);
  await intake.open();
  await intake.fill({ name: '李女士', phone: '13705395678', address: '兰山区沂蒙路66号', description: '路边消防栓漏水很久了没人管', nature: '求助' });
  await intake.save();
  const caseNo = await intake.expectSaved();
  // wrongly assigned to transport
  await h12345.openFromQueue('assign', caseNo);
  await h12345.page.getByLabel('主办单位').selectOption('transport');
  await h12345.action('assign').getByRole('button', { name: '确认派单' }).click();
  await h12345.sync();

  await traffic.sync();
  await traffic.openFromQueue('incoming', caseNo);
  await traffic.action('return').getByRole('button', { name: '退回' }).click();
  await expect(traffic.action('return')).toContainText('退回必须写明理由');
  await traffic.action('return').getByLabel('退回理由').fill('消防栓漏水属市政供水设施，应由供水部门处理');
  await traffic.action('return').getByRole('button', { name: '退回' }).click();
  await expect(traffic.status()).toHaveText('已退回');
  await traffic.sync();

  await h12345.sync();
  await h12345.openFromQueue('assign', caseNo);
  await expect(h12345.status()).toHaveText('已退回');
  await expect(h12345.page.getByTestId('timeline')).toContainText('应由供水部门处理');
  await h12345.page.getByLabel('主办单位').selectOption('housing');
  await h12345.action('assign').getByRole('button', { name: '确认派单' }).click();
  await expect(h12345.status()).toHaveText('已派单待签收');
  await h12345.sync();

  await water.sync();
  await water.openFromQueue('incoming', caseNo);
  await expect(water.page.getByTestId('timeline')).toContainText('退回：消防栓漏水属市政供水设施');
  for (const d of [p110, h12345, water, traffic]) await d.close();
});

test('an item turns overdue while its station is offline', async ({ browser }) => {
  const { p110, h12345, water, traffic } = await stations(browser, 'c', { fakeClockUnit: true });
  await p110.close();
  await traffic.close();
  const intake = new IntakePage(h12345.page);
  await intake.open();
  await intake.fill({ name: '周先生', phone: '13605391111', address: '兰山区通达路8号', description: '整栋楼停水一天了', nature: '求助', category: 'gs' });
  await intake.save();
  const caseNo = await intake.expectSaved();
  await h12345.openFromQueue('assign', caseNo);
  await h12345.action('assign').getByRole('button', { name: '确认派单' }).click();
  await h12345.sync();

  await water.sync();
  await water.workQueue();
  await expect(water.queue('incoming').filter({ hasText: caseNo })).toContainText('正常');
  // the network goes; the clock does not stop: 40 minutes later the 30-minute limit has passed
  await water.context.setOffline(true);
  await water.page.clock.fastForward('00:40:00');
  await water.page.keyboard.press('F3');
  await water.workQueue();
  await expect(water.queue('incoming').filter({ hasText: caseNo })).toContainText('已超时', { timeout: 40_000 });
  await water.page.getByTestId('alert-button').click();
  // the alert centre looks again on every change and at least every 15 s
  await expect(water.page.getByTestId('alert-list')).toContainText('超时', { timeout: 20_000 });
  for (const d of [h12345, water]) await d.close();
});

test('an extension is asked for up to the cap, granted by 12345, moves the deadline, and is not offered twice', async ({ browser }) => {
  const { p110, h12345, water, traffic } = await stations(browser, 'd');
  await p110.close();
  await traffic.close();
  const intake = new IntakePage(h12345.page);
  await intake.open();
  await intake.fill({ name: '吴女士', phone: '13805392222', address: '兰山区解放路20号', description: '小区供水管网老化，需整体更换', nature: '求助', category: 'gs' });
  await intake.save();
  const caseNo = await intake.expectSaved();
  await h12345.openFromQueue('assign', caseNo);
  await h12345.action('assign').getByRole('button', { name: '确认派单' }).click();
  await h12345.sync();

  // the duty room acknowledges and asks for more time: the card says how far it may go
  await water.sync();
  await water.openFromQueue('incoming', caseNo);
  await water.action('acknowledge').getByRole('button', { name: '签收' }).click();
  await expect(water.status()).toHaveText('已签收办理中');
  const card = water.action('extension');
  await expect(card).toContainText('最长可延至');
  await expect(card).toContainText(/（\d+ 个工作日）/); // from the assignment: 5 for an urgent item, 10 for a normal one
  const asked = (await card.locator('.hint').textContent())!.match(/最长可延至 (\d{4}-\d{2}-\d{2} \d{2}:\d{2})/)![1]!;
  await expect(card.getByRole('button', { name: '申请延期' })).toBeDisabled(); // a reason first
  await card.getByLabel('延期理由').fill('需整体更换供水管网，材料待调拨');
  await card.getByRole('button', { name: '申请延期' }).click();
  await expect(water.page.getByTestId('timeline')).toContainText(`申请延期至 ${asked}：需整体更换供水管网`);
  await water.sync(); // the hub took it (an event it refused would stay shown as refused)

  // 12345 grants it
  await h12345.sync();
  await h12345.page.keyboard.press('F3');
  await h12345.page.getByTestId('case-row').filter({ hasText: caseNo }).click();
  const decide = h12345.action('extension-decide');
  await expect(decide).toContainText(`申请延期至 ${asked}`);
  await expect(decide.getByTestId('extension-beyond')).toHaveCount(0);
  await decide.getByRole('button', { name: '同意', exact: true }).click();
  await expect(h12345.page.getByTestId('timeline')).toContainText(`同意延期至 ${asked}`);
  await expect(h12345.action('extension-decide')).toHaveCount(0);
  await h12345.sync();

  // at the duty room: the new deadline, and no second extension
  await water.sync();
  await expect(water.page.getByTestId('timeline')).toContainText(`同意延期至 ${asked}`);
  await expect(water.action('extension')).toContainText('已延期 1 次，不能再延期');
  await expect(water.action('extension').getByRole('button', { name: '申请延期' })).toHaveCount(0);
  await expect(water.page.getByTestId('case-due')).toHaveText(asked);
  for (const d of [h12345, water]) await d.close();
});
