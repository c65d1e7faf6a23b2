/**
 * The group-commit coordination (src-hub/sync/write-groups.ts), alone: who leads, who is in
 * which group, what each member hears, and that a turn always passes on.
 */
import { describe, expect, it } from 'vitest';
import { WriteGroups, type Lead, type Settled } from '../../src-hub/sync/write-groups';

type Turn = Lead<string, number> | Settled<number>;

function lead(turn: Turn): Lead<string, number> {
  if (turn.kind !== 'lead') throw new Error(`expected the lead, got ${JSON.stringify(turn)}`);
  return turn;
}

/** a promise's state without waiting for it */
async function settledYet<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  const marker = Symbol('pending');
  const v = await Promise.race([p, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return v === marker ? { done: false } : { done: true, value: v as T };
}

describe('WriteGroups', () => {
  it('a write that finds no leader leads a group of itself; the next one leads the next group', async () => {
    const groups = new WriteGroups<string, number>();
    const first = lead(await groups.join('a'));
    expect(first.take()).toEqual(['a']);
    first.committed([1]);
    const second = lead(await groups.join('b'));
    expect(second.take()).toEqual(['b']);
    second.committed([2]);
    expect(groups.waiting).toBe(0);
  });

  it('writes that join while a leader waits are its group, in the order they joined, and hear their results only at the commit', async () => {
    const groups = new WriteGroups<string, number>();
    const leader = lead(await groups.join('a'));
    const b = groups.join('b');
    const c = groups.join('c');
    expect(groups.waiting).toBe(2);
    expect(leader.take()).toEqual(['a', 'b', 'c']);
    // taken, written, not yet committed: nobody has heard anything
    expect((await settledYet(b)).done).toBe(false);
    leader.committed([10, 20, 30]);
    expect(await b).toEqual({ kind: 'settled', result: 20 });
    expect(await c).toEqual({ kind: 'settled', result: 30 });
  });

  it('take() is the group once: writes joining after it form the next group, led by the first of them after the commit', async () => {
    const groups = new WriteGroups<string, number>();
    const leader = lead(await groups.join('a'));
    const b = groups.join('b');
    expect(leader.take()).toEqual(['a', 'b']);
    expect(leader.take()).toEqual(['a', 'b']);
    const c = groups.join('c');
    const d = groups.join('d');
    expect((await settledYet(c)).done).toBe(false);
    leader.committed([1, 2]);
    expect(await b).toEqual({ kind: 'settled', result: 2 });
    const next = lead(await c);
    expect(next.take()).toEqual(['c', 'd']);
    next.committed([3, 4]);
    expect(await d).toEqual({ kind: 'settled', result: 4 });
  });

  it('a failed group tells every member it was not written (null), and the turn passes on', async () => {
    const groups = new WriteGroups<string, number>();
    const leader = lead(await groups.join('a'));
    const b = groups.join('b');
    leader.take();
    const c = groups.join('c');
    leader.failed();
    expect(await b).toEqual({ kind: 'settled', result: null });
    const next = lead(await c);
    expect(next.take()).toEqual(['c']);
    next.committed([5]);
  });

  it('a leader that fails before taking its group leaves the waiting writes to the next leader, untold', async () => {
    const groups = new WriteGroups<string, number>();
    const leader = lead(await groups.join('a'));
    const b = groups.join('b');
    const c = groups.join('c');
    leader.failed();
    const next = lead(await b);
    expect(next.take()).toEqual(['b', 'c']);
    next.committed([2, 3]);
    expect(await c).toEqual({ kind: 'settled', result: 3 });
  });

  it('a group holds at most maxGroup writes; the rest wait for the next', async () => {
    const groups = new WriteGroups<string, number>(3);
    const leader = lead(await groups.join('a'));
    const rest = ['b', 'c', 'd', 'e'].map((w) => groups.join(w));
    expect(leader.take()).toEqual(['a', 'b', 'c']);
    leader.committed([1, 2, 3]);
    expect(await rest[0]).toEqual({ kind: 'settled', result: 2 });
    const next = lead(await rest[2]!);
    expect(next.take()).toEqual(['d', 'e']);
    next.committed([4, 5]);
    expect(await rest[3]).toEqual({ kind: 'settled', result: 5 });
  });

  it('results that do not match the group are refused: the members write alone, the turn passes on', async () => {
    const groups = new WriteGroups<string, number>();
    const leader = lead(await groups.join('a'));
    const b = groups.join('b');
    leader.take();
    expect(() => leader.committed([1])).toThrow(/1 results for a group of 2/);
    expect(await b).toEqual({ kind: 'settled', result: null });
    const next = lead(await groups.join('c'));
    expect(next.take()).toEqual(['c']);
  });

  it('a turn ends once: a second end or a late take() is a programming error', async () => {
    const groups = new WriteGroups<string, number>();
    const leader = lead(await groups.join('a'));
    leader.take();
    leader.committed([1]);
    expect(() => leader.failed()).toThrow(/already ended/);
    expect(() => leader.take()).toThrow(/after the turn ended/);
    expect(() => new WriteGroups(0)).toThrow(/maxGroup/);
  });
});
