/**
 * Where a benchmark phase's CPU went, from Linux's /proc: this process (every thread: the hub,
 * its workers, the benchmark's stations), the local PostgreSQL server's processes, and the whole
 * machine. For the benchmarks' diagnostics only; elsewhere (no /proc) it reports nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface Reading {
  /** per thread of this process (tid → ticks) */
  threads: Map<string, number>;
  self: number;
  main: number;
  server: number;
  busy: number;
  all: number;
}

function ticksOf(pid: string, path = `/proc/${pid}/stat`): number {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return 0; // a process gone meanwhile
  }
}

function serverTicks(names: readonly string[]): number {
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (names.includes(comm)) sum += ticksOf(pid);
  }
  return sum;
}

function read(names: readonly string[]): Reading | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
    const idle = cpu[3]! + (cpu[4] ?? 0);
    const all = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const threads = new Map<string, number>();
    for (const tid of readdirSync(`/proc/${process.pid}/task`)) threads.set(tid, ticksOf('', `/proc/${process.pid}/task/${tid}/stat`));
    return { threads, self: ticksOf(String(process.pid)), main: ticksOf('', `/proc/${process.pid}/task/${process.pid}/stat`), server: serverTicks(names), busy: all - idle, all };
  } catch {
    return null;
  }
}

export interface CpuSpent {
  /** CPU ms of this process, all its threads */
  selfMs: number;
  /** of which its main thread's (the hub's, in the benchmarks) */
  mainThreadMs: number;
  /** CPU ms of the database server's processes (exited ones not counted) */
  serverMs: number;
  /** CPU ms of the whole machine, and what it could have given (cores × wall) */
  machineMs: number;
  machineCapacityMs: number;
  /** this process's threads that spent any CPU, busiest first: thread id (in start order) and ms */
  threads: Array<{ tid: number; ms: number }>;
}

/** Start counting; the returned function stops and tells what was spent meanwhile. */
export function cpuAccounting(serverNames: readonly string[] = ['postgres']): () => CpuSpent | null {
  const a = read(serverNames);
  return () => {
    const b = read(serverNames);
    if (!a || !b) return null;
    return {
      selfMs: (b.self - a.self) * TICK_MS,
      mainThreadMs: (b.main - a.main) * TICK_MS,
      serverMs: (b.server - a.server) * TICK_MS,
      machineMs: (b.busy - a.busy) * TICK_MS,
      machineCapacityMs: (b.all - a.all) * TICK_MS,
      threads: [...b.threads]
        .map(([tid, t]) => ({ tid: Number(tid), ms: (t - (a.threads.get(tid) ?? 0)) * TICK_MS }))
        .filter((t) => t.ms > 0)
        .sort((x, y) => y.ms - x.ms),
    };
  };
}
