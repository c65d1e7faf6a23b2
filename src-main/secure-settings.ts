/**
 * Settings that must not sit in plain text (the hub token).
 *
 * Values are encrypted with Electron's safeStorage (OS keychain: DPAPI, Keychain, libsecret /
 * kwallet) and stored base64 in userData/secure-settings.json (mode 0600). When the OS offers
 * no encryption the value is still stored, base64-encoded only, and `isProtected()` says
 * false so the UI can warn. On Linux the `basic_text` backend encrypts with a fixed key: it is
 * used, but reported as not protected.
 */
import type { SafeStorage } from 'electron';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../src-common/node/durable-write';

export interface SecureSettingsOptions {
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
    Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;
  file: string;
  platform?: NodeJS.Platform;
  log?: (message: string) => void;
}

export interface SecureSettings {
  isProtected(): boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string | null): Promise<void>;
}

interface StoredValue {
  /** true: `data` is safeStorage ciphertext; false: `data` is the UTF-8 text */
  encrypted: boolean;
  /** base64 */
  data: string;
}

interface StoreFile {
  version: 1;
  values: Record<string, StoredValue>;
}

function isStoredValue(v: unknown): v is StoredValue {
  return typeof v === 'object' && v !== null
    && typeof (v as StoredValue).encrypted === 'boolean'
    && typeof (v as StoredValue).data === 'string';
}

export function createSecureSettings(options: SecureSettingsOptions): SecureSettings {
  const { safeStorage, file } = options;
  const platform = options.platform ?? process.platform;
  // Writes are serialised so two quick `set` calls cannot lose one another.
  let queue: Promise<unknown> = Promise.resolve();

  const canEncrypt = () => safeStorage.isEncryptionAvailable();

  const isProtected = () => {
    if (!canEncrypt()) return false;
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend) {
      const backend = safeStorage.getSelectedStorageBackend();
      if (backend === 'basic_text' || backend === 'unknown') return false;
    }
    return true;
  };

  async function load(): Promise<Map<string, StoredValue>> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Keep the broken file for inspection and start empty, so the operator can enter
      // the settings again instead of being stuck.
      const aside = `${file}.corrupt-${Date.now()}`;
      await rename(file, aside);
      options.log?.(`secure settings file was corrupt; moved to ${aside}`);
      return new Map();
    }
    const values = (parsed as Partial<StoreFile> | null)?.values;
    const map = new Map<string, StoredValue>();
    if (values && typeof values === 'object') {
      for (const [key, value] of Object.entries(values)) {
        if (isStoredValue(value)) map.set(key, value);
      }
    }
    return map;
  }

  async function save(map: Map<string, StoredValue>): Promise<void> {
    const body: StoreFile = { version: 1, values: Object.fromEntries(map) };
    await mkdir(path.dirname(file), { recursive: true });
    // whole or not at all, synced: a power cut must not leave the hub token half written
    await writeFileDurably(file, JSON.stringify(body, null, 2), { mode: 0o600 });
  }

  function encode(value: string): StoredValue {
    if (canEncrypt()) {
      return { encrypted: true, data: safeStorage.encryptString(value).toString('base64') };
    }
    return { encrypted: false, data: Buffer.from(value, 'utf8').toString('base64') };
  }

  function decode(key: string, stored: StoredValue): string {
    const bytes = Buffer.from(stored.data, 'base64');
    if (!stored.encrypted) return bytes.toString('utf8');
    if (!canEncrypt()) {
      throw new Error(`secure setting "${key}" is encrypted but the OS keychain is not available`);
    }
    return safeStorage.decryptString(bytes);
  }

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    isProtected,
    get: (key) =>
      enqueue(async () => {
        const stored = (await load()).get(key);
        return stored ? decode(key, stored) : null;
      }),
    set: (key, value) =>
      enqueue(async () => {
        const map = await load();
        if (value === null) map.delete(key);
        else map.set(key, encode(value));
        await save(map);
      }),
  };
}
