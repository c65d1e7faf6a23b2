/**
 * A power cut, as near as a test can make one without cutting the machine's power.
 *
 * The program under test (Chromium, the hub) runs with unflushed-writes.c preloaded, which
 * journals every write it makes to files under a folder (the bytes each write replaces) and
 * every flush (fsync, fdatasync). The program is then killed with SIGKILL, and cutUnflushed()
 * takes back, newest first, each write to a file that no successful flush covers: what was
 * written but never flushed is exactly what a power cut may take away (the operating system
 * still held it in memory). With `torn`, the disk is taken to have written a random part of
 * each file's unflushed writes, in order, the last of them cut mid-way.
 *
 * Not modelled: a disk that does not honour a flush or writes unflushed data out of order (the
 * torn cut keeps an in-order prefix), renames, deletions and new files (directory entries),
 * and the write paths unflushed-writes.c lists as not journalled.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = join(import.meta.dirname, 'unflushed-writes.c');

/** Compile the journalling library into `dir` with the system's C compiler; a clear error if there is none. */
export function buildUnflushedWrites(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'unflushed-writes.so');
  const cc = process.env.CC ?? 'cc';
  const result = spawnSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-o', out, SOURCE, '-ldl', '-lpthread'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`cannot build the power-cut library with ${cc} (install a C compiler: apt-get install -y gcc libc6-dev): ${result.error?.message ?? result.stderr}`);
  }
  return out;
}

/** The environment that journals the writes under `dir` into `journal`. */
export function journalEnv(library: string, dir: string, journal: string): Record<string, string> {
  return { LD_PRELOAD: library, UNFLUSHED_DIR: dir, UNFLUSHED_JOURNAL: journal };
}

type WriteEntry = { kind: 'write' | 'truncate'; path: string; inode: number; offset: number; length: number; oldSize: number; old: Buffer };
type Entry = WriteEntry | { kind: 'flush-begins' | 'flushed'; path: string; id: bigint };

/**
 * The journal's entries, in the order they were made. A last record cut short (the process was
 * killed while journalling it) is left out: its write had not begun.
 */
export function readJournal(journal: string): Entry[] {
  if (!existsSync(journal)) return [];
  const buf = readFileSync(journal);
  const entries: Entry[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    if (start + 5 > buf.length) break;
    const kind = String.fromCharCode(buf[start]!);
    const pathLen = buf.readUInt32LE(start + 1);
    const pathEnd = start + 5 + pathLen;
    if (kind === 'B' || kind === 'S') {
      if (pathEnd + 8 > buf.length) break;
      const path = buf.subarray(start + 5, pathEnd).toString('utf8');
      entries.push({ kind: kind === 'B' ? 'flush-begins' : 'flushed', path, id: buf.readBigUInt64LE(pathEnd) });
      at = pathEnd + 8;
    } else if (kind === 'W' || kind === 'T') {
      if (pathEnd + 40 > buf.length) break;
      const path = buf.subarray(start + 5, pathEnd).toString('utf8');
      const [inode, offset, length, oldSize, oldLen] = [0, 1, 2, 3, 4].map((i) => Number(buf.readBigUInt64LE(pathEnd + 8 * i))) as [number, number, number, number, number];
      const oldAt = pathEnd + 40;
      if (oldAt + oldLen > buf.length) break;
      entries.push({ kind: kind === 'W' ? 'write' : 'truncate', path, inode, offset, length, oldSize, old: buf.subarray(oldAt, oldAt + oldLen) });
      at = oldAt + oldLen;
    } else throw new Error(`power-cut journal ${journal}: unknown record '${kind}' at byte ${start}`);
  }
  return entries;
}

/** How many flushes of each file succeeded (to check that a test's journal saw what it should). */
export function flushesByFile(journal: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of readJournal(journal)) if (e.kind === 'flushed') counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
  return counts;
}

/** The writes to each file that no successful flush covers, oldest first. */
function unflushedWrites(journal: string): Map<string, WriteEntry[]> {
  const byFile = new Map<string, Array<{ at: number; entry: WriteEntry }>>();
  const begun = new Map<bigint, number>();
  readJournal(journal).forEach((entry, at) => {
    if (entry.kind === 'flush-begins') begun.set(entry.id, at);
    else if (entry.kind === 'flushed') {
      // written before the flush began: on disk
      const from = begun.get(entry.id) ?? at;
      byFile.set(
        entry.path,
        (byFile.get(entry.path) ?? []).filter((w) => w.at > from),
      );
    } else byFile.set(entry.path, [...(byFile.get(entry.path) ?? []), { at, entry: entry as WriteEntry }]);
  });
  return new Map([...byFile].map(([path, list]) => [path, list.map((w) => w.entry)]));
}

export interface Cut {
  file: string;
  /** writes made after the file's last flush */
  unflushed: number;
  /** of them, taken back whole or in part (0 when the file is gone or another file has its name now) */
  undone: number;
  sizeBefore: number;
  sizeAfter: number;
  /** why nothing was taken back, where nothing was */
  skipped?: 'gone' | 'replaced';
}

/** A random number generator from a seed (mulberry32), so a failing run can be made again. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Take back every write the journal shows no successful flush covers (with `torn`, a random
 * tail of each file's such writes, the first of those in part; a truncation is all or
 * nothing). A file that is gone, or whose name another file has now, is left alone and
 * reported. Returns what was cut, per file.
 */
export function cutUnflushed(journal: string, options: { torn?: boolean; random?: () => number } = {}): Cut[] {
  const random = options.random ?? Math.random;
  const cuts: Cut[] = [];
  for (const [path, writes] of unflushedWrites(journal)) {
    if (writes.length === 0) continue;
    if (!existsSync(path)) {
      cuts.push({ file: path, unflushed: writes.length, undone: 0, sizeBefore: 0, sizeAfter: 0, skipped: 'gone' });
      continue;
    }
    const fd = openSync(path, 'r+');
    try {
      const stat = fstatSync(fd);
      const sizeBefore = stat.size;
      if (writes.some((w) => w.inode !== stat.ino)) {
        cuts.push({ file: path, unflushed: writes.length, undone: 0, sizeBefore, sizeAfter: sizeBefore, skipped: 'replaced' });
        continue;
      }
      // the disk got this many of the unflushed writes, in order (all of them lost without `torn`)
      const kept = options.torn ? Math.floor(random() * (writes.length + 1)) : 0;
      for (let i = writes.length - 1; i >= kept; i--) {
        const w = writes[i]!;
        // the first write taken back may have reached the disk in part: its first `from` bytes
        const from = !options.torn || i !== kept ? 0 : w.kind === 'truncate' ? 0 : Math.floor(random() * (w.length + 1));
        if (from < w.old.length) writeSync(fd, w.old, from, w.old.length - from, w.offset + from);
        ftruncateSync(fd, from === 0 ? w.oldSize : Math.max(w.oldSize, w.offset + from));
      }
      cuts.push({ file: path, unflushed: writes.length, undone: writes.length - kept, sizeBefore, sizeAfter: fstatSync(fd).size });
    } finally {
      closeSync(fd);
    }
  }
  return cuts;
}

/** The pids of processes whose command line holds `arg` (to kill every process of a browser). */
export function pidsWith(arg: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // a zombie's command line is empty: it holds nothing open any more
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}
