import { expect, STATION_110, test } from './fixtures';

test('first run asks for the station, then opens the desk; the operator changes at shift change', async ({ page, setup, settings }) => {
  await setup.open();
  // nothing filled: clear messages, no station saved
  await page.getByRole('button', { name: '开始使用' }).click();
  await expect(page.getByText('站点名称至少 2 个字')).toBeVisible();
  await expect(page.getByText('请选择岗位')).toBeVisible();
  await setup.complete(STATION_110);
  await expect(page.getByTestId('status-operator')).toHaveText('王警官');
  await expect(page.getByRole('heading', { name: '接报登记' })).toBeVisible();

  await settings.open();
  await page.getByLabel('值班员', { exact: true }).fill('李警官');
  await page.getByRole('button', { name: '确认接班' }).click();
  await expect(page.getByTestId('status-operator')).toHaveText('李警官');
  await page.reload();
  await expect(page.getByTestId('status-operator')).toHaveText('李警官');
});
