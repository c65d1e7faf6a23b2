/**
 * Chromium started by the test itself (not by Playwright), driven over DevTools, with the
 * power-cut journal preloaded (test/support/power-cut.ts), so the test can kill every process
 * of it at once with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, IDB_ENGINE } from '../../../playwright.config';
import { pidsWith } from '../../support/power-cut';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface KillableChromium {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** SIGKILL every process of this browser at once, and wait until none is left. */
  kill(): Promise<void>;
}

export async function launchKillable(options: { profile: string; env: Record<string, string> }): Promise<KillableChromium> {
  mkdirSync(options.profile, { recursive: true });
  const profileArg = `--user-data-dir=${options.profile}`;
  const child = spawn(CHROMIUM, ['--headless=new', ...CHROMIUM_ARGS, '--remote-debugging-port=0', profileArg, '--lang=zh-CN', 'about:blank'], {
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not offer a DevTools endpoint: ${text.slice(-500)}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before it could be driven: ${text.slice(-500)}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0]!;
  const page = context.pages()[0] ?? (await context.newPage());
  const kill = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group may be gone already
    }
    // processes Chromium started in a group of their own: found by the profile on their command line
    for (const pid of pidsWith(profileArg)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const until = Date.now() + 10_000;
    while (pidsWith(profileArg).length > 0) {
      if (Date.now() > until) throw new Error('Chromium processes outlived SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { browser, context, page, kill };
}

/** The IndexedDB folder (LevelDB) of an origin in a profile. */
export function indexedDbDir(profile: string, origin: string): string {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const store = `${profile}/Default/IndexedDB/${url.protocol.replace(':', '')}_${url.hostname}_${port}`;
  // Chromium's SQLite store is a folder named for the origin; its LevelDB store has a suffix
  return IDB_ENGINE === 'sqlite' ? `${store}/` : `${store}.indexeddb.leveldb`;
}

/** Whether `file` is the write-ahead log of the run's IndexedDB engine (LevelDB's `.log`, SQLite's `-wal`). */
export function isWriteAheadLog(file: string): boolean {
  return IDB_ENGINE === 'sqlite' ? file.endsWith('-wal') : file.endsWith('.log');
}

/**
 * Open a page of the browser edition in a browser just back from a power cut, and wait until
 * `ready` says it is up.
 *
 * The cut takes back the browser's own unflushed files as well as the desk's, its HTTP cache
 * among them. Chromium may then fail to read a page or script it had cached
 * (net::ERR_CACHE_READ_FAILURE: the entry is dropped) and leave the tab blank, still "loading",
 * as an operator would see it before pressing F5; for the page itself Chromium may also load it
 * again on its own, cutting short the load the test started ("interrupted by another
 * navigation": that load is then waited for). That is the browser's cache, not the desk's
 * data, so after a failed read the cache is emptied and the page loaded again (at most three
 * times more), and the test is told how often.
 */
export async function openAfterPowerCut(page: Page, path: string, ready: (page: Page) => Promise<unknown>): Promise<{ cacheFailures: string[] }> {
  const cacheFailures: string[] = [];
  let failed: ((url: string) => void) | undefined;
  const onFailed = (request: { url(): string; failure(): { errorText: string } | null }) => {
    if (request.failure()?.errorText !== 'net::ERR_CACHE_READ_FAILURE') return;
    cacheFailures.push(request.url());
    failed?.(request.url());
  };
  page.on('requestfailed', onFailed);
  try {
    for (let attempt = 1; ; attempt++) {
      const cacheFailed = new Promise<'cache failure'>((resolve) => (failed = () => resolve('cache failure')));
      const opened = page
        .goto(path)
        .then(() => ready(page))
        .then(
          () => 'opened' as const,
          (error: Error) => {
            if (/interrupted by another navigation/.test(error.message)) return 'interrupted' as const;
            throw error;
          },
        );
      // a load given up on may fail later, when the next one replaces it: that is expected
      opened.catch(() => undefined);
      const outcome = await Promise.race([opened, cacheFailed]);
      if (outcome === 'opened') return { cacheFailures };
      if (outcome === 'interrupted') {
        cacheFailures.push(`${path} (loaded again by the browser)`);
        // the browser's own load of the page replaced the test's: wait for that one
        const own = await page
          .waitForLoadState('load', { timeout: 15_000 })
          .then(() => ready(page))
          .then(
            () => true,
            () => false,
          );
        if (own) return { cacheFailures };
      } else {
        // a cached entry could not be read (dropped by Chromium): the cache as a whole may be
        // torn, so it is emptied, as the scripts then come from the server (an operator's F5
        // would find the same entries missing one by one)
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Network.clearBrowserCache').finally(() => cdp.detach());
      }
      if (attempt === 4) throw new Error(`the page ${path} could not be opened from the browser's cache four times running: ${cacheFailures.join(', ')}`);
    }
  } finally {
    page.off('requestfailed', onFailed);
  }
}
