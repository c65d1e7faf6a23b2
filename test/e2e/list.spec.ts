import { expect, STATION_110, test } from './fixtures';
import type { CaseInput } from './pages/desk';

const CASES: CaseInput[] = [
  { name: '孙先生', phone: '13905390001', address: '兰山区解放路1号', description: '解放路主水管爆裂，整条街停水', nature: '求助', category: 'gs', urgent: true, verdict: '非警务类' },
  { name: '周女士', phone: '13905390002', address: '罗庄区罗程路9号', description: '老板拖欠三个月工资不发', nature: '投诉', category: '工资', urgent: false, verdict: '非警务类' },
  { name: '吴先生', phone: '13905390003', address: '河东区凤凰大街', description: 'KTV 深夜噪音扰民', nature: '投诉', category: '娱乐', urgent: false, verdict: '非警务类' },
  { name: '郑女士', phone: '13905390004', address: '兰山区沂蒙路', description: '燃气管道有异味，怀疑泄漏', nature: '求助', category: 'gq', urgent: true, verdict: '非警务类' },
  { name: '冯先生', phone: '13905390005', address: '费县建设路', description: '建议增加公交线路', nature: '建议', urgent: false, verdict: '非警务类', transfer: false },
];

test('the list filters by urgency, nature, category, status and search text', async ({ page, setup, intake, list }) => {
  await setup.open();
  await setup.complete(STATION_110);
  for (const c of CASES) {
    await intake.fill(c);
    await intake.save();
    await intake.expectSaved();
  }
  await list.open();
  await expect(list.rows).toHaveCount(5);

  await list.filterBy('紧急程度', '紧急');
  await expect(list.rows).toHaveCount(2);
  expect((await list.descriptions()).sort()).toEqual(['燃气管道有异味，怀疑泄漏', '解放路主水管爆裂，整条街停水'].sort());

  await list.filterBy('紧急程度', '紧急程度：全部');
  await list.filterBy('诉求性质', '投诉');
  await expect(list.rows).toHaveCount(2);
  await list.filterBy('诉求性质', '性质：全部');

  await list.statusTab('pending');
  await expect(list.rows).toHaveCount(1);
  await expect(list.rows.first()).toContainText('公交线路');
  await list.statusTab('transferred');
  await expect(list.rows).toHaveCount(4);
  await page.getByRole('button', { name: /^全部/ }).click();

  await list.search('停水');
  await expect(list.rows).toHaveCount(1);
  await expect(list.rows.first()).toContainText('解放路');
  await list.search('13905390004');
  await expect(list.rows).toHaveCount(1);
  await expect(list.rows.first()).toContainText('燃气');
  await list.search('没有这样的内容');
  await expect(list.rows).toHaveCount(0);
  await page.getByRole('button', { name: '清除筛选' }).click();
  await expect(list.rows).toHaveCount(5);

  // sort by received time, ascending: the first one typed in comes first
  await page.getByRole('columnheader', { name: /接报时间/ }).click();
  await page.getByRole('columnheader', { name: /接报时间/ }).click();
  await expect(page.getByRole('columnheader', { name: /接报时间/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(list.rows.first()).toContainText('解放路主水管');

  // a case opened from the list is the selected row when the operator comes back
  await list.openCase('燃气管道有异味');
  await page.getByRole('button', { name: '← 返回列表' }).click();
  await expect(list.rows.filter({ hasText: '燃气管道有异味' })).toHaveAttribute('aria-selected', 'true');

  // the deadline column sorts earliest first at the first press, from the keyboard too
  await page.getByRole('button', { name: /时限/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('columnheader', { name: /时限/ })).toHaveAttribute('aria-sort', 'ascending');
  // a case with a deadline comes before the one without (the suggestion kept at 110)
  await expect(list.rows.last()).toContainText('建议增加公交线路');
});
