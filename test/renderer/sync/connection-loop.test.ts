import { describe, expect, it } from 'vitest';
import { backoffDelay, ConnectionLoop, type LoopDeps, type SyncStatus } from '../../../src-renderer/src/sync/connection-loop';
import { HubError, type HubClient } from '../../../src-renderer/src/sync/hub-client';

/** A manual clock and timer queue, so the loop's timing is tested without waiting. */
function harness(round: LoopDeps['round'], opts: { configured?: boolean; client?: LoopDeps['client'] } = {}) {
  let now = 1_000_000;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  const statuses: SyncStatus[] = [];
  const client = {} as HubClient;
  const loop = new ConnectionLoop({
    client: opts.client ?? (async () => (opts.configured === false ? null : client)),
    round,
    onStatus: (s) => statuses.push(s),
    now: () => now,
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, id: nextId++ };
      timers.push(t);
      return t.id;
    },
    clearTimer: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    debounceMs: 500,
    intervalMs: 30_000,
    minBackoffMs: 1_000,
    maxBackoffMs: 60_000,
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    loop,
    statuses,
    timers,
    last: () => statuses.at(-1)!,
    /** move the clock forward, firing due timers in order */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > until) break;
        timers.shift();
        now = t.at;
        t.fn();
        await flush();
        await flush();
      }
      now = until;
    },
    flush,
  };
}

describe('connection loop', () => {
  it('runs at start, then on its timer', async () => {
    let rounds = 0;
    const h = harness(async () => {
      rounds++;
      return { pushed: 0, pulled: 0 };
    });
    h.loop.start();
    await h.flush();
    expect(rounds).toBe(1);
    expect(h.last()).toMatchObject({ state: 'idle', connected: true, lastError: null });
    await h.advance(29_000);
    expect(rounds).toBe(1);
    await h.advance(1_000);
    expect(rounds).toBe(2);
  });

  it('says unconfigured and touches nothing without a hub', async () => {
    let rounds = 0;
    const h = harness(async () => {
      rounds++;
      return { pushed: 0, pulled: 0 };
    }, { configured: false });
    h.loop.start();
    await h.flush();
    expect(rounds).toBe(0);
    expect(h.last().state).toBe('unconfigured');
  });

  it('an address whose token was lost needs a person, in words, and is not taken for no hub', async () => {
    let rounds = 0;
    const h = harness(
      async () => {
        rounds++;
        return { pushed: 0, pulled: 0 };
      },
      {
        client: async () => {
          throw new HubError('noToken', '');
        },
      },
    );
    h.loop.start();
    await h.flush();
    await h.flush();
    expect(rounds).toBe(0);
    expect(h.last()).toMatchObject({ state: 'stopped', needsAttention: true, connected: false });
    expect(h.last().lastError).toMatch(/令牌缺失.*重新输入令牌/);
    // it waits for the person: no retry is scheduled
    await h.advance(120_000);
    expect(h.last().state).toBe('stopped');
  });

  it('debounces bursts of local changes into one round', async () => {
    let rounds = 0;
    const h = harness(async () => {
      rounds++;
      return { pushed: 0, pulled: 0 };
    });
    h.loop.start();
    await h.flush();
    for (let i = 0; i < 5; i++) {
      h.loop.notifyLocalChange();
      await h.advance(100);
    }
    expect(rounds).toBe(1);
    await h.advance(500);
    expect(rounds).toBe(2);
  });

  it('backs off exponentially on network failure and resets on success', async () => {
    let fail = true;
    let rounds = 0;
    const h = harness(async () => {
      rounds++;
      if (fail) throw new HubError('network', 'ECONNREFUSED');
      return { pushed: 0, pulled: 0 };
    });
    h.loop.start();
    await h.flush();
    expect(h.last()).toMatchObject({ state: 'backoff', connected: false });
    expect(h.last().lastError).toContain('无法连接市级中心');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = rounds;
      const next = Date.parse(h.last().nextRetryAt!) - Date.parse(h.last().lastErrorAt!);
      delays.push(next);
      await h.advance(next);
      expect(rounds).toBe(before + 1);
    }
    // growing, capped at the maximum
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(delays[0]).toBeLessThan(delays[5]!);
    fail = false;
    await h.advance(Date.parse(h.last().nextRetryAt!) - Date.parse(h.last().lastErrorAt!));
    expect(h.last()).toMatchObject({ state: 'idle', connected: true, lastError: null });
    expect(h.last().lastSuccessAt).not.toBeNull();
    // after success the next failure starts again from the smallest delay
    fail = true;
    await h.advance(30_000);
    expect(Date.parse(h.last().nextRetryAt!) - Date.parse(h.last().lastErrorAt!)).toBe(delays[0]);
  });

  it('stops on a bad token and waits for a person; sync now tries again', async () => {
    let rounds = 0;
    let token = 'bad';
    const h = harness(async () => {
      rounds++;
      if (token === 'bad') throw new HubError('auth', 'unknown token', 401);
      return { pushed: 0, pulled: 0 };
    });
    h.loop.start();
    await h.flush();
    expect(h.last()).toMatchObject({ state: 'stopped', needsAttention: true, connected: true });
    expect(h.last().lastError).toContain('令牌');
    h.loop.notifyLocalChange();
    await h.advance(120_000);
    expect(rounds).toBe(1);
    token = 'good';
    await h.loop.syncNow();
    expect(rounds).toBe(2);
    expect(h.last()).toMatchObject({ state: 'idle', needsAttention: false });
  });

  it('never runs two rounds at once; a change during a round causes one more', async () => {
    let active = 0;
    let maxActive = 0;
    let rounds = 0;
    let release: (() => void) | null = null;
    const h = harness(async () => {
      active++;
      rounds++;
      maxActive = Math.max(maxActive, active);
      if (rounds === 1) await new Promise<void>((r) => (release = r));
      active--;
      return { pushed: 0, pulled: 0 };
    });
    h.loop.start();
    await h.flush();
    void h.loop.syncNow();
    void h.loop.syncNow();
    await h.flush();
    expect(rounds).toBe(1);
    release!();
    await h.flush();
    await h.flush();
    expect(rounds).toBe(2);
    expect(maxActive).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('grows from the minimum and never passes the maximum', () => {
    const lo = Array.from({ length: 12 }, (_, i) => backoffDelay(i, 30, 60_000, () => 0));
    const hi = Array.from({ length: 12 }, (_, i) => backoffDelay(i, 30, 60_000, () => 0.999));
    expect(lo[0]).toBe(30);
    for (const d of [...lo, ...hi]) {
      expect(d).toBeGreaterThanOrEqual(30);
      expect(d).toBeLessThanOrEqual(60_000);
    }
    expect(hi[11]).toBeGreaterThan(50_000);
    expect(lo[11]).toBe(30_000);
  });
});
