/** The messages between the embedded database driver (pglite-driver.ts) and its thread (pglite-thread.ts). */
import type { ErrorShape } from './error-shape';
import type { RandomPageCost } from './planner-costs';

/** workerData: what the thread opens */
export interface ThreadStart {
  dataDir: string;
  randomPageCost?: RandomPageCost;
  /** tell the driver every file synced (tests) */
  observeSyncs: boolean;
}

export type ThreadRequest =
  | { id: number; op: 'open' }
  | { id: number; op: 'query'; sql: string; params?: unknown[]; prepare?: boolean }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'backup' }
  | { id: number; op: 'close' };

export type ThreadReply =
  | { kind: 'done'; id: number }
  | { kind: 'rows'; id: number; rows: Record<string, unknown>[] }
  | { kind: 'bytes'; id: number; bytes: Uint8Array }
  | { kind: 'error'; id: number; error: ErrorShape }
  | { kind: 'synced'; path: string };
