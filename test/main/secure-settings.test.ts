import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createSecureSettings } from '../../src-main/secure-settings';
import { FakeSafeStorage, tempDir } from './fake-electron';

function setup(platform: NodeJS.Platform = 'linux') {
  const safeStorage = new FakeSafeStorage();
  const file = path.join(tempDir(), 'nested', 'secure-settings.json');
  const settings = createSecureSettings({ safeStorage, file, platform });
  return { safeStorage, file, settings };
}

const TOKEN = 'hub-token-5f1c9d8e-城市';

describe('secure settings', () => {
  it('round-trips a value through safeStorage and never stores it in plain text', async () => {
    const { safeStorage, file, settings } = setup();
    expect(settings.isProtected()).toBe(true);
    await settings.set('hubToken', TOKEN);
    expect(safeStorage.encryptString).toHaveBeenCalledWith(TOKEN);
    await expect(settings.get('hubToken')).resolves.toBe(TOKEN);
    const raw = await readFile(file, 'utf8');
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain(Buffer.from(TOKEN).toString('base64'));
    const stored = JSON.parse(raw).values.hubToken;
    expect(stored.encrypted).toBe(true);
    expect(Buffer.from(stored.data, 'base64').subarray(0, 8).toString()).toBe('FAKEENC:');
  });

  it('returns null for unknown keys, including Object.prototype names', async () => {
    const { settings } = setup();
    await settings.set('hubToken', TOKEN);
    await expect(settings.get('hubUrl')).resolves.toBeNull();
    await expect(settings.get('constructor')).resolves.toBeNull();
    await expect(settings.get('toString')).resolves.toBeNull();
  });

  it('deletes a value set to null and keeps the others', async () => {
    const { settings } = setup();
    await settings.set('hubToken', TOKEN);
    await settings.set('other', 'x');
    await settings.set('hubToken', null);
    await expect(settings.get('hubToken')).resolves.toBeNull();
    await expect(settings.get('other')).resolves.toBe('x');
  });

  it('keeps every one of many concurrent writes', async () => {
    const { settings } = setup();
    await Promise.all(Array.from({ length: 20 }, (_, i) => settings.set(`k${i}`, `v${i}`)));
    for (let i = 0; i < 20; i++) await expect(settings.get(`k${i}`)).resolves.toBe(`v${i}`);
  });

  it('writes the file readable by the owner only', async () => {
    const { file, settings } = setup();
    await settings.set('hubToken', TOKEN);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('without OS encryption stores the value anyway and reports it as not protected', async () => {
    const { safeStorage, file, settings } = setup();
    safeStorage.available = false;
    expect(settings.isProtected()).toBe(false);
    await settings.set('hubToken', TOKEN);
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
    await expect(settings.get('hubToken')).resolves.toBe(TOKEN);
    expect(JSON.parse(await readFile(file, 'utf8')).values.hubToken.encrypted).toBe(false);
  });

  it('reports the Linux basic_text backend as not protected', () => {
    const { safeStorage, settings } = setup('linux');
    safeStorage.backend = 'basic_text';
    expect(settings.isProtected()).toBe(false);
    const mac = setup('darwin');
    mac.safeStorage.backend = 'basic_text';
    expect(mac.settings.isProtected()).toBe(true);
  });

  it('fails clearly when an encrypted value cannot be decrypted any more', async () => {
    const { safeStorage, settings } = setup();
    await settings.set('hubToken', TOKEN);
    safeStorage.available = false;
    await expect(settings.get('hubToken')).rejects.toThrow('secure setting "hubToken" is encrypted but the OS keychain is not available');
  });

  it('moves a corrupt file aside, logs it, and works again', async () => {
    const safeStorage = new FakeSafeStorage();
    const file = path.join(tempDir(), 'secure-settings.json');
    const log = vi.fn();
    const settings = createSecureSettings({ safeStorage, file, platform: 'linux', log });
    await settings.set('a', '1');
    await writeFile(file, '{not json');
    await expect(settings.get('a')).resolves.toBeNull();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/secure settings file was corrupt; moved to .*secure-settings\.json\.corrupt-\d+$/));
    const aside = (await readdir(path.dirname(file))).filter((n) => n.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    await settings.set('a', '2');
    await expect(settings.get('a')).resolves.toBe('2');
  });
});
