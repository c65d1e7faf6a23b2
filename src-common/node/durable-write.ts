/**
 * Writing a file so that a crash or power cut leaves either the old file or the new one whole,
 * never a torn or empty one: the bytes go to a temporary file beside it, are synced to disk,
 * and the temporary file is renamed over the target; then the folder is synced, so the rename
 * itself is on disk. A backup saved over yesterday's must not leave half a file. Node only:
 * used by the desktop shell (exports, secure settings) and the hub (its backups).
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface DurableWriteOptions {
  /** file mode of a new file (e.g. 0o600 for secrets) */
  mode?: number;
  /** how a written file is synced to disk (tests observe it); FileHandle.sync by default */
  syncFile?: (handle: FileHandle) => Promise<void>;
  /** how the folder is synced after the rename; best effort (some systems cannot sync folders) */
  syncDir?: (dir: string) => Promise<void>;
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or sync a folder; its rename is already durable (NTFS journal)
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export async function writeFileDurably(file: string, data: Uint8Array | string, options: DurableWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', options.mode ?? 0o666);
  try {
    try {
      await handle.writeFile(data);
      await (options.syncFile ?? ((h) => h.sync()))(handle);
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await (options.syncDir ?? syncDirectory)(dir);
}
