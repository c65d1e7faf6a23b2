/**
 * Chromium started by the test itself (not by Playwright), driven over DevTools, with the
 * power-cut journal preloaded (test/support/power-cut.ts), so the test can kill every process
 * of it at once with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../../playwright.config';
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
  return `${profile}/Default/IndexedDB/${url.protocol.replace(':', '')}_${url.hostname}_${port}.indexeddb.leveldb`;
}
