import { expect, STATION_110, test } from './fixtures';

test('a long queue section shows its most urgent rows and 显示全部, so the sections below stay in reach', async ({ page, setup, settings }) => {
  await setup.open();
  await setup.complete(STATION_110);
  await settings.open();
  await page.getByRole('combobox', { name: '演示工单数量' }).selectOption('200');
  await page.getByRole('button', { name: '生成演示工单' }).click();
  await expect(page.getByText('已生成 200 件演示工单')).toBeVisible({ timeout: 60_000 });

  await page.keyboard.press('F1');
  const section = page.getByTestId('queue-transferred');
  await expect(section.getByTestId('queue-row')).toHaveCount(20);
  const more = section.getByTestId('queue-more-transferred');
  await expect(more).toContainText('显示全部');
  await more.click();
  expect(await section.getByTestId('queue-row').count()).toBeGreaterThan(20);
  await expect(more).toHaveCount(0);
});
