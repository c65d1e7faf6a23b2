/**
 * Where the browser edition keeps the settings the shell holds apart from the desk's data (the
 * hub token): a small IndexedDB database of its own, written with strict durability (flushed to
 * disk before a write is reported done). Not encrypted: the browser edition says so
 * (isProtected() is false). localStorage, used before, is never flushed by Chromium: a power cut
 * took the token back, and the desk went quiet, offline, until someone entered it again
 * (test/e2e/power-cut.spec.ts). A value still in localStorage is moved over when first read.
 */
export const SECURE_DB_NAME = 'relay-shell';
const STORE = 'secure';
const LEGACY_PREFIX = 'relay.secure.';

export interface WebSecureStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string | null): Promise<void>;
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('设置未能保存'));
    tx.onabort = () => reject(tx.error ?? new Error('设置未能保存'));
  });
}

export function createWebSecureStore(deps: { indexedDB: IDBFactory; legacy: Pick<Storage, 'getItem' | 'removeItem'> | null; name?: string }): WebSecureStore {
  let opened: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = deps.indexedDB.open(deps.name ?? SECURE_DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        const db = request.result;
        // another window upgrading it one day: let go, and open again at the next use
        db.onversionchange = () => {
          db.close();
          opened = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error ?? new Error('设置库无法打开'));
      request.onblocked = () => reject(new Error('设置库被另一个窗口占用'));
    }).catch((e: unknown) => {
      opened = null;
      throw e;
    });
    return opened;
  };
  const write = async (key: string, value: string | null): Promise<void> => {
    const db = await open();
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const store = tx.objectStore(STORE);
    if (value === null) store.delete(key);
    else store.put(value, key);
    await done(tx);
    // only once it is on disk here: the old copy goes
    deps.legacy?.removeItem(LEGACY_PREFIX + key);
  };
  return {
    async get(key) {
      const db = await open();
      const tx = db.transaction(STORE, 'readonly');
      const request = tx.objectStore(STORE).get(key);
      await done(tx);
      if (typeof request.result === 'string') return request.result;
      const old = deps.legacy?.getItem(LEGACY_PREFIX + key) ?? null;
      if (old !== null) await write(key, old);
      return old;
    },
    set: write,
  };
}
