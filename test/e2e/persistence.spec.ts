import { expect, STATION_110, test } from './fixtures';

test('a case saved while the browser is offline survives a reload', async ({ page, context, setup, intake, list }) => {
  await setup.open();
  await setup.complete(STATION_110);
  await context.setOffline(true);
  await intake.fill({ name: '赵大爷', phone: '13605392222', address: '沂南县界湖街道幸福小区', description: '家里暖气不热，室温只有十二度，家中有老人', nature: '求助', category: 'gn', verdict: '非警务类' });
  await intake.save();
  const caseNo = await intake.expectSaved();
  expect(caseNo).toMatch(/^\d{8}-p110-/);
  await context.setOffline(false);
  await page.reload();
  await list.open();
  await expect(list.rows).toHaveCount(1);
  await expect(list.rows.first()).toContainText(caseNo);
  await expect(list.rows.first()).toContainText('暖气不热');
  // and again after a second reload straight into the detail
  await list.openCase('暖气不热');
  await page.reload();
  await expect(page.getByTestId('case-description')).toContainText('暖气不热');
});

test('a database that cannot open leads to the recovery screen, not a blank desk', async ({ page }) => {
  await page.addInitScript(() => {
    const realOpen = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
      if (name === 'relay-desk' && version !== undefined) {
        // what Chromium reports when its LevelDB backing store is damaged
        const req = {
          error: new DOMException('Internal error opening backing store for indexedDB.open.', 'UnknownError'),
          result: undefined,
          readyState: 'done',
          source: null,
          transaction: null,
          onerror: null as null | ((e: unknown) => void),
          onsuccess: null,
          onupgradeneeded: null,
          onblocked: null,
          addEventListener() {},
          removeEventListener() {},
        };
        setTimeout(() => req.onerror?.({ type: 'error', target: req, preventDefault() {}, stopPropagation() {} }), 0);
        return req as unknown as IDBOpenDBRequest;
      }
      return version === undefined ? realOpen.call(this, name) : realOpen.call(this, name, version);
    };
  });
  await page.goto('/index.html');
  await expect(page.getByTestId('recovery-screen')).toContainText('可能已损坏');
  await expect(page.getByRole('button', { name: '导出能读取的数据' })).toBeVisible();
  await expect(page.getByRole('button', { name: '重置数据库' })).toBeDisabled();
});

test('a second tab of the desk, a reload, and a tab gone before its mark was removed are no unclean end: the store is not checked', async ({ page, context, setup }) => {
  const looks: string[] = [];
  const watch = (p: typeof page) =>
    p.on('console', (m) => {
      if (m.text().startsWith('unclean end')) looks.push(m.text());
    });
  watch(page);
  await setup.open();
  await setup.complete(STATION_110);
  // a second tab while the first is open (its page holds its session lock)
  const second = await context.newPage();
  watch(second);
  await second.goto('/index.html');
  await expect(second.getByTestId('status-bar')).toBeVisible();
  // the first reloaded
  await page.reload();
  await expect(page.getByTestId('status-bar')).toBeVisible();
  expect(looks).toEqual([]);
  // the second closed cleanly, then a new tab: the first's mark is alive, still no look
  await second.close();
  const third = await context.newPage();
  watch(third);
  await third.goto('/index.html');
  await expect(third.getByTestId('status-bar')).toBeVisible();
  expect(looks).toEqual([]);
  // a fourth tab goes away before its pagehide could remove its mark (closed mid-write, as a
  // tab can be): the first tab, open since before it, shows the browser ran on: still no look
  const fourth = await context.newPage();
  await fourth.addInitScript(() => {
    window.addEventListener('pagehide', (e) => e.stopImmediatePropagation(), { capture: true });
  });
  watch(fourth);
  await fourth.goto('/index.html');
  await expect(fourth.getByTestId('status-bar')).toBeVisible();
  const marked = () =>
    third.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open('relay-desk');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('settings').objectStore('settings').get('session:open');
            get.onsuccess = () => {
              open.result.close();
              resolve(Object.keys((get.result as { value?: object } | undefined)?.value ?? {}));
            };
            get.onerror = () => reject(get.error);
          };
        }),
    );
  const withFourth = await marked();
  await fourth.close();
  expect(await marked(), 'the fourth tab’s mark was removed: the test did not make its close unclean').toEqual(withFourth);
  const fifth = await context.newPage();
  watch(fifth);
  await fifth.goto('/index.html');
  await expect(fifth.getByTestId('status-bar')).toBeVisible();
  expect(looks).toEqual([]);
});
