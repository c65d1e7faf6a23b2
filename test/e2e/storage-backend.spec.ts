/**
 * The desktop edition's choice of IndexedDB engine (src-main/storage-backend.ts) against real
 * Chromium profiles: the engine follows the store on disk, so a desk's saved cases are there
 * after every start, whichever engine made them; and the control shows why it must: the
 * SQLite switch set under a LevelDB store makes Chromium delete that store.
 *
 * A Chromium profile's Default/ folder is laid out as Electron's userData (IndexedDB/ in it),
 * so the choice is made on it exactly as the desktop makes it, and Chromium starts with the
 * switches it gives.
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, IDB_ENGINE } from '../../playwright.config';
import { findStores, prepareStorageBackend, SQLITE_BACKING_STORE_FEATURE } from '../../src-main/storage-backend';
import { expect, STATION_110, test } from './fixtures';
import { CaseListPage, IntakePage, SetupPage } from './pages/desk';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** the run's arguments without an engine switch: each launch here says which engine it wants */
const BASE_ARGS = CHROMIUM_ARGS.filter((a) => !a.startsWith('--enable-features='));
const SQLITE_SWITCH = `--enable-features=${SQLITE_BACKING_STORE_FEATURE}`;

test.skip(IDB_ENGINE === 'sqlite', 'chooses the engine of each launch itself: runs in the default pass only');

async function launch(profile: string, baseURL: string, switches: string[]): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: [...BASE_ARGS, ...switches], baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

/** Start Chromium as the desktop does: the engine chosen from the profile's files first. */
async function startAsDesktop(profile: string, baseURL: string) {
  const prepared = prepareStorageBackend(path.join(profile, 'Default'));
  const switches = prepared.switches.map(([name, value]) => `--${name}=${value}`);
  return { prepared, context: await launch(profile, baseURL, switches) };
}

async function recordOneCase(context: BrowserContext, description: string): Promise<string> {
  const page = context.pages()[0] ?? (await context.newPage());
  const setup = new SetupPage(page);
  await setup.open();
  await setup.complete(STATION_110);
  const intake = new IntakePage(page);
  await intake.open();
  await intake.fill({ name: '刘女士', phone: '13905391234', address: '兰山区通达路88号', description, nature: '求助', category: 'gs', verdict: '非警务类' });
  await intake.save();
  return intake.expectSaved();
}

async function expectCase(context: BrowserContext, caseNo: string) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/index.html');
  const list = new CaseListPage(page);
  await list.open();
  await expect(list.rows).toHaveCount(1);
  await expect(list.rows.first()).toContainText(caseNo);
}

function newProfile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return realpathSync(dir);
}

test('a new desk starts on the SQLite store and finds its cases there at every start', async ({ baseURL }, testInfo) => {
  const profile = newProfile(testInfo.outputPath('profile'));
  const first = await startAsDesktop(profile, baseURL!);
  expect(first.prepared.backend).toBe('sqlite');
  const caseNo = await recordOneCase(first.context, '小区主水管爆裂，整栋楼停水');
  await first.context.close();

  // what Chromium wrote is what the choice reads as a SQLite store, and nothing else
  const stores = findStores(path.join(profile, 'Default', 'IndexedDB'));
  expect(stores.leveldb).toEqual([]);
  expect(stores.sqlite.map((s) => s.name)).toEqual([`http_127.0.0.1_${new URL(baseURL!).port}`]);

  const again = await startAsDesktop(profile, baseURL!);
  expect(again.prepared).toMatchObject({ backend: 'sqlite', setAsideDir: null });
  await expectCase(again.context, caseNo);
  await again.context.close();
});

test('a desk made on LevelDB stays on LevelDB with its cases; the SQLite switch under it would delete them (the control)', async ({ baseURL }, testInfo) => {
  const profile = newProfile(testInfo.outputPath('profile'));
  // a desk from before the choice: Chromium's default engine
  const before = await launch(profile, baseURL!, []);
  const caseNo = await recordOneCase(before, '供暖管道漏水，室温只有十度');
  await before.close();
  expect(findStores(path.join(profile, 'Default', 'IndexedDB')).leveldb).toHaveLength(1);
  const copy = testInfo.outputPath('copy-of-profile');
  cpSync(profile, copy, { recursive: true });

  const started = await startAsDesktop(profile, baseURL!);
  expect(started.prepared).toMatchObject({ backend: 'leveldb', switches: [] });
  await expectCase(started.context, caseNo);
  await started.context.close();

  // the control, on a copy: the switch set regardless, and Chromium drops the LevelDB store
  const forced = await launch(copy, baseURL!, [SQLITE_SWITCH]);
  const page = forced.pages()[0] ?? (await forced.newPage());
  await page.goto('/index.html');
  await expect(page.getByRole('heading', { name: /首次设置/ })).toBeVisible();
  await forced.close();
  expect(findStores(path.join(copy, 'Default', 'IndexedDB')).leveldb, 'Chromium kept the LevelDB store under the SQLite switch').toEqual([]);
});

test('stores of both engines on one desk: the one written last is used, the other set aside whole, never opened by the wrong engine', async ({ baseURL }, testInfo) => {
  const profile = newProfile(testInfo.outputPath('profile'));
  const old = await launch(profile, baseURL!, []);
  await recordOneCase(old, '旧引擎上的工单');
  await old.close();
  const leveldbStore = findStores(path.join(profile, 'Default', 'IndexedDB')).leveldb[0]!.name;
  // a SQLite store of the same desk made later (as by a copied profile): moved in beside it
  const other = newProfile(testInfo.outputPath('other'));
  const newer = await launch(other, baseURL!, [SQLITE_SWITCH]);
  const caseNo = await recordOneCase(newer, '新引擎上的工单');
  await newer.close();
  const sqliteStore = findStores(path.join(other, 'Default', 'IndexedDB')).sqlite[0]!.name;
  cpSync(path.join(other, 'Default', 'IndexedDB', sqliteStore), path.join(profile, 'Default', 'IndexedDB', sqliteStore), { recursive: true, preserveTimestamps: true });

  const started = await startAsDesktop(profile, baseURL!);
  expect(started.prepared.backend).toBe('sqlite');
  expect(started.prepared.setAside).toContain(leveldbStore);
  await expectCase(started.context, caseNo);
  await started.context.close();
  // the LevelDB store is kept, whole, outside Chromium's reach
  const aside = started.prepared.setAsideDir!;
  expect(readdirSync(path.join(aside, leveldbStore))).toEqual(expect.arrayContaining(['CURRENT']));
  expect(existsSync(path.join(profile, 'Default', 'IndexedDB', leveldbStore))).toBe(false);
});
