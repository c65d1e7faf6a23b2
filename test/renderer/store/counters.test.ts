import { afterEach, describe, expect, it, vi } from 'vitest';
import { COUNTER, CounterDelta, readCounters } from '../../../src-renderer/src/store/counters';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { freshDb } from './helpers';

const opened: RelayDb[] = [];
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  vi.restoreAllMocks();
});

describe('CounterDelta', () => {
  it('after prefetch, applies onto every counter held (also one a recording never moves) without reading again', async () => {
    const d = db();
    await d.counters.bulkPut([
      { key: COUNTER.total, n: 5 },
      { key: COUNTER.status('new'), n: 2 },
      { key: COUNTER.rejected, n: 7 },
    ]);
    const bulkGet = vi.spyOn(d.counters, 'bulkGet');
    const get = vi.spyOn(d.counters, 'get');
    await d.transaction('rw', d.counters, async () => {
      const delta = new CounterDelta();
      await delta.prefetch(d);
      delta.add(COUNTER.total, 1);
      delta.add(COUNTER.status('new'), -1);
      delta.add(COUNTER.status('transferred'), 1);
      delta.add(COUNTER.rejected, 1);
      await delta.apply(d);
    });
    expect(bulkGet).not.toHaveBeenCalled();
    expect(get).not.toHaveBeenCalled();
    expect(await readCounters(d)).toEqual({
      [COUNTER.total]: 6,
      [COUNTER.status('new')]: 1,
      [COUNTER.status('transferred')]: 1,
      [COUNTER.rejected]: 8,
    });
  });

  it('rows() gives the counters to write after prefetch, and refuses without it', async () => {
    const d = db();
    await d.counters.put({ key: COUNTER.outbox, n: 3 });
    const rows = await d.transaction('r', d.counters, async () => {
      const delta = new CounterDelta();
      expect(() => delta.rows()).toThrow(/prefetch/);
      await delta.prefetch(d);
      delta.add(COUNTER.outbox, 2);
      delta.add(COUNTER.urgentOpen, 1);
      delta.add(COUNTER.total, 0);
      return delta.rows();
    });
    expect(rows).toEqual([
      { key: COUNTER.outbox, n: 5 },
      { key: COUNTER.urgentOpen, n: 1 },
    ]);
  });

  it('without prefetch, reads the counters it moves before writing them', async () => {
    const d = db();
    await d.counters.put({ key: COUNTER.outbox, n: 4 });
    await d.transaction('rw', d.counters, async () => {
      const delta = new CounterDelta();
      delta.add(COUNTER.outbox, -1);
      await delta.apply(d);
    });
    expect(await readCounters(d)).toEqual({ [COUNTER.outbox]: 3 });
  });
});
