/**
 * Opening the store, and telling the failures apart so each gets its own screen:
 * - blocked: another window holds an older version open and will not let the upgrade run;
 * - corrupt: the browser cannot open its backing store ("Internal error opening backing store");
 * - tooNew: the database was written by a newer version of Relay Desk;
 * - quota: the disk is full.
 */
import type { RelayDb } from './db';
import { FILL_AFTER_MS, startMemorySearch } from './memory-search-source';

export type OpenFailureKind = 'blocked' | 'corrupt' | 'tooNew' | 'quota' | 'unknown';

export class OpenFailure extends Error {
  constructor(
    readonly kind: OpenFailureKind,
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = 'OpenFailure';
  }
}

const MESSAGES: Record<OpenFailureKind, string> = {
  blocked: '本机数据库正被另一个窗口占用，无法完成升级。请关闭其他“接转办工作台”窗口后重试。',
  corrupt: '本机数据库无法打开，可能已损坏。请先导出能读取的数据，再决定是否重置。',
  tooNew: '本机数据库由更新版本的程序写入，当前程序无法打开。请使用最新版本。',
  quota: '磁盘空间不足，数据库无法打开。请清理磁盘后重试。',
  unknown: '本机数据库打开失败。',
};

export function classifyOpenError(error: unknown): OpenFailure {
  const e = error as { name?: string; message?: string; inner?: { name?: string; message?: string } };
  const name = `${e?.name ?? ''} ${e?.inner?.name ?? ''}`;
  const message = `${e?.message ?? String(error)} ${e?.inner?.message ?? ''}`;
  const detail = `${name.trim()}: ${message.trim()}`;
  let kind: OpenFailureKind = 'unknown';
  if (/Blocked/i.test(name) || /blocked/i.test(message)) kind = 'blocked';
  else if (/VersionError/.test(name) || /less than the existing version/i.test(message)) kind = 'tooNew';
  else if (/QuotaExceeded/i.test(name)) kind = 'quota';
  else if (/backing store|UnknownError|DataError|corrupt/i.test(`${name} ${message}`)) kind = 'corrupt';
  return new OpenFailure(kind, MESSAGES[kind], detail);
}

/** Open the database, reporting a blocked upgrade after `blockedAfterMs` instead of waiting forever. */
export async function openDb(db: RelayDb, blockedAfterMs = 3000): Promise<RelayDb> {
  let onBlocked: (() => void) | undefined;
  const blocked = new Promise<never>((_, reject) => {
    onBlocked = () => {
      setTimeout(() => reject(Object.assign(new Error('database upgrade blocked'), { name: 'BlockedError' })), blockedAfterMs);
    };
  });
  db.on('blocked', () => onBlocked?.());
  // an older window closes its connection when a newer version asks, instead of blocking it
  db.on('versionchange', () => {
    db.close();
    return false;
  });
  try {
    await Promise.race([db.open(), blocked]);
  } catch (error) {
    throw classifyOpenError(error);
  }
  // the in-memory search, filled in the background once the desk's first screen has its data
  // (a search asked before then starts it at once and waits for it: list-query.ts)
  void startMemorySearch(db, { fillAfterMs: FILL_AFTER_MS });
  return db;
}

/**
 * Read whatever can be read from a database that Dexie cannot open, store by store, with
 * bare IndexedDB, so the operator can export it before anything is reset.
 */
export async function rescueRead(
  name: string,
  factory: IDBFactory = indexedDB,
): Promise<{ stores: Record<string, unknown[]>; unreadable: Array<{ store: string; error: string }> }> {
  const stores: Record<string, unknown[]> = {};
  const unreadable: Array<{ store: string; error: string }> = [];
  let raw: IDBDatabase;
  try {
    raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('open failed'));
      req.onblocked = () => reject(new Error('blocked'));
    });
  } catch (e) {
    return { stores, unreadable: [{ store: '*', error: String((e as Error)?.message ?? e) }] };
  }
  try {
    for (const store of Array.from(raw.objectStoreNames)) {
      try {
        stores[store] = await new Promise<unknown[]>((resolve, reject) => {
          const req = raw.transaction(store, 'readonly').objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result as unknown[]);
          req.onerror = () => reject(req.error ?? new Error('read failed'));
        });
      } catch (e) {
        unreadable.push({ store, error: String((e as Error)?.message ?? e) });
      }
    }
  } finally {
    raw.close();
  }
  return { stores, unreadable };
}
