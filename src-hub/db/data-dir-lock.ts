/**
 * PGlite is a single-process engine: two processes on one data folder would corrupt it. The
 * hub (and the registration CLI in direct mode) hold `hub.lock` in the folder, holding the
 * owner's pid; a lock left by a process that no longer runs (killed, crashed) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private released = false;
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    const path = join(dataDir, 'hub.lock');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let pid = NaN;
        try {
          pid = Number(readFileSync(path, 'utf8').trim());
        } catch {
          continue; // removed meanwhile: try again
        }
        if (pid === process.pid) throw new DataDirLockedError(dataDir, pid);
        if (alive(pid)) throw new DataDirLockedError(dataDir, pid);
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
   * Write this process's pid into the lock file again: a restore unpacks a backup's files
   * into the folder, the backup's own hub.lock (another process's pid) among them.
   */
  reassert(): void {
    if (this.released) return;
    writeFileSync(this.path, String(process.pid));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
