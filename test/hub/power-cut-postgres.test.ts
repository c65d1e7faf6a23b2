/**
 * The hub on PostgreSQL through a power cut (test/support/power-cut.ts). A PostgreSQL server of
 * the test's own (Debian's binaries, a fresh cluster, run as the postgres user when the tests run
 * as root) runs with every write to its data folder journalled, and with synchronous_commit off
 * by default: the hub must commit its sessions synchronously by itself (pg-driver.ts). The hub
 * and the server are killed with SIGKILL mid-push, every write no flush covered is taken back
 * (in part, torn, in the second round), and both start again: every event the hub acknowledged
 * must be there once, the batch in hand all or nothing.
 *
 * The control: commits made with synchronous_commit off on the same server are lost by the same
 * cut, though each was reported done, which shows the cut takes what it should and why the hub
 * does not leave its commits to the server's default.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../src-common/domain';
import { buildUnflushedWrites, cutUnflushed, flushesByFile, journalEnv, seededRandom } from '../support/power-cut';
import { Desk, toHotline } from './helpers/desk';
import { kill, startChild, type Running } from './helpers/hub-child';
import { ADMIN_TOKEN, pullAll, push, request } from './helpers/hub-harness';

/** Debian's PostgreSQL binaries (the newest installed), or why this test cannot run. */
function findPostgres(): { bin: string } | { skip: string } {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return { skip: 'no PostgreSQL binaries in /usr/lib/postgresql (apt-get install -y postgresql)' };
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) return { skip: 'no postgres binary under /usr/lib/postgresql/*/bin' };
  if (process.getuid?.() === 0 && spawnSync('runuser', ['--help']).error) return { skip: 'running as root without runuser to start PostgreSQL as postgres' };
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return { skip: 'running as root with no postgres user to start PostgreSQL as' };
  return { bin: join(root, versions[0]!, 'bin') };
}
const found = findPostgres();

/** A command as the postgres user when we are root (PostgreSQL refuses to run as root). */
function asPostgres(command: string[], env: Record<string, string> = {}): [string, string[]] {
  const withEnv = ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command];
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...withEnv]] : [withEnv[0]!, withEnv.slice(1)];
}

/** The live processes whose parent is `parent` (a zombie holds nothing open any more). */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === parent && state !== 'Z') pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

let work: string;
let library: string;
beforeAll(() => {
  if ('skip' in found) return;
  // canonical (the journal refuses a folder named otherwise)
  work = realpathSync(mkdtempSync(join(tmpdir(), 'relay-pg-power-')));
  // the server (another user) writes its data folder and the journal here
  chmodSync(work, 0o777);
  library = buildUnflushedWrites(join(work, 'library'));
});
/** every server started, so that none outlives a failing test */
const servers = new Set<Server>();
afterAll(async () => {
  for (const server of servers) await server.kill().catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A PostgreSQL server of the test's own: a fresh cluster in the work folder, reached over a
 * Unix socket there only (no TCP port to race other tests for).
 */
class Server {
  private child: ChildProcess | null = null;
  constructor(readonly dataDir: string) {
    servers.add(this);
  }

  static create(name: string): Server {
    const bin = (found as { bin: string }).bin;
    const server = new Server(join(work, name));
    const [cmd, args] = asPostgres([join(bin, 'initdb'), '-D', server.dataDir, '-U', 'relay', '--auth=trust', '--no-instructions', '-E', 'UTF8', '--locale=C']);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    return server;
  }

  /** its Unix socket's folder (one a server, so no server finds another's socket lock) */
  get socketDir(): string {
    return `${this.dataDir}-socket`;
  }

  get url(): string {
    return `postgres://relay@/postgres?host=${encodeURIComponent(this.socketDir)}`;
  }

  /** Start it (with the journal, when given), with synchronous_commit off by default, and `settings`. */
  async start(journal?: string, settings: string[] = []): Promise<void> {
    const bin = (found as { bin: string }).bin;
    if (journal) {
      writeFileSync(journal, '');
      chmodSync(journal, 0o666);
    }
    mkdirSync(this.socketDir, { recursive: true, mode: 0o777 });
    chmodSync(this.socketDir, 0o777);
    const server = [join(bin, 'postgres'), '-D', this.dataDir, '-k', this.socketDir, '-c', 'listen_addresses='];
    for (const setting of [
      'synchronous_commit=off',
      // the WAL writer would otherwise flush asynchronous commits within 0.2 s
      'wal_writer_delay=10000',
      // flushes the journal sees (fsync/fdatasync), whatever the platform's default
      'wal_sync_method=fdatasync',
      'autovacuum=off',
      ...settings,
    ])
      server.push('-c', setting);
    const [cmd, args] = asPostgres(server, journal ? journalEnv(library, this.dataDir, journal) : {});
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    this.child = child;
    const until = Date.now() + 60_000;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        const ended = child.exitCode !== null || child.signalCode !== null;
        if (ended || Date.now() > until) {
          await this.kill().catch(() => undefined);
          throw new Error(`PostgreSQL did not start: ${log.slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /**
   * SIGKILL the server, every process of it at once: the postmaster (stopped first, so it starts
   * no other) and its children, each of which leads a session of its own. The runuser above the
   * postmaster is left to reap it, so that no zombie keeps its pid, which the postmaster.pid left
   * behind names, looking alive.
   */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
    // the postmaster is ours only if it is the process started, or the one runuser started
    const postmaster = [child.pid!, ...childrenOf(child.pid!)].find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith('/postgres');
      } catch {
        return false;
      }
    });
    if (postmaster !== undefined) {
      process.kill(postmaster, 'SIGSTOP');
      const all = [postmaster, ...childrenOf(postmaster)];
      for (const pid of all) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      // runuser stops itself when its child stops (as a shell would): it must go on to reap it
      if (postmaster !== child.pid) {
        try {
          process.kill(child.pid!, 'SIGCONT');
        } catch {
          // gone already
        }
      }
      const until = Date.now() + 10_000;
      while (all.some(alive)) {
        if (Date.now() > until) throw new Error('PostgreSQL processes outlived SIGKILL');
        await new Promise((r) => setTimeout(r, 50));
      }
    } else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/** 5 events a case: created, screened, noted twice and transferred. */
function batchOf(d: Desk, tag: string, cases = 10): RelayEvent[] {
  const events: RelayEvent[] = [];
  for (let i = 0; i < cases; i++) {
    const c = d.created(`${tag} 第 ${i} 件：小区供水管道爆裂，楼道积水，整栋楼停水。`);
    events.push(c, d.screened(c.caseId), d.note(c.caseId), d.note(c.caseId), d.transferred(c.caseId, toHotline()));
  }
  return events;
}

describe.skipIf('skip' in found)(`hub on PostgreSQL through a power cut${'skip' in found ? ` (skipped: ${found.skip})` : ''}`, () => {
  let server: Server | undefined;
  let hub: Running | undefined;
  afterAll(async () => {
    if (hub && hub.child.exitCode === null && hub.child.signalCode === null) await kill(hub);
    await server?.kill().catch(() => undefined);
  });

  it(
    'every event the hub acknowledged is there, once, though the server commits asynchronously by default',
    async () => {
      server = Server.create('hub-data');
      const desk = Desk.of('p110-pgcut', 'police110', '兰山区');
      const seed = Date.now() % 1_000_000;
      const random = seededRandom(seed);
      const outcomes: string[] = [`seed ${seed}`];
      const acknowledged: RelayEvent[] = [];
      for (const [round, torn] of [
        [1, false],
        [2, true],
      ] as const) {
        const journal = join(work, `hub-${round}.journal`);
        await server.start(journal);
        hub = await startChild({ DATABASE_URL: server.url });
        if (round === 1) {
          const reg = await request<{ token: string }>(hub.url, 'POST', '/admin/stations', { token: ADMIN_TOKEN, body: desk.info });
          expect(reg.status).toBe(201);
          desk.token = reg.body.token;
        }
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
        // the power goes: the hub and the server at once
        hub.child.kill('SIGKILL');
        await server.kill();
        await hub.exited;
        const answer = await pushing;
        if (answer === 'answered') acknowledged.push(...inHand);
        const walFlushes = [...flushesByFile(journal)].filter(([path]) => path.includes('/pg_wal/')).reduce((n, [, c]) => n + c, 0);
        expect(walFlushes, `round ${round} (seed ${seed}): WAL flushes seen`).toBeGreaterThanOrEqual(6);
        const cuts = cutUnflushed(journal, { torn, random });

        await server.start();
        hub = await startChild({ DATABASE_URL: server.url });
        const all = (await pullAll(hub.url, desk.token, '0', 2000)).events;
        const ids = all.map((e) => e.event.id);
        expect(new Set(ids).size, 'each event once').toBe(ids.length);
        const held = new Set(ids);
        expect(
          acknowledged.filter((e) => !held.has(e.id)).map((e) => e.id),
          `acknowledged events lost (seed ${seed})`,
        ).toEqual([]);
        const present = inHand.filter((e) => held.has(e.id)).length;
        expect([0, inHand.length], 'the batch in hand: all or nothing').toContain(present);
        const again = await push(hub.url, desk.token, inHand);
        expect(again.status).toBe(200);
        expect(new Set(again.body.results.map((r) => r.status))).toEqual(new Set([present === 0 ? 'accepted' : 'duplicate']));
        if (answer !== 'answered') acknowledged.push(...inHand);
        const undone = cuts.filter((c) => c.undone > 0);
        outcomes.push(
          `round ${round}${torn ? ' (torn)' : ''}: in-hand batch ${answer}, ${present === 0 ? 'not kept' : 'kept whole'}; ` +
            `${undone.reduce((n, c) => n + c.undone, 0)} writes in ${undone.length} files taken back`,
        );
        await kill(hub);
        await server.kill();
      }
      console.info(`[postgres] power cuts:\n  ${outcomes.join('\n  ')}`);
    },
    240_000,
  );

  it('the control: commits made with synchronous_commit off, each reported done, are lost by the same cut', async () => {
    const control = Server.create('control-data');
    const journal = join(work, 'control.journal');
    await control.start(journal);
    let reported = 0;
    try {
      const client = new pg.Client({ connectionString: control.url });
      await client.connect();
      await client.query('CREATE TABLE t (id int PRIMARY KEY, body text NOT NULL)');
      // the table is on disk before the commits the cut is about
      await client.query('CHECKPOINT');
      for (let i = 1; i <= 100; i++) {
        await client.query('INSERT INTO t VALUES ($1, $2)', [i, `行 ${i} `.repeat(40)]);
        reported = i;
      }
      await client.end().catch(() => undefined);
    } finally {
      await control.kill();
    }
    const cuts = cutUnflushed(journal);
    expect(cuts.some((c) => c.file.includes('/pg_wal/') && c.undone > 0), 'the cut took back WAL writes').toBe(true);
    await control.start();
    const client = new pg.Client({ connectionString: control.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
      expect(rows[0]!.n, 'reported commits kept').toBeLessThan(reported);
      console.info(`[postgres] control: with synchronous_commit off, ${rows[0]!.n} of ${reported} reported commits kept`);
    } finally {
      await client.end();
      await control.kill();
    }
  }, 120_000);

  it('a server that does not flush (fsync off) is named in the hub’s log as losing acknowledged pushes', async () => {
    const careless = Server.create('careless-data');
    await careless.start(undefined, ['fsync=off']);
    let running: Running | undefined;
    try {
      running = await startChild({ DATABASE_URL: careless.url });
      const warning = await running.waitFor(/fsync = off/);
      expect(warning.level).toBe(40);
      expect(String(warning.msg)).toMatch(/acknowledged/);
    } finally {
      if (running) await kill(running);
      await careless.kill();
    }
  }, 60_000);
});
