/**
 * The hub on its embedded engine through a power cut (test/support/power-cut.ts): the hub runs
 * as its own process with every write to its data folder journalled, stations push batch after
 * batch, the hub is killed with SIGKILL mid-push, and every write it made and never flushed is
 * taken back (in part, torn, in some rounds), as a power cut may. Started again, the hub must
 * open, hold every event it acknowledged exactly once, and the batch it was handling when the
 * power went must be all there or not at all.
 *
 * The control runs PGlite as it ships (fsync off) under the same cut: commits it reported are
 * lost, which shows the cut takes what it should; the hub's engine (src-hub/db/pglite-engine.ts)
 * under the same cut loses none. PostgreSQL is not cut here: the server is not started by the
 * tests, and its durability is PostgreSQL's own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../src-common/domain';
import { startPglite } from '../../src-hub/db/pglite-engine';
import { buildUnflushedWrites, cutUnflushed, flushesByFile, journalEnv, seededRandom, type Cut } from '../support/power-cut';
import { Desk, toHotline } from './helpers/desk';
import { freshLocation } from './helpers/drivers';
import { kill, startChild, type Running } from './helpers/hub-child';
import { ADMIN_TOKEN, pullAll, push, request } from './helpers/hub-harness';

let work: string;
let library: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'relay-power-cut-'));
  library = buildUnflushedWrites(join(work, 'library'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** 5 events a case: created, screened, noted twice and transferred. */
function batchOf(d: Desk, tag: string, cases = 10): RelayEvent[] {
  const events: RelayEvent[] = [];
  for (let i = 0; i < cases; i++) {
    const c = d.created(`${tag} 第 ${i} 件：小区供水管道爆裂，楼道积水，整栋楼停水。`);
    events.push(c, d.screened(c.caseId), d.note(c.caseId), d.note(c.caseId), d.transferred(c.caseId, toHotline()));
  }
  return events;
}

/** What a cut took back: how many files and writes, the WAL's named. */
function brief(cuts: Cut[]): string {
  const hit = cuts.filter((c) => c.undone > 0);
  if (hit.length === 0) return 'nothing unflushed';
  const writes = hit.reduce((n, c) => n + c.undone, 0);
  const wal = hit.filter((c) => c.file.includes('/pg_wal/')).map((c) => `${c.file.split('/').pop()} ${c.sizeBefore}→${c.sizeAfter}`);
  return `${writes} writes in ${hit.length} files taken back${wal.length > 0 ? ` (WAL: ${wal.join(', ')})` : ''}`;
}

describe('hub on PGlite through a power cut', () => {
  let location: ReturnType<typeof freshLocation>;
  let hub: Running | undefined;
  const desk = Desk.of('p110-power', 'police110', '兰山区');

  beforeAll(() => {
    location = freshLocation('pglite');
  });
  afterAll(async () => {
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
      hub.child.kill('SIGKILL');
      await hub.exited;
    }
    await location?.cleanup();
  });

  it(
    'every event it acknowledged is there, once; the batch in hand when the power went is all there or not at all',
    async () => {
      const dataDir = realpathSync(location.env.HUB_DATA_DIR!);
      const seed = Date.now() % 1_000_000;
      const random = seededRandom(seed);
      const outcomes: string[] = [`seed ${seed}`];
      const acknowledged: RelayEvent[] = [];
      for (const [round, torn] of [
        [1, false],
        [2, true],
        [3, true],
      ] as const) {
        const journal = join(work, `hub-${round}.journal`);
        hub = await startChild({ ...location.env, ...journalEnv(library, dataDir, journal) });
        if (round === 1) {
          const reg = await request<{ token: string }>(hub.url, 'POST', '/admin/stations', { token: ADMIN_TOKEN, body: desk.info });
          expect(reg.status).toBe(201);
          desk.token = reg.body.token;
        }
        // batches answered one after another, then one more, in hand when the power goes
        for (let b = 0; b < 6; b++) {
          const batch = batchOf(desk, `第 ${round} 轮第 ${b} 批`);
          const res = await push(hub.url, desk.token, batch);
          expect(res.status).toBe(200);
          expect(res.body.results.every((r) => r.status === 'accepted')).toBe(true);
          acknowledged.push(...batch);
        }
        const inHand = batchOf(desk, `第 ${round} 轮断电时的一批`, 60);
        const pushing = push(hub.url, desk.token, inHand).then(
          (r) => (r.status === 200 ? 'answered' : `answered ${r.status}`),
          () => 'no answer',
        );
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
        await kill(hub);
        const answer = await pushing;
        if (answer === 'answered') acknowledged.push(...inHand);
        // the journal saw the commits reach the disk: the WAL flushed at least once a batch
        const walFlushes = [...flushesByFile(journal)].filter(([path]) => path.includes('/pg_wal/')).reduce((n, [, count]) => n + count, 0);
        expect(walFlushes, `round ${round} (seed ${seed}): WAL flushes seen`).toBeGreaterThanOrEqual(6);
        const cuts = cutUnflushed(journal, { torn, random });

        // the power is back: the hub starts on what the disk kept
        hub = await startChild(location.env);
        const health = await request<{ ok: boolean; database: string }>(hub.url, 'GET', '/health');
        expect(health.body).toMatchObject({ ok: true, database: 'pglite' });
        const all = (await pullAll(hub.url, desk.token, '0', 2000)).events;
        const ids = all.map((e) => e.event.id);
        expect(new Set(ids).size, 'each event once').toBe(ids.length);
        const held = new Set(ids);
        const lost = acknowledged.filter((e) => !held.has(e.id));
        expect(lost.map((e) => e.id), `acknowledged events lost (seed ${seed})`).toEqual([]);
        const present = inHand.filter((e) => held.has(e.id)).length;
        expect([0, inHand.length], 'the batch in hand: all or nothing').toContain(present);
        // the station got no answer (or did): it sends the batch again, and nothing doubles
        const again = await push(hub.url, desk.token, inHand);
        expect(again.status).toBe(200);
        expect(new Set(again.body.results.map((r) => r.status))).toEqual(new Set([present === 0 ? 'accepted' : 'duplicate']));
        if (answer !== 'answered') acknowledged.push(...inHand);
        outcomes.push(
          `round ${round}${torn ? ' (torn)' : ''}: in-hand batch ${answer}, ${present === 0 ? 'not kept' : 'kept whole'}; cut: ${brief(cuts)}`,
        );
        await kill(hub);
      }
      console.info(`[pglite] power cuts:\n  ${outcomes.join('\n  ')}`);
    },
    240_000,
  );
});

describe('the control: PGlite as it ships against the hub’s engine, under the same power cut', () => {
  /** Commit rows one by one on `mode`'s engine until `count` are reported, then cut the power. */
  async function commitThenCut(mode: 'plain' | 'durable', count: number): Promise<{ reported: number; kept: number; cuts: Cut[]; walFlushes: number }> {
    const dir = join(work, `control-${mode}`);
    const fixture = 'test/hub/fixtures/pglite-commits.mjs';
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const prepare = run([dir, 'prepare']);
    expect(await new Promise((r) => prepare.on('exit', r))).toBe(0);
    const journal = join(work, `control-${mode}.journal`);
    const child = run([realpathSync(dir), mode], journalEnv(library, realpathSync(dir), journal));
    let reported = 0;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the ${mode} writer exited (${code}) after ${reported} commits`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!/^\d+$/.test(line)) return;
        reported = Number(line);
        if (reported === count) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r(null)));
    const walFlushes = [...flushesByFile(journal)].filter(([path]) => path.includes('/pg_wal/')).reduce((n, [, c]) => n + c, 0);
    const cuts = cutUnflushed(journal);
    const pg = await startPglite(dir);
    try {
      const [row] = (await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id <= $1', [reported])).rows;
      return { reported, kept: row!.n, cuts, walFlushes };
    } finally {
      await pg.close();
    }
  }

  it('commits PGlite reported with fsync off are lost; the hub’s engine keeps every one', async () => {
    const plain = await commitThenCut('plain', 100);
    expect(plain.walFlushes, 'PGlite as it ships never flushes').toBe(0);
    expect(plain.cuts.some((c) => c.file.includes('/pg_wal/') && c.undone > 0), 'the cut took back WAL writes').toBe(true);
    // nothing it wrote was ever flushed: the folder is back where the (clean) preparation left it
    expect(plain.kept, 'reported commits kept without fsync').toBe(0);
    const durable = await commitThenCut('durable', 100);
    expect(durable.walFlushes, 'a WAL flush at least once a commit').toBeGreaterThanOrEqual(durable.reported);
    expect(durable.kept).toBe(durable.reported);
    console.info(`[pglite] control: as it ships ${plain.kept} of ${plain.reported} reported commits kept; the hub's engine ${durable.kept} of ${durable.reported}`);
  }, 120_000);
});
