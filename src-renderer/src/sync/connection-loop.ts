/**
 * The one loop that owns the network. It pushes then pulls; it runs at start, after local
 * changes (debounced), on a timer, and on "sync now"; only one round runs at a time. On a
 * retryable failure it backs off exponentially with jitter and resets on success; on a fatal
 * one (bad token, refused by role) it stops and waits for a person. Whether the hub is
 * reachable is decided by real round trips; navigator.onLine is only a hint to try sooner.
 */
import { HubError, type HubClient } from './hub-client';

export type SyncState = 'unconfigured' | 'idle' | 'syncing' | 'backoff' | 'stopped';

export interface SyncStatus {
  state: SyncState;
  /** the last round trip reached the hub */
  connected: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  nextRetryAt: string | null;
  /** a fatal problem a person must fix (new token, permissions) */
  needsAttention: boolean;
}

export interface RoundResult {
  pushed: number;
  pulled: number;
}

export interface LoopDeps {
  /** the client for the current configuration, or null when no hub is configured */
  client(): Promise<HubClient | null>;
  /** one round: push then pull */
  round(client: HubClient): Promise<RoundResult>;
  onStatus(status: SyncStatus): void;
  onRound?(result: RoundResult): void;
  now?: () => number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  debounceMs?: number;
  intervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export const INITIAL_STATUS: SyncStatus = {
  state: 'unconfigured',
  connected: false,
  lastSuccessAt: null,
  lastError: null,
  lastErrorAt: null,
  nextRetryAt: null,
  needsAttention: false,
};

/** Full jitter: a random delay up to an exponentially growing cap. */
export function backoffDelay(attempt: number, min: number, max: number, random: () => number): number {
  const cap = Math.min(max, min * 2 ** Math.max(0, attempt));
  return Math.max(min, Math.round(cap / 2 + (random() * cap) / 2));
}

export class ConnectionLoop {
  private status: SyncStatus = { ...INITIAL_STATUS };
  private running = false;
  private again = false;
  private stopped = true;
  private failures = 0;
  private timer: unknown = null;
  private debounce: unknown = null;
  private readonly d: Required<Omit<LoopDeps, 'onRound'>> & Pick<LoopDeps, 'onRound'>;

  constructor(deps: LoopDeps) {
    this.d = {
      now: () => Date.now(),
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      debounceMs: 500,
      intervalMs: 30_000,
      minBackoffMs: 1_000,
      maxBackoffMs: 60_000,
      ...deps,
    };
  }

  getStatus(): SyncStatus {
    return this.status;
  }

  start(): void {
    this.stopped = false;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
    if (this.debounce !== null) this.d.clearTimer(this.debounce);
    this.debounce = null;
  }

  /** Local changes: sync soon, coalescing bursts. */
  notifyLocalChange(): void {
    if (this.stopped || this.status.needsAttention) return;
    if (this.debounce !== null) this.d.clearTimer(this.debounce);
    this.debounce = this.d.setTimer(() => {
      this.debounce = null;
      void this.run();
    }, this.d.debounceMs);
  }

  /** The operator pressed "sync now", or the configuration changed: try at once, even after a fatal error. */
  syncNow(): Promise<void> {
    this.stopped = false;
    this.failures = 0;
    this.set({ needsAttention: false });
    return this.run();
  }

  /** navigator.onLine came back: a hint to try sooner, nothing more. */
  onlineHint(): void {
    if (!this.stopped && !this.status.needsAttention && this.status.state === 'backoff') void this.run();
  }

  private set(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    this.d.onStatus(this.status);
  }

  private clear(): void {
    if (this.timer !== null) this.d.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.clear();
    if (this.stopped) return;
    this.timer = this.d.setTimer(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.clear();
    try {
      do {
        this.again = false;
        await this.round();
      } while (this.again && !this.stopped && !this.status.needsAttention && this.status.state !== 'backoff');
    } finally {
      this.running = false;
    }
  }

  private async round(): Promise<void> {
    try {
      // a configuration that cannot be used (the token lost, the address kept) is a HubError
      // that needs a person, like a refused token
      const client = await this.d.client();
      if (!client) {
        this.set({ state: 'unconfigured', connected: false, nextRetryAt: null });
        return;
      }
      this.set({ state: 'syncing' });
      const result = await this.d.round(client);
      this.failures = 0;
      const now = new Date(this.d.now()).toISOString();
      this.set({ state: 'idle', connected: true, lastSuccessAt: now, lastError: null, nextRetryAt: null, needsAttention: false });
      this.d.onRound?.(result);
      this.schedule(this.d.intervalMs);
    } catch (e) {
      const error = e instanceof HubError ? e : null;
      const message = error ? error.message : `同步出错：${String((e as Error)?.message ?? e)}`;
      const now = this.d.now();
      const reached = error ? !['network', 'timeout', 'noToken'].includes(error.kind) : true;
      if (error && !error.retryable) {
        this.set({ state: 'stopped', connected: reached, lastError: message, lastErrorAt: new Date(now).toISOString(), nextRetryAt: null, needsAttention: true });
        return;
      }
      const delay = backoffDelay(this.failures++, this.d.minBackoffMs, this.d.maxBackoffMs, this.d.random);
      this.set({
        state: 'backoff',
        connected: error ? reached && error.kind !== 'server' : this.status.connected,
        lastError: message,
        lastErrorAt: new Date(now).toISOString(),
        nextRetryAt: new Date(now + delay).toISOString(),
      });
      this.schedule(delay);
    }
  }
}
