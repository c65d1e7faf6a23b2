/**
 * The browser edition's secure settings (src-renderer/src/shell/web-secure-store.ts): kept in an
 * IndexedDB database of their own, strict; a value left in localStorage by an older desk moves
 * over when first read, and the old copy goes only once the new one is written.
 */
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createWebSecureStore } from '../../../src-renderer/src/shell/web-secure-store';

function storage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return { map, getItem: (k: string) => map.get(k) ?? null, removeItem: (k: string) => void map.delete(k) };
}

describe('browser secure settings', () => {
  it('keep, replace and remove a value, across a fresh open of the same database', async () => {
    const indexedDB = new IDBFactory();
    const store = createWebSecureStore({ indexedDB, legacy: null });
    expect(await store.get('hubToken')).toBeNull();
    await store.set('hubToken', 'first');
    await store.set('hubToken', 'second');
    // another window (another store object) reads what is on disk
    const again = createWebSecureStore({ indexedDB, legacy: null });
    expect(await again.get('hubToken')).toBe('second');
    await again.set('hubToken', null);
    expect(await store.get('hubToken')).toBeNull();
  });

  it('move a value an older desk left in localStorage, then drop the old copy', async () => {
    const indexedDB = new IDBFactory();
    const legacy = storage({ 'relay.secure.hubToken': 'from-before', 'relay.theme': 'dark' });
    const store = createWebSecureStore({ indexedDB, legacy });
    expect(await store.get('hubToken')).toBe('from-before');
    expect(legacy.map.has('relay.secure.hubToken')).toBe(false);
    expect(legacy.map.get('relay.theme')).toBe('dark');
    // it is in the database now, with localStorage gone
    expect(await createWebSecureStore({ indexedDB, legacy: null }).get('hubToken')).toBe('from-before');
  });

  it('a value written replaces one still in localStorage, which is then dropped', async () => {
    const indexedDB = new IDBFactory();
    const legacy = storage({ 'relay.secure.hubToken': 'old' });
    const store = createWebSecureStore({ indexedDB, legacy });
    await store.set('hubToken', 'new');
    expect(legacy.map.size).toBe(0);
    expect(await store.get('hubToken')).toBe('new');
  });

  it('a database that cannot open is an error, not a missing value', async () => {
    const broken = { open: () => { throw new Error('IndexedDB is off'); } } as unknown as IDBFactory;
    const store = createWebSecureStore({ indexedDB: broken, legacy: storage({ 'relay.secure.hubToken': 'kept' }) });
    await expect(store.get('hubToken')).rejects.toThrow(/IndexedDB is off/);
  });
});
