// Screenshots of the browser edition for the README and for looking at what we build.
// Usage: node scripts/screenshots.mjs [outDir]   (needs `npm run build:web` first)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const out = process.argv[2] ?? 'docs/screenshots';
mkdirSync(out, { recursive: true });
const port = 4190;
const server = spawn('npx', ['vite', 'preview', '--config', 'vite.web.config.ts', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
const base = `http://127.0.0.1:${port}/index.html`;
try {
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(base)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
    // the desktop edition runs Chromium in zh-CN whatever the OS (src-main/app.ts): date and time
    // fields then read 2026/11/30 21:45, not 11/30/2026, 09:45 PM; on Linux the browser takes
    // its locale from the environment, and Debian's needs `apt-get install chromium-l10n` for it
    env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
  });
  for (const theme of ['dark', 'light']) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', colorScheme: theme });
    const page = await context.newPage();
    await page.goto(base);
    await page.screenshot({ path: `${out}/setup-${theme}.png` });
    await page.getByLabel('站点名称').fill('兰山公安分局110接警台');
    await page.getByRole('radio', { name: '110 接警台' }).check();
    await page.getByLabel('所属区县').fill('兰山区');
    await page.getByLabel('当班值班员').fill('王警官');
    await page.getByRole('button', { name: '开始使用' }).click();
    // the desk's keys work once the desk is up
    await page.getByText('数据与设置').first().waitFor();
    await page.keyboard.press('F4');
    await page.getByRole('combobox', { name: '演示工单数量' }).selectOption('1000');
    await page.getByRole('button', { name: '生成演示工单' }).click();
    await page.getByText('已生成 1000 件演示工单').waitFor({ timeout: 120_000 });
    await page.keyboard.press('F2');
    await page.getByLabel('求助人姓名').fill('张建国');
    await page.getByLabel('联系电话').fill('13905391234');
    await page.getByLabel('详细地址').fill('金雀山路18号和平小区3号楼');
    await page.getByLabel('诉求内容').fill('小区主水管爆裂，水漫到路面，整栋楼停水，家里有卧床老人');
    await page.getByRole('radio', { name: '求助', exact: true }).check();
    await page.getByLabel('诉求类别（职责目录）').fill('gs');
    await page.screenshot({ path: `${out}/intake-${theme}.png` });
    await page.keyboard.press('F3');
    await page.getByTestId('case-row').first().waitFor();
    await page.screenshot({ path: `${out}/list-${theme}.png` });
    await page.getByTestId('case-row').first().click();
    await page.getByTestId('timeline').waitFor();
    await page.screenshot({ path: `${out}/detail-${theme}.png` });
    await page.keyboard.press('F1');
    await page.locator('.work-queue').waitFor();
    await page.screenshot({ path: `${out}/work-${theme}.png` });
    await page.keyboard.press('F7');
    await page.getByRole('heading', { name: /督办通报/ }).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}/reports-${theme}.png` });
    await page.keyboard.press('F6');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${out}/handover-${theme}.png` });
    await context.close();
  }
  await browser.close();
} finally {
  server.kill();
}
