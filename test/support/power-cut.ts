/**
 * A power cut, as near as a test can make one without cutting the machine's power.
 *
 * The program under test (Chromium, the hub) runs with unflushed-writes.c preloaded, which
 * journals every write it makes to files under a folder (the bytes each write replaces) and
 * every flush (fsync, fdatasync). The program is then killed with SIGKILL, and cutUnflushed()
 * undoes, newest first, each write made to a file after that file's last flush: what was
 * written but never flushed is exactly what a power cut may take away (the operating system
 * still held it in memory). With `torn`, the disk is taken to have written a random part of
 * each file's unflushed writes, in order, the last of them cut mid-way.
 *
 * Not modelled: a disk that does not honour a flush, renames and deletions (directory entries),
 * and writes through memory maps.
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

type Entry =
  | { kind: 'write'; path: string; offset: number; length: number; oldSize: number; old: Buffer }
  | { kind: 'flush'; path: string };

/** The journal's entries, in the order they were made. */
export function readJournal(journal: string): Entry[] {
  if (!existsSync(journal)) return [];
  const buf = readFileSync(journal);
  const entries: Entry[] = [];
  let at = 0;
  const u64 = () => {
    const n = Number(buf.readBigUInt64LE(at));
    at += 8;
    return n;
  };
  while (at < buf.length) {
    const kind = String.fromCharCode(buf[at]!);
    const pathLen = buf.readUInt32LE(at + 1);
    const path = buf.subarray(at + 5, at + 5 + pathLen).toString('utf8');
    at += 5 + pathLen;
    if (kind === 'S') entries.push({ kind: 'flush', path });
    else if (kind === 'W') {
      const offset = u64();
      const length = u64();
      const oldSize = u64();
      const oldLen = u64();
      entries.push({ kind: 'write', path, offset, length, oldSize, old: buf.subarray(at, at + oldLen) });
      at += oldLen;
    } else throw new Error(`power-cut journal ${journal}: unknown record '${kind}' at byte ${at}`);
  }
  return entries;
}

export interface Cut {
  file: string;
  /** writes made after the file's last flush */
  unflushed: number;
  /** of them, taken back whole or in part */
  undone: number;
  sizeBefore: number;
  sizeAfter: number;
}

/**
 * Take back every write the journal shows was made after its file's last flush (with `torn`, a
 * random tail of them, the first of those in part). Files that no longer exist are left (their
 * writes are reported as unflushed but not undone). Returns what was cut, per file.
 */
export function cutUnflushed(journal: string, options: { torn?: boolean; random?: () => number } = {}): Cut[] {
  const random = options.random ?? Math.random;
  const byFile = new Map<string, Entry[]>();
  for (const entry of readJournal(journal)) {
    const list = byFile.get(entry.path) ?? [];
    if (entry.kind === 'flush') list.length = 0;
    else list.push(entry);
    byFile.set(entry.path, list);
  }
  const cuts: Cut[] = [];
  for (const [path, writes] of byFile) {
    if (writes.length === 0 || !existsSync(path)) continue;
    const fd = openSync(path, 'r+');
    try {
      const sizeBefore = fstatSync(fd).size;
      // the disk got this many of the unflushed writes, in order (all of them lost without `torn`)
      const kept = options.torn ? Math.floor(random() * (writes.length + 1)) : 0;
      for (let i = writes.length - 1; i >= kept; i--) {
        const w = writes[i] as Extract<Entry, { kind: 'write' }>;
        // the first write taken back may have reached the disk in part: its first `from` bytes
        const from = options.torn && i === kept ? Math.floor(random() * (w.length + 1)) : 0;
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
