/**
 * A power cut, as near as a test can make one without cutting the machine's power.
 *
 * Chromium runs with fsync-record.c preloaded, which notes the size of every file each time it is
 * flushed to disk (fsync, fdatasync). The browser is then killed with SIGKILL, every process of
 * it at once, and each append-only file of the origin's IndexedDB (LevelDB's write-ahead logs
 * and manifests) is cut back to the size it had at its last flush: the bytes written but never
 * flushed are exactly what a power cut may take (the operating system still held them in memory).
 * LevelDB's table files are left alone: LevelDB flushes each before its manifest names it, and an
 * unnamed one is ignored on the next open. Not modelled: a flush the disk itself does not honour,
 * and directory entries (LevelDB renames CURRENT only after flushing the new manifest).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../../playwright.config';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SOURCE = join(import.meta.dirname, 'fsync-record.c');

/** Compile the recorder into `dir` with the system's C compiler; a clear error if there is none. */
export function buildFsyncRecorder(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'fsync-record.so');
  const cc = process.env.CC ?? 'cc';
  const result = spawnSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-o', out, SOURCE, '-ldl'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`cannot build the fsync recorder with ${cc} (install a C compiler: apt-get install -y gcc libc6-dev): ${result.error?.message ?? result.stderr}`);
  }
  return out;
}

export interface RecordedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** SIGKILL every process of this browser at once, and wait until none is left. */
  kill(): Promise<void>;
}

/** Chromium on `profile`, every flush noted in `log` (a DevTools connection, so the test can kill it). */
export async function launchRecorded(options: { profile: string; recorder: string; log: string }): Promise<RecordedBrowser> {
  mkdirSync(options.profile, { recursive: true });
  const child: ChildProcess = spawn(
    CHROMIUM,
    ['--headless=new', ...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${options.profile}`, '--lang=zh-CN', 'about:blank'],
    { env: { ...process.env, LD_PRELOAD: options.recorder, FSYNC_RECORD_LOG: options.log }, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
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
    for (const pid of browserPids(options.profile)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const until = Date.now() + 10_000;
    while (browserPids(options.profile).length > 0) {
      if (Date.now() > until) throw new Error('Chromium processes outlived SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { browser, context, page, kill };
}

function browserPids(profile: string): number[] {
  const needle = `--user-data-dir=${profile}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // a zombie's command line is empty: it holds nothing open any more
      if (cmdline.split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/** The IndexedDB folder (LevelDB) of an origin in a profile. */
export function leveldbDir(profile: string, origin: string): string {
  const url = new URL(origin);
  return join(profile, 'Default', 'IndexedDB', `${url.protocol.replace(':', '')}_${url.hostname}_${url.port || (url.protocol === 'https:' ? '443' : '80')}.indexeddb.leveldb`);
}

/** The size of each file of a folder now (the sizes the last clean run left behind). */
export function fileSizes(dir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  if (!existsSync(dir)) return sizes;
  for (const name of readdirSync(dir)) sizes.set(name, statSync(join(dir, name)).size);
  return sizes;
}

export interface Cut {
  file: string;
  from: number;
  to: number;
}

/**
 * Cut every write-ahead log and manifest in `dir` back to its size at its last flush noted in
 * `log`, or to `before` (its size when the killed browser started) if it was not flushed since,
 * or to nothing if it was made and never flushed. With `torn`, a random part of the unflushed
 * tail is kept instead (the disk wrote some of it before the power went: a record cut in the
 * middle). Returns what was cut.
 */
export function cutUnflushed(dir: string, log: string, before: Map<string, number>, options: { torn?: boolean } = {}): Cut[] {
  const real = realpathSync(dir);
  const flushed = new Map<string, number>();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab <= 0) continue;
    const path = line.slice(0, tab);
    if (!path.startsWith(`${real}/`)) continue;
    flushed.set(path.slice(real.length + 1), Number(line.slice(tab + 1)));
  }
  const cuts: Cut[] = [];
  for (const name of readdirSync(real)) {
    if (!/\.log$|^MANIFEST-/.test(name)) continue;
    const path = join(real, name);
    const size = statSync(path).size;
    const durable = flushed.get(name) ?? before.get(name) ?? 0;
    if (size > durable) {
      const to = options.torn ? durable + Math.floor(Math.random() * (size - durable)) : durable;
      truncateSync(path, to);
      cuts.push({ file: name, from: size, to });
    }
  }
  return cuts;
}
