import Dexie, { type Table } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { getAll, getMany, heldKeys } from '../../../src-renderer/src/store/read-at-once';

interface Row {
  id: string;
  n: number;
}

class Scratch extends Dexie {
  a!: Table<Row, string>;
  b!: Table<Row, string>;
  constructor() {
    super(`scratch-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    this.version(1).stores({ a: 'id, n', b: 'id' });
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
});

describe('reads past Dexie', () => {
  it('getMany answers like bulkGet, getAll like toArray, all in one go', async () => {
    const d = scratch();
    await d.a.bulkPut(['k1', 'k2', 'k3'].map((id, n) => ({ id, n })));
    await d.b.put({ id: 'b', n: 9 });
    const [many, all, none] = await d.transaction('r', [d.a, d.b], (tx) =>
      Promise.all([getMany(tx, d.a, ['k3', 'nope', 'k1', 'k3']), getAll(tx, d.b), getMany(tx, d.a, [])]),
    );
    expect(many).toEqual(await d.a.bulkGet(['k3', 'nope', 'k1', 'k3']));
    expect(many).toEqual([{ id: 'k3', n: 2 }, undefined, { id: 'k1', n: 0 }, { id: 'k3', n: 2 }]);
    expect(all).toEqual([{ id: 'b', n: 9 }]);
    expect(none).toEqual([]);
  });

  it('a write after the reads in the same transaction still counts (the transaction stays usable)', async () => {
    const d = scratch();
    await d.a.put({ id: 'k1', n: 1 });
    await d.transaction('rw', [d.a], async (tx) => {
      const [row] = await getMany(tx, d.a, ['k1']);
      await d.a.put({ id: 'k1', n: row!.n + 1 });
    });
    expect(await d.a.get('k1')).toEqual({ id: 'k1', n: 2 });
  });

  it('a read IndexedDB refuses rejects, and the transaction is aborted', async () => {
    const d = scratch();
    const tx = d.transaction('rw', [d.a], async (t) => {
      await d.a.put({ id: 'k1', n: 1 });
      // not a valid key
      await getMany(t, d.a, [{} as unknown as string]);
    });
    await expect(tx).rejects.toThrow();
    expect(await d.a.count()).toBe(0);
  });

  it('heldKeys finds which of the keys are held, whatever else lies between them', async () => {
    const d = scratch();
    await d.a.bulkPut(['k1', 'k2', 'k3', 'k5', 'k7'].map((id, n) => ({ id, n })));
    const held = (keys: string[]) => d.transaction('r', d.a, (tx) => heldKeys(tx, d.a, keys, IDBKeyRange));
    expect(await held(['k6', 'k3', 'k0'])).toEqual(['k3']);
    expect(await held(['k4', 'k6'])).toEqual([]);
    expect((await held(['k7', 'k1', 'k9'])).sort()).toEqual(['k1', 'k7']);
    expect(await held(['k2'])).toEqual(['k2']);
    expect(await held([])).toEqual([]);
  });
});
