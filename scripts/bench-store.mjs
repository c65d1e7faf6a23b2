#!/usr/bin/env node
/* global window, document, performance */
/**
 * The store benchmark (`npm run bench:store`): the local store in a real Chromium, on disk,
 * with a realistic station's worth of cases.
 *
 *   tsx scripts/bench-store.mjs [--cases 100000] [--samples 200] [--paused-samples 200] [--query-samples 200]
 *                               [--render-runs 5] [--seed 1] [--settle 5] [--engine sqlite|leveldb]
 *                               [--build] [--headed] [--profile DIR] [--port N]
 *
 * --engine: the IndexedDB engine Chromium keeps the store in. sqlite (the default) is what a
 * new desk of the desktop edition gets (src-main/storage-backend.ts), and what Chrome 149+
 * gives a site without a store; leveldb is Chromium's default where no field trial says
 * otherwise (Debian's Chromium, desks made before the desktop chose). A kept profile is run
 * only with the engine of its stores: the other engine's switch would make Chromium delete them.
 *
 * --cases 5000 is a quick run for development. --profile DIR keeps the browser profile in
 * DIR (not deleted afterwards) and skips the fill when its database already holds at least
 * --cases cases, so store changes can be measured again without filling for minutes (IndexedDB
 * belongs to the origin, so a kept profile is served on a fixed port: --port, default 47831).
 *
 * `npm run bench:store` builds the web edition first (dist-web, with bench.html beside
 * index.html); run directly, the script builds only when dist-web has no bench.html (or with
 * --build). BENCH_STORE_DIST=DIR serves (and builds into) DIR instead of dist-web, for a
 * private build. It serves dist-web from a tiny static server on a free port, launches Debian's
 * Chromium (/usr/bin/chromium, or CHROMIUM_PATH) with a new temporary profile on disk
 * (a persistent profile: an incognito context keeps IndexedDB in memory, and durability
 * would mean nothing), and measures:
 *
 * 1. filling N demo cases through recordCommands (src-renderer/src/store/demo-fill.ts);
 * 2. one intake save through the real path (nextCaseNo + created/screened/transferred),
 *    strict (as the store ships) and relaxed durability, beside RAW: bare IndexedDB, one
 *    transaction putting one case and one event, with the same durability; then strict saves
 *    as a desk makes them, one at a time after a pause (each save's follow-up done), beside a
 *    raw strict transaction after the same pause;
 * 3. filtered and sorted first pages of the list (queryCasePage) beside RAW: the same index
 *    walk in bare Dexie;
 * 4. the list's first render: the app's index.html#/cases on the same data, from navigation
 *    start to the performance mark 'relay:list-first-rows'.
 *
 * It prints a table with the targets and writes bench-results/store.json. It stops by
 * itself and closes the server and the browser, also on failure or Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { findStores, SQLITE_BACKING_STORE_FEATURE } from '../src-main/storage-backend.ts';

/** Wait for the disk to settle (LevelDB's compaction of what was just written), saying so. */
async function settle(seconds) {
  if (seconds <= 0) return;
  console.log(`letting the disk settle for ${seconds} s ...`);
  await sleep(seconds * 1000);
}

const ROOT = resolve(import.meta.dirname, '..');
/** BENCH_STORE_DIST: serve (and with --build, build into) another directory than dist-web */
const DIST = resolve(process.env.BENCH_STORE_DIST || join(ROOT, 'dist-web'));
const RESULTS = join(ROOT, 'bench-results', 'store.json');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TARGETS = {
  saveP95Ms: 10,
  saveVsRaw: 4,
  pageP95Ms: 15,
  firstRenderMs: 300,
};

// ---- arguments --------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { cases: 100_000, samples: 200, pausedSamples: 200, querySamples: 200, renderRuns: 5, seed: 1, settle: 5, build: false, headed: false, profile: null, port: null, engine: 'sqlite' };
  const numeric = { '--cases': 'cases', '--samples': 'samples', '--paused-samples': 'pausedSamples', '--query-samples': 'querySamples', '--render-runs': 'renderRuns', '--seed': 'seed', '--settle': 'settle', '--port': 'port' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag in numeric) {
      const value = Number(inline ?? argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number`);
      opts[numeric[flag]] = value;
    } else if (flag === '--build') opts.build = true;
    else if (flag === '--headed') opts.headed = true;
    else if (flag === '--engine') {
      opts.engine = inline ?? argv[++i];
      if (opts.engine !== 'sqlite' && opts.engine !== 'leveldb') throw new Error('--engine is sqlite or leveldb');
    } else if (flag === '--profile') {
      opts.profile = resolve(inline ?? argv[++i] ?? '');
      if (!argv[i]) throw new Error('--profile needs a directory');
    }
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: node scripts/bench-store.mjs [--cases N] [--samples N] [--paused-samples N] [--query-samples N] [--render-runs N] [--seed N] [--settle S] [--engine sqlite|leveldb] [--build] [--headed] [--profile DIR] [--port N]');
      process.exit(0);
    } else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return opts;
}

// ---- static server ----------------------------------------------------------------------

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

function startServer(dir, port) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir + sep) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePort({ server, port: server.address().port }));
  });
}

// ---- formatting -------------------------------------------------------------------------

const ms = (x) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'PASS' : 'MISS');

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => displayWidth(String(r[c])))));
  const line = (r) => r.map((cell, c) => String(cell) + ' '.repeat(widths[c] - displayWidth(String(cell)))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** CJK characters take two columns in a terminal. */
function displayWidth(s) {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

// ---- the run ----------------------------------------------------------------------------

async function firstRender(page, base, runs) {
  if (!existsSync(join(DIST, 'index.html'))) return { status: 'n/a (app not built)', runs: [] };
  const times = [];
  let nav = null;
  for (let i = 0; i < runs; i++) {
    // a fresh document each time (going to the same URL with a hash would not reload)
    await page.goto('about:blank');
    await page.goto(`${base}/index.html#/cases`, { waitUntil: 'load' });
    let t;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      t = await page.evaluate(() => performance.getEntriesByName('relay:list-first-rows')[0]?.startTime ?? null);
      if (t !== null) break;
      await sleep(25);
    }
    if (t === null || t === undefined) {
      const text = (await page.evaluate(() => document.body.innerText)).slice(0, 160).replace(/\s+/g, ' ');
      return { status: `n/a (app not built: no 'relay:list-first-rows' mark within 20 s; page shows: ${text})`, runs: times };
    }
    times.push(t);
    if (i === 0) {
      nav = await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0];
        return n ? { responseEnd: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd } : null;
      });
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { status: 'ok', runs: times, first: times[0], median: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted.at(-1), navigation: nav };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build || !existsSync(join(DIST, 'bench.html'))) {
    console.log('building the web edition (vite build --config vite.web.config.ts) ...');
    const outDir = process.env.BENCH_STORE_DIST ? ['--outDir', DIST, '--emptyOutDir'] : [];
    const built = spawnSync('npx', ['vite', 'build', '--config', 'vite.web.config.ts', ...outDir], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the web build failed');
  }
  if (!existsSync(join(DIST, 'bench.html'))) {
    throw new Error("dist-web/bench.html is missing: add bench.html to the rollup input of vite.web.config.ts");
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()();
      } catch {
        // keep closing the rest
      }
    }
  };
  const onSignal = () => {
    console.log('\ninterrupted, closing the browser and the server ...');
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const { server, port } = await startServer(DIST, opts.port ?? (opts.profile ? 47831 : 0));
    cleanups.push(
      () =>
        new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
    const base = `http://127.0.0.1:${port}`;

    let profile = opts.profile;
    if (profile) {
      mkdirSync(profile, { recursive: true });
      // Chromium deletes a store of the other engine when it opens the origin (see storage-backend.ts)
      const stores = findStores(join(profile, 'Default', 'IndexedDB'));
      const other = opts.engine === 'sqlite' ? stores.leveldb : stores.sqlite;
      if (other.length > 0) throw new Error(`the kept profile ${profile} holds ${opts.engine === 'sqlite' ? 'LevelDB' : 'SQLite'} stores (${other.map((s) => s.name).join(', ')}): run it with --engine ${opts.engine === 'sqlite' ? 'leveldb' : 'sqlite'} (the other engine's switch would make Chromium delete them)`);
    } else {
      profile = mkdtempSync(join(tmpdir(), 'relay-bench-'));
      cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    }
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, ...(opts.engine === 'sqlite' ? [`--enable-features=${SQLITE_BACKING_STORE_FEATURE}`] : []), '--js-flags=--expose-gc', '--enable-precise-memory-info'],
      headless: !opts.headed,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1600, height: 900 },
    });
    cleanups.push(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.text().startsWith('[fill]')) console.log(`  ${msg.text()}`);
    });
    page.on('pageerror', (err) => console.log(`  page error: ${err.message}`));

    await page.goto(`${base}/bench.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30_000 });
    const userAgent = await page.evaluate(() => window.relayBench.userAgent());
    console.log(`Relay Desk store benchmark: ${opts.cases} cases, ${opts.samples} save samples`);
    console.log(`browser: ${userAgent}`);
    console.log(`profile: ${profile} (on disk${opts.profile ? ', kept' : ''}); IndexedDB engine: ${opts.engine === 'sqlite' ? "SQLite (a new desk of the desktop edition; Chrome 149+ for new sites)" : "LevelDB (Chromium's default without field trials; desks made before the engine choice)"}\n`);

    // a kept profile's first open runs this build's schema upgrades, if its store is older
    const opened = performance.now();
    const held = opts.profile ? await page.evaluate(() => window.relayBench.caseCount()) : 0;
    const openMs = performance.now() - opened;
    let fill;
    if (opts.profile && held >= opts.cases) {
      console.log(`the kept profile already holds ${held} cases (opened and counted in ${(openMs / 1000).toFixed(2)} s, a schema upgrade included where its store was older): no fill\n`);
      fill = { skipped: true, caseRows: held, cases: 0, events: 0, batches: 0, ms: null };
    } else {
      await page.evaluate(() => window.relayBench.reset());
      console.log(`filling ${opts.cases} cases ...`);
      fill = await page.evaluate((o) => window.relayBench.fill(o), { count: opts.cases, seed: opts.seed, batchSize: 500 });
      console.log(`  filled ${fill.caseRows} cases, ${fill.eventRows} events in ${(fill.ms / 1000).toFixed(1)} s (${Math.round(fill.cases / (fill.ms / 1000))} cases/s)\n`);
    }

    // measure as a desk does: a freshly loaded page on a database that is already there
    await page.evaluate(() => window.relayBench.close());
    await page.goto('about:blank');
    await settle(opts.settle);
    await page.goto(`${base}/bench.html`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 30_000 });

    console.log(`measuring intake saves back to back (${opts.samples} samples each: strict, then relaxed, each with a raw transaction of the same durability between saves) ...`);
    const save = await page.evaluate((o) => window.relayBench.save(o), { samples: opts.samples });

    // each phase starts on a settled disk: the compaction the previous phase's writes set off is
    // not counted in the next one's figures
    await settle(opts.settle);
    console.log(`measuring intake saves after a pause (${opts.pausedSamples} samples: real strict, raw strict, 250 ms apart) ...`);
    const paused = await page.evaluate((o) => window.relayBench.savePaused(o), { samples: opts.pausedSamples });

    await settle(opts.settle);
    console.log(`measuring list pages (${opts.querySamples} samples each) ...`);
    const { pages: queries, memory } = await page.evaluate((o) => window.relayBench.query(o), { samples: opts.querySamples });

    console.log('timing the check a desk makes at open after an unclean end (the quick look, and the whole store; twice) ...');
    const crash = await page.evaluate(() => window.relayBench.crashCheck());
    await page.evaluate(() => window.relayBench.close());
    console.log(`measuring the list's first render (${opts.renderRuns} loads of index.html#/cases) ...\n`);
    const render = await firstRender(page, base, opts.renderRuns);

    // ---- report -----------------------------------------------------------------------
    const rows = [['measure', 'median', 'p95', 'RAW median', 'RAW p95', 'target', 'result']];
    const saveRatio = save.real.strict.p95 / save.raw.strict.p95;
    rows.push(['save one intake (strict)', ms(save.real.strict.median), ms(save.real.strict.p95), ms(save.raw.strict.median), ms(save.raw.strict.p95), `p95 ≤ ${TARGETS.saveP95Ms} ms`, verdict(save.real.strict.p95 <= TARGETS.saveP95Ms)]);
    rows.push(['  vs RAW (p95 ratio)', `${(save.real.strict.median / save.raw.strict.median).toFixed(2)}×`, `${saveRatio.toFixed(2)}×`, '', '', `≤ ${TARGETS.saveVsRaw}× raw`, verdict(saveRatio <= TARGETS.saveVsRaw)]);
    rows.push(['save one intake after a pause (strict)', ms(paused.real.median), ms(paused.real.p95), ms(paused.raw.median), ms(paused.raw.p95), `p95 ≤ ${TARGETS.saveP95Ms} ms`, verdict(paused.real.p95 <= TARGETS.saveP95Ms)]);
    rows.push(['save one intake (relaxed)', ms(save.real.relaxed.median), ms(save.real.relaxed.p95), ms(save.raw.relaxed.median), ms(save.raw.relaxed.p95), '(for comparison)', '']);
    rows.push(['  cost of strict (p95)', `+${(save.real.strict.median - save.real.relaxed.median).toFixed(2)} ms`, `+${(save.real.strict.p95 - save.real.relaxed.p95).toFixed(2)} ms`, `+${(save.raw.strict.median - save.raw.relaxed.median).toFixed(2)} ms`, `+${(save.raw.strict.p95 - save.raw.relaxed.p95).toFixed(2)} ms`, '', '']);
    for (const q of queries) {
      rows.push([`page: ${q.name}`, ms(q.real.median), ms(q.real.p95), ms(q.raw.median), ms(q.raw.p95), `p95 ≤ ${TARGETS.pageP95Ms} ms`, verdict(q.real.p95 <= TARGETS.pageP95Ms)]);
      if (q.beforeFill) rows.push(['  the same, in-memory search stopped (rows walked)', ms(q.beforeFill.median), ms(q.beforeFill.p95), '', '', '(fallback only)', '']);
    }
    if (render.status === 'ok') {
      rows.push([`list first render (median of ${render.runs.length} loads)`, ms(render.median), `max ${ms(render.max)}`, '', '', `≤ ${TARGETS.firstRenderMs} ms`, verdict(render.median <= TARGETS.firstRenderMs)]);
      rows.push(['  first load after the fill', ms(render.first), '', '', '', `≤ ${TARGETS.firstRenderMs} ms`, verdict(render.first <= TARGETS.firstRenderMs)]);
    } else {
      rows.push(['list first render', render.status.slice(0, 24), '', '', '', `≤ ${TARGETS.firstRenderMs} ms`, 'n/a']);
    }
    console.log(table(rows));
    console.log('');
    if (fill.skipped) console.log(`fill: skipped, the kept profile holds ${fill.caseRows} cases`);
    else console.log(`fill: ${fill.cases} cases / ${fill.events} events in ${(fill.ms / 1000).toFixed(1)} s, ${fill.batches} transactions of up to 500 recordings`);
    for (const q of queries) console.log(`plan of "${q.name}": ${q.plan} (${q.rows} rows, cold first query ${ms(q.firstMs)}${q.beforeFill ? `; with the in-memory search stopped: ${q.beforeFill.plan}` : ''}); RAW = ${q.rawLabel}`);
    const heap = memory.pageHeapMb !== null ? `; the page's whole JS heap with it: ${memory.pageHeapMb} MB` : '';
    console.log(
      memory.failed
        ? `in-memory search: not filled (${memory.failed})`
        : `in-memory search: ${memory.cases} cases, ${memory.terms} terms filled in ${ms(memory.loadMs)} at open (in the background)${heap}`,
    );
    const mended = crash.found ? crash.found.refolded + crash.found.counters.length + (crash.found.rewound ? 1 : 0) : 0;
    console.log(
      `open after an unclean end: the quick look at the latest ${'10,000'} events ${crash.quick.map((t) => ms(t)).join(', ')} (signs: ${crash.signs.length === 0 ? 'none' : crash.signs.join('; ')}); ` +
        `the whole store's check, run only on a sign ${crash.full.map((t) => ms(t)).join(', ')} (found ${mended === 0 ? 'nothing to mend' : JSON.stringify(crash.found)})`,
    );
    if (render.status !== 'ok') console.log(`first render: ${render.status}`);
    else {
      const n = render.navigation;
      const navText = n ? `; first load: DOMContentLoaded ${ms(n.domContentLoaded)}, load ${ms(n.load)}` : '';
      console.log(`first render loads: ${render.runs.map((t) => ms(t)).join(', ')}${navText}`);
    }

    const result = {
      at: new Date().toISOString(),
      options: opts,
      environment: { userAgent, node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memGiB: Math.round(totalmem() / 2 ** 30) },
      targets: TARGETS,
      fill,
      save,
      savePaused: paused,
      queries,
      memorySearch: memory,
      firstRender: render,
      crashCheck: crash,
      verdicts: {
        saveP95: save.real.strict.p95 <= TARGETS.saveP95Ms,
        saveVsRaw: saveRatio <= TARGETS.saveVsRaw,
        savePausedP95: paused.real.p95 <= TARGETS.saveP95Ms,
        pages: queries.map((q) => ({ name: q.name, pass: q.real.p95 <= TARGETS.pageP95Ms })),
        firstRender: render.status === 'ok' ? render.median <= TARGETS.firstRenderMs : null,
        firstRenderFirstLoad: render.status === 'ok' ? render.first <= TARGETS.firstRenderMs : null,
      },
    };
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nresults written to ${RESULTS.slice(ROOT.length + 1)}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

main().catch((error) => {
  console.error(`bench:store failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
