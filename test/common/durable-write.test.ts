import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileDurably } from '../../src-common/node/durable-write';
import { saveFile } from '../../src-main/files';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'relay-durable-write-'));
}

describe('writeFileDurably', () => {
  it('writes the bytes, syncs the file before it takes the name, then syncs the folder', async () => {
    const d = dir();
    const file = path.join(d, '备份.json');
    writeFileSync(file, 'yesterday');
    const steps: string[] = [];
    await writeFileDurably(file, '{"today":true}', {
      syncFile: async (handle: FileHandle) => {
        await handle.sync();
        // synced while the old file still holds the name
        steps.push(`file synced; target holds ${readFileSync(file, 'utf8')}`);
      },
      syncDir: async (synced) => {
        steps.push(`folder synced: ${synced === d}; target holds ${readFileSync(file, 'utf8')}`);
      },
    });
    expect(steps).toEqual(['file synced; target holds yesterday', 'folder synced: true; target holds {"today":true}']);
    expect(readFileSync(file, 'utf8')).toBe('{"today":true}');
    expect(readdirSync(d)).toEqual(['备份.json']); // no temporary file left
  });

  it('a failure before the rename leaves the old file whole and no temporary file', async () => {
    const d = dir();
    const file = path.join(d, 'backup.json');
    writeFileSync(file, 'the good backup');
    await expect(
      writeFileDurably(file, 'x'.repeat(100_000), {
        syncFile: async () => {
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        },
      }),
    ).rejects.toThrow(/EIO/);
    expect(readFileSync(file, 'utf8')).toBe('the good backup');
    expect(readdirSync(d)).toEqual(['backup.json']);
  });

  it('gives a new file the mode asked for', async () => {
    const d = dir();
    const file = path.join(d, 'secure-settings.json');
    await writeFileDurably(file, 'secret', { mode: 0o600 });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('secret');
  });

  it('a folder that is not there is an error, and nothing is written', async () => {
    const d = dir();
    await expect(writeFileDurably(path.join(d, 'missing', 'a.json'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(d)).toEqual([]);
  });

  it('is how the desk saves an export by default (saveFile without an injected writer)', async () => {
    const d = dir();
    const file = path.join(d, 'export.json');
    writeFileSync(file, 'old export');
    const result = await saveFile(
      {
        dialog: { showSaveDialog: async () => ({ canceled: false, filePath: file }) },
        getWindow: () => null,
        defaultDir: () => d,
      },
      { suggestedName: 'export.json', content: '{"cases":[]}', encoding: 'utf8', mime: 'application/json' },
    );
    expect(result).toEqual({ saved: true, path: file });
    expect(readFileSync(file, 'utf8')).toBe('{"cases":[]}');
    expect(readdirSync(d)).toEqual(['export.json']);
  });
});
