import { expect, test as base } from '@playwright/test';
import { CaseDetailPage, CaseListPage, IntakePage, SettingsPage, SetupPage, StatusBar, type StationInput } from './pages/desk';

export const STATION_110: StationInput = { name: '兰山公安分局110接警台', role: '110 接警台', district: '兰山区', operator: '王警官' };

export const test = base.extend<{
  setup: SetupPage;
  intake: IntakePage;
  list: CaseListPage;
  detail: CaseDetailPage;
  settings: SettingsPage;
  statusBar: StatusBar;
  /** a whole store must never be "mended": the check after an unclean end finds nothing */
  noFalseMending: void;
}>({
  setup: async ({ page }, use) => use(new SetupPage(page)),
  intake: async ({ page }, use) => use(new IntakePage(page)),
  list: async ({ page }, use) => use(new CaseListPage(page)),
  detail: async ({ page }, use) => use(new CaseDetailPage(page)),
  settings: async ({ page }, use) => use(new SettingsPage(page)),
  statusBar: async ({ page }, use) => use(new StatusBar(page)),
  noFalseMending: [
    async ({ page }, use) => {
      const mended: string[] = [];
      page.on('console', (m) => {
        if (m.text().startsWith('crash check')) mended.push(m.text());
      });
      await use();
      expect(mended, 'the check after an unclean end (store/crash-check.ts) mended a store that was whole').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };
