import Dexie, { type Table } from 'dexie';
import { IDBFactory, IDBKeyRange, IDBTransaction } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { putAll } from '../../../src-renderer/src/store/write-and-commit';

interface Row {
  id: string;
  n: number;
}

class Scratch extends Dexie {
  a!: Table<Row, string>;
  b!: Table<Row, string>;
  uniq!: Table<Row, string>;
  constructor() {
    super(`scratch-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    this.version(1).stores({ a: 'id, n', b: 'id', uniq: 'id, &n' });
  }
}

const opened: Scratch[] = [];
function scratch(): Scratch {
  const d = new Scratch();
  opened.push(d);
  return d;
}
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  vi.restoreAllMocks();
});

describe('putAll', () => {
  it('where the browser has no IDBTransaction.commit, the writes still commit when the transaction ends', async () => {
    const d = scratch();
    const commit = IDBTransaction.prototype.commit;
    // as in a browser from before commit() (Chromium < 76, Firefox < 74, Safari < 15)
    (IDBTransaction.prototype as { commit?: unknown }).commit = undefined;
    try {
      await d.transaction('rw', [d.a], async (tx) => {
        await putAll(tx, [{ table: d.a, rows: [{ id: 'old', n: 1 }] }], { commit: true });
      });
    } finally {
      IDBTransaction.prototype.commit = commit;
    }
    expect(await d.a.get('old')).toEqual({ id: 'old', n: 1 });
  });

  it('puts every row of every table and asks for the commit right after the last one', async () => {
    const d = scratch();
    await d.a.put({ id: 'a0', n: 0 });
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    await d.transaction('rw', [d.a, d.b], async (tx) => {
      const done = putAll(
        tx,
        [
          { table: d.a, rows: [{ id: 'a0', n: 10 }, { id: 'a1', n: 1 }] },
          { table: d.b, rows: [] },
          { table: d.b, rows: [{ id: 'b1', n: 2 }] },
        ],
        { commit: true },
      );
      // asked before any write has answered
      expect(commit).toHaveBeenCalledTimes(1);
      await done;
    });
    expect(await d.a.toArray()).toEqual([
      { id: 'a0', n: 10 },
      { id: 'a1', n: 1 },
    ]);
    expect(await d.b.toArray()).toEqual([{ id: 'b1', n: 2 }]);
  });

  it('inside a transaction that goes on, asks for no commit, and later work in it still counts', async () => {
    const d = scratch();
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    await d.transaction('rw', [d.a, d.b], async (tx) => {
      await putAll(tx, [{ table: d.a, rows: [{ id: 'a1', n: 1 }] }], { commit: false });
      await d.b.put({ id: 'b1', n: (await d.a.get('a1'))!.n + 1 });
    });
    expect(commit).not.toHaveBeenCalled();
    expect(await d.b.get('b1')).toEqual({ id: 'b1', n: 2 });
  });

  it('a put refused as it is issued throws, asks for no commit, and the transaction keeps nothing', async () => {
    const d = scratch();
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    const tx = d.transaction('rw', [d.a, d.b], async (t) => {
      await d.b.put({ id: 'b0', n: 0 });
      // the second row has no key: IndexedDB refuses it at once (DataError)
      await putAll(t, [{ table: d.a, rows: [{ id: 'a1', n: 1 }, { n: 2 }] }], { commit: true });
    });
    await expect(tx).rejects.toThrow();
    expect(commit).not.toHaveBeenCalled();
    expect(await d.a.count()).toBe(0);
    expect(await d.b.count()).toBe(0);
  });

  it('refuses a table with a unique index before writing anything: such a put could fail after the commit is asked', async () => {
    const d = scratch();
    const tx = d.transaction('rw', [d.a, d.uniq], async (t) => {
      await putAll(
        t,
        [
          { table: d.a, rows: [{ id: 'a1', n: 1 }] },
          { table: d.uniq, rows: [{ id: 'u1', n: 1 }] },
        ],
        { commit: true },
      );
    });
    await expect(tx).rejects.toThrow(/uniq has unique indexes \(n\)/);
    expect(await d.a.count()).toBe(0);
    expect(await d.uniq.count()).toBe(0);
  });

  it('with nothing to write, resolves and leaves the commit to IndexedDB', async () => {
    const d = scratch();
    const commit = vi.spyOn(IDBTransaction.prototype, 'commit');
    await d.transaction('rw', [d.a], (tx) => putAll(tx, [{ table: d.a, rows: [] }], { commit: true }));
    expect(commit).not.toHaveBeenCalled();
  });
});
