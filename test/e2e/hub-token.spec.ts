/**
 * A desk whose hub token is gone (the address kept) says so and asks for it, instead of falling
 * quiet as if it had never been connected; given the token again, it syncs.
 */
import { expect, test } from './fixtures';
import { HubSettings } from './pages/hub';
import { SetupPage } from './pages/desk';
import { freePort, HubProcess } from './support/hub-process';

test('a lost hub token is named at the desk, the address kept, and entering it again resumes sync', async ({ browser }) => {
  const hub = new HubProcess(await freePort());
  await hub.start();
  const ctx = await browser.newContext();
  try {
    const token = await hub.register({ stationId: 'h12345-tok', name: '市12345热线', role: 'hotline12345', district: '市直' });
    const page = await ctx.newPage();
    const setup = new SetupPage(page);
    await setup.open();
    await page.getByLabel('站点编号（可选）').fill('h12345-tok');
    await setup.complete({ name: '市12345热线', role: '12345 热线', district: '市直', operator: '陈话务' });
    const settings = new HubSettings(page);
    await settings.connect(hub.url, token);
    await expect(settings.connection()).toHaveAttribute('data-state', 'idle');

    // the token goes (the browser edition keeps it in an IndexedDB database of its own)
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('relay-shell');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('secure', 'readwrite');
            tx.objectStore('secure').delete('hubToken');
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
          };
        }),
    );
    await page.reload();
    await expect(settings.connection()).toHaveAttribute('data-state', 'stopped');
    await expect(page.getByTestId('status-error')).toContainText('令牌缺失');

    await page.keyboard.press('F4');
    await expect(page.getByTestId('hub-token-missing')).toBeVisible();
    await expect(page.getByLabel('中心地址')).toHaveValue(hub.url);
    await page.getByLabel('本站令牌').fill(token);
    await page.getByRole('button', { name: '测试并保存' }).click();
    await expect(page.getByTestId('hub-message')).toContainText('测试连接成功');
    await expect(settings.connection()).toHaveAttribute('data-state', 'idle');
    await expect(page.getByTestId('hub-token-missing')).toHaveCount(0);
  } finally {
    await ctx.close();
    await hub.stop();
  }
});
