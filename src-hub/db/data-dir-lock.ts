/**
 * PGlite is a single-process engine: two processes on one data folder would corrupt it. The
 * hub (and the CLIs in direct mode) hold `hub.lock` in the folder, naming the owner process; a
 * lock left by a process that no longer runs (killed, crashed, the machine lost power) is taken
 * over.
 *
 * A pid alone does not name a process for long: after a restart (a container's hub is often pid
 * 1 or 7 again; after a reboot any daemon may have the old number) the old pid may be alive and
 * someone else. So the lock also records, where the system tells them (Linux), the boot id and
 * the process's start time: a live pid with another start time or boot is a stale lock. Within
 * this process, a folder already held is known from a registry, not from the pid.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `数据目录 ${dataDir} 正由进程 ${pid} 使用（嵌入式数据库只允许一个进程打开）。` +
        `集线器运行时请用 HUB_URL 与 HUB_ADMIN_TOKEN 通过管理接口登记站点，或先停止集线器。`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Who holds a lock: the pid, and where known its start time (clock ticks since boot) and the boot id. */
export interface LockOwner {
  pid: number;
  start: string | null;
  boot: string | null;
}

export interface ProcessProbe {
  /** whether a process with this pid runs */
  alive(pid: number): boolean;
  /** its start time, where the system tells it */
  startOf(pid: number): string | null;
  /** this boot's id, where the system tells it */
  bootId(): string | null;
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export const systemProbe: ProcessProbe = {
  alive(pid) {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  startOf(pid) {
    // Linux: field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parens
    const stat = readOr(`/proc/${pid}/stat`);
    if (!stat) return null;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  },
  bootId() {
    return readOr('/proc/sys/kernel/random/boot_id')?.trim() || null;
  },
};

/** Parse a lock file: this format, or an older one holding only a pid. */
export function parseLockOwner(text: string): LockOwner | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), start: null, boot: null };
  try {
    const v = JSON.parse(trimmed) as Partial<LockOwner>;
    if (typeof v.pid !== 'number') return null;
    return { pid: v.pid, start: typeof v.start === 'string' ? v.start : null, boot: typeof v.boot === 'string' ? v.boot : null };
  } catch {
    return null;
  }
}

/** Whether the owner a lock names still runs: the same pid, and no sign it is another process. */
export function ownerRuns(owner: LockOwner, probe: ProcessProbe = systemProbe): boolean {
  if (owner.pid === process.pid) return false; // this process does not hold it (see held below): an earlier one with our pid did
  if (!probe.alive(owner.pid)) return false;
  const boot = probe.bootId();
  if (owner.boot !== null && boot !== null && owner.boot !== boot) return false; // the machine restarted since
  const start = probe.startOf(owner.pid);
  if (owner.start !== null && start !== null && owner.start !== start) return false; // the pid went to another process
  return true;
}

/** the folders this process holds */
const held = new Set<string>();

/** a filesystem that has no hard links (vfat, exFAT, some network and FUSE mounts) */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Create the lock file with its content, or fail with EEXIST when there is one. It is made
 * whole under another name and linked into place, so it is never seen empty while its owner is
 * still writing it (another process would take an empty one for stale and take the folder over
 * too); where the filesystem has no hard links, it is created in place as before.
 */
function placeLock(path: string, content: string): void {
  const made = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(made, content, { flag: 'wx' });
  } catch (e) {
    rmSync(made, { force: true });
    throw e;
  }
  try {
    linkSync(made, path);
  } catch (e) {
    rmSync(made, { force: true });
    if (!NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return;
  }
  // the lock is in place: a name left over would only be litter
  rmSync(made, { force: true });
}

export class DataDirLock {
  private released = false;
  private constructor(
    private readonly path: string,
    private readonly folder: string,
    private readonly content: string,
  ) {}

  static acquire(dataDir: string, probe: ProcessProbe = systemProbe): DataDirLock {
    const folder = resolve(dataDir);
    if (held.has(folder)) throw new DataDirLockedError(dataDir, process.pid);
    const path = join(dataDir, 'hub.lock');
    const content = JSON.stringify({ pid: process.pid, start: probe.startOf(process.pid), boot: probe.bootId() } satisfies LockOwner);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        placeLock(path, content);
        held.add(folder);
        return new DataDirLock(path, folder, content);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          continue; // removed meanwhile: try again
        }
        const owner = parseLockOwner(text);
        if (owner && ownerRuns(owner, probe)) throw new DataDirLockedError(dataDir, owner.pid);
        try {
          unlinkSync(path); // stale: its owner is gone
        } catch {
          /* someone else took it over first */
        }
      }
    }
    throw new Error(`无法锁定数据目录 ${dataDir}`);
  }

  /**
   * Write this process's identity into the lock file again: a restore unpacks a backup's files
   * into the folder, the backup's own hub.lock (another process) among them.
   */
  reassert(): void {
    if (this.released) return;
    // whole or not at all (a file truncated first would be seen empty, and taken over)
    const made = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}`;
    try {
      writeFileSync(made, this.content, { flag: 'wx' });
      renameSync(made, this.path);
    } catch (e) {
      rmSync(made, { force: true });
      throw e;
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.folder);
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
