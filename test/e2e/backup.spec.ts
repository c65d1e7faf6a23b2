import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, STATION_110, test } from './fixtures';
import { CaseListPage, IntakePage, SettingsPage, SetupPage } from './pages/desk';

test('export, then import into a fresh station, restores every case; bad files change nothing', async ({ browser }, testInfo) => {
  // station A records two cases and exports
  const a = await browser.newContext();
  const pageA = await a.newPage();
  await new SetupPage(pageA).open();
  await new SetupPage(pageA).complete(STATION_110);
  const intakeA = new IntakePage(pageA);
  await intakeA.fill({ name: '钱先生', phone: '13805391111', address: '临沭县常林大道', description: '小区停电，电梯困人已解决，但仍无电', nature: '求助', category: 'gd', verdict: '非警务类' });
  await intakeA.save();
  await intakeA.expectSaved();
  await intakeA.fill({ name: '孔先生', address: '蒙阴县城关', description: '超市卖过期食品', nature: '投诉', category: '假冒', verdict: '非警务类', transfer: false });
  await intakeA.save();
  await intakeA.expectSaved();
  const settingsA = new SettingsPage(pageA);
  await settingsA.open();
  const backupPath = await settingsA.exportBackup(join(testInfo.outputDir, 'backup.json'));
  await a.close();

  // a fresh browser profile: the backup brings the station and its cases back
  const b = await browser.newContext();
  const pageB = await b.newPage();
  await new SetupPage(pageB).open();
  await new SetupPage(pageB).complete({ ...STATION_110, name: '备用机110接警台' });
  const settingsB = new SettingsPage(pageB);
  await settingsB.open();

  // a foreign file, a broken file: clear messages, nothing changed
  mkdirSync(testInfo.outputDir, { recursive: true });
  const foreign = join(testInfo.outputDir, 'foreign.json');
  writeFileSync(foreign, JSON.stringify({ hello: 'world' }));
  await settingsB.importBackup(foreign);
  await expect(settingsB.importMessage()).toContainText('这不是接转办工作台的备份文件');
  const broken = join(testInfo.outputDir, 'broken.json');
  writeFileSync(broken, '{"format":"relay-desk-backup", "formatVersion": 1, "events": [');
  await settingsB.importBackup(broken);
  await expect(settingsB.importMessage()).toContainText('无法读取为 JSON');
  const listB = new CaseListPage(pageB);
  await listB.open();
  await expect(pageB.getByText('没有符合条件的工单')).toBeVisible();

  await settingsB.open();
  await settingsB.importBackup(backupPath);
  await expect(settingsB.importMessage()).toContainText('导入完成：新增 5 条记录');
  await listB.open();
  await expect(listB.rows).toHaveCount(2);
  await expect(listB.rows.filter({ hasText: '小区停电' })).toHaveCount(1);
  await expect(listB.rows.filter({ hasText: '过期食品' })).toHaveCount(1);

  // importing the same file again adds nothing
  await settingsB.open();
  await settingsB.importBackup(backupPath);
  await expect(settingsB.importMessage()).toContainText('新增 0 条记录，已有 5 条');
  await b.close();
});
