/** The hub's small pure parts: cursors, seq progress, tokens, the serial queue, the data-folder lock. */
import { mkdtempSync, writeFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src-common/domain';
import { DataDirLock, DataDirLockedError, ownerRuns, parseLockOwner, type ProcessProbe } from '../../src-hub/db/data-dir-lock';
import { SerialQueue } from '../../src-hub/db/serial-queue';
import { joinTexts } from '../../src-hub/sync/batch-write';
import { pullResponseJson } from '../../src-hub/sync/pull';
import { PullResponseSchema } from '../../src-common/protocol/v1';
import { placeholders, valuesRows } from '../../src-hub/db/database';
import { configFromEnv } from '../../src-hub/config';
import { compareCursor, formatCursor, parseCursor } from '../../src-hub/sync/cursor';
import { progressFrom } from '../../src-hub/sync/progress';
import { bearerToken, hashToken, newToken, sameSecret } from '../../src-hub/stations/tokens';

describe('pull cursors', () => {
  it('parse what they format; "0", empty and absent are the start', () => {
    expect(parseCursor(undefined)).toEqual({ pos: 0, hubSeq: 0 });
    expect(parseCursor('')).toEqual({ pos: 0, hubSeq: 0 });
    expect(parseCursor('0')).toEqual({ pos: 0, hubSeq: 0 });
    expect(parseCursor('42')).toEqual({ pos: 42, hubSeq: 42 });
    expect(parseCursor('42.7')).toEqual({ pos: 42, hubSeq: 7 });
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), fc.nat({ max: 1e12 }), (a, b) => {
        const c = { pos: Math.max(a, b), hubSeq: Math.min(a, b) };
        expect(parseCursor(formatCursor(c))).toEqual(c);
      }),
    );
  });

  it('refuse anything else', () => {
    for (const bad of ['-1', 'abc', '01', '1.', '.1', '3.7', '1.2.3', ' 1', '1e3', '9999999999999999']) expect(parseCursor(bad), bad).toBeNull();
  });

  it('order by position, then hub sequence', () => {
    expect(compareCursor({ pos: 5, hubSeq: 2 }, { pos: 5, hubSeq: 5 })).toBeLessThan(0);
    expect(compareCursor({ pos: 5, hubSeq: 5 }, { pos: 6, hubSeq: 1 })).toBeLessThan(0);
  });
});

describe('seq progress', () => {
  it('finds the contiguous prefix and the gaps', () => {
    expect(progressFrom(0, [])).toEqual({ contiguousSeq: 0, gaps: [] });
    expect(progressFrom(0, [1, 2, 5])).toEqual({ contiguousSeq: 2, gaps: [{ from: 3, to: 4 }] });
    expect(progressFrom(0, [3])).toEqual({ contiguousSeq: 0, gaps: [{ from: 1, to: 2 }] });
    expect(progressFrom(4, [5, 6, 9, 12])).toEqual({
      contiguousSeq: 6,
      gaps: [
        { from: 7, to: 8 },
        { from: 10, to: 11 },
      ],
    });
  });

  it('agrees with a plain count for any set of seqs', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 60 })), (seqs) => {
        const held = new Set(seqs);
        const { contiguousSeq, gaps } = progressFrom(0, seqs);
        let c = 0;
        while (held.has(c + 1)) c++;
        expect(contiguousSeq).toBe(c);
        const max = seqs.length ? Math.max(...seqs) : 0;
        const missing = [];
        for (let s = 1; s <= max; s++) if (!held.has(s)) missing.push(s);
        expect(gaps.flatMap((g) => Array.from({ length: g.to - g.from + 1 }, (_, i) => g.from + i))).toEqual(missing);
      }),
    );
  });
});

describe('canonical JSON (the station and the hub compare events with it)', () => {
  it('does not depend on key order, drops undefined and local bookkeeping', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: undefined }, hubSeq: 9, lseq: 3 })).toBe('{"a":{"d":[1,{"x":2,"y":1}]},"b":1}');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(canonicalJson(JSON.parse(canonicalJson(obj)))).toBe(canonicalJson(obj));
      }),
    );
  });
});

describe('tokens', () => {
  it('are 32 random bytes in base64url, stored as sha256', () => {
    const t = newToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t)).not.toContain(t);
  });

  it('come from a Bearer header only', () => {
    expect(bearerToken('Bearer abc-DEF_123')).toBe('abc-DEF_123');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(sameSecret('a', 'a')).toBe(true);
    expect(sameSecret('a', 'ab')).toBe(false);
  });
});

describe('SQL helpers', () => {
  it('number placeholders', () => {
    expect(placeholders(3)).toBe('$1, $2, $3');
    expect(placeholders(2, 4)).toBe('$4, $5');
    expect(valuesRows(2, 2)).toBe('($1, $2), ($3, $4)');
  });
});

describe('configuration', () => {
  it('defaults to 127.0.0.1:4710, PGlite in .hub-data, info logs', () => {
    const c = configFromEnv({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 4710, logLevel: 'info', adminToken: undefined, database: { dataDir: '.hub-data' } });
    expect(c.database.databaseUrl).toBeUndefined();
    expect(configFromEnv({ DATABASE_URL: 'postgres://x/y', PORT: '0' })).toMatchObject({ port: 0, database: { databaseUrl: 'postgres://x/y' } });
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => configFromEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => configFromEnv({ HUB_ADMIN_TOKEN: 'short' })).toThrow(/HUB_ADMIN_TOKEN/);
  });
});

describe('SerialQueue', () => {
  it('runs tasks one at a time, in order, even when one fails', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([q.run(task('a')), q.run(task('b', true)), q.run(task('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});

describe('data folder lock (PGlite is single-process)', () => {
  it('refuses a second holder, takes over a stale lock, releases', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-lock-'));
    try {
      const lock = DataDirLock.acquire(dir);
      expect(() => DataDirLock.acquire(dir)).toThrow(DataDirLockedError);
      lock.release();
      expect(existsSync(join(dir, 'hub.lock'))).toBe(false);
      // a lock left by a process that is gone (killed): taken over
      writeFileSync(join(dir, 'hub.lock'), '999999999');
      const again = DataDirLock.acquire(dir);
      again.release();
      // a live process (our parent) holds it: refused, with a message saying what to do
      writeFileSync(join(dir, 'hub.lock'), String(process.ppid));
      expect(() => DataDirLock.acquire(dir)).toThrow(/HUB_ADMIN_TOKEN/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is made whole before it appears (never seen empty), leaves nothing else behind; an empty one a power cut left is taken over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-lock-'));
    try {
      const lock = DataDirLock.acquire(dir);
      expect(readdirSync(dir)).toEqual(['hub.lock']);
      expect(parseLockOwner(readFileSync(join(dir, 'hub.lock'), 'utf8'))?.pid).toBe(process.pid);
      lock.reassert();
      expect(readdirSync(dir)).toEqual(['hub.lock']);
      expect(parseLockOwner(readFileSync(join(dir, 'hub.lock'), 'utf8'))?.pid).toBe(process.pid);
      lock.release();
      // held by another live process (our parent): refused on disk, nothing left behind
      writeFileSync(join(dir, 'hub.lock'), String(process.ppid));
      expect(() => DataDirLock.acquire(dir)).toThrow(DataDirLockedError);
      expect(readdirSync(dir)).toEqual(['hub.lock']);
      writeFileSync(join(dir, 'hub.lock'), '');
      DataDirLock.acquire(dir).release();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records who holds it: pid, start time and boot, where the system tells them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-lock-'));
    try {
      const lock = DataDirLock.acquire(dir);
      const owner = parseLockOwner(readFileSync(join(dir, 'hub.lock'), 'utf8'))!;
      expect(owner.pid).toBe(process.pid);
      if (process.platform === 'linux') {
        expect(owner.start).toMatch(/^\d+$/);
        expect(owner.boot).toMatch(/^[0-9a-f-]{36}$/);
      }
      lock.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lock naming a pid that now belongs to someone else is stale (a restart gave the pid out again)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-lock-'));
    const probe = (start: string, boot: string): ProcessProbe => ({ alive: () => true, startOf: () => start, bootId: () => boot });
    try {
      // our own pid, left by an earlier process (a container restarted: the hub is pid 1 again)
      writeFileSync(join(dir, 'hub.lock'), JSON.stringify({ pid: process.pid, start: '1', boot: 'b' }));
      DataDirLock.acquire(dir).release();
      // a live pid with another start time: another process
      writeFileSync(join(dir, 'hub.lock'), JSON.stringify({ pid: 4242, start: '100', boot: 'b' }));
      DataDirLock.acquire(dir, probe('200', 'b')).release();
      // ... or from before a reboot
      writeFileSync(join(dir, 'hub.lock'), JSON.stringify({ pid: 4242, start: '100', boot: 'old-boot' }));
      DataDirLock.acquire(dir, probe('100', 'new-boot')).release();
      // the same process still running: refused
      writeFileSync(join(dir, 'hub.lock'), JSON.stringify({ pid: 4242, start: '100', boot: 'b' }));
      expect(() => DataDirLock.acquire(dir, probe('100', 'b'))).toThrow(DataDirLockedError);
      // where the system cannot tell, a live pid holds it
      expect(ownerRuns({ pid: 4242, start: '100', boot: 'b' }, { alive: () => true, startOf: () => null, bootId: () => null })).toBe(true);
      expect(ownerRuns({ pid: 4242, start: null, boot: null }, { alive: () => false, startOf: () => null, bootId: () => null })).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('joinTexts (a text column sent as one text, split by string_to_array)', () => {
  it('joins with U+001E, and an empty list is the empty text', () => {
    expect(joinTexts(['a', '引号"{},\\', 'c'])).toBe('a\u001e引号"{},\\\u001ec');
    expect(joinTexts([])).toBe('');
  });

  it('refuses a value the split would lose or cut in two', () => {
    expect(() => joinTexts(['a', ''])).toThrow(/empty or holds U\+001E/);
    expect(() => joinTexts(['a\u001eb'])).toThrow(/empty or holds U\+001E/);
    // anywhere in a longer list, alone or at either end of a value, and an empty value first
    expect(() => joinTexts(['a', 'b', 'c\u001ed', 'e'])).toThrow(/"c\\u001ed"/);
    expect(() => joinTexts(['a', '\u001e'])).toThrow(/empty or holds U\+001E/);
    expect(() => joinTexts(['\u001ea', 'b'])).toThrow(/empty or holds U\+001E/);
    expect(() => joinTexts(['', 'b', 'c'])).toThrow(/empty or holds U\+001E/);
    expect(() => joinTexts([''])).toThrow(/empty or holds U\+001E/);
  });
});

describe('pullResponseJson (stored event texts spliced into a PullResponse)', () => {
  it('writes exactly what JSON.stringify writes for the parsed page, and the protocol schema reads it', () => {
    const events = [
      { v: 1, id: 'A', payload: { text: '引号" 反斜杠\\ 换行\n \u001e', n: 1.5, list: [null, true] } },
      { v: 1, id: 'B', payload: {} },
    ];
    const page = { events: events.map((e, i) => ({ hubSeq: 41 + i, content: canonicalJson(e) })), cursor: '42.40', more: true };
    const text = pullResponseJson(page);
    const parsed = { events: page.events.map((e) => ({ hubSeq: e.hubSeq, event: JSON.parse(e.content) as unknown })), cursor: page.cursor, more: page.more };
    expect(text).toBe(JSON.stringify(parsed));
    expect(PullResponseSchema.parse(JSON.parse(text))).toEqual(parsed);
    expect(JSON.parse(pullResponseJson({ events: [], cursor: '7', more: false }))).toEqual({ events: [], cursor: '7', more: false });
  });
});
