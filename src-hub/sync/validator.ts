/**
 * Where pushed events are validated. Validating a batch of 500 takes ~10 ms of CPU; on the
 * hub's own thread that is 10 ms in which a push holding the sync lock cannot have its next
 * statement's answer handled, and every push waits. So by default the hub validates in worker
 * threads (HUB_VALIDATION_WORKERS, default 1), in parallel with its database work; the inline
 * validator (used when workers are 0, and as the fallback if a worker fails) validates in
 * slices and lets the event loop run in between.
 */
import { Worker } from 'node:worker_threads';
import { classify, itemOf, type Item, type Verdict } from './classify';

export interface Validator {
  classify(rawEvents: readonly unknown[]): Promise<Item[]>;
  close(): Promise<void>;
}

/** Events validated per slice on the hub's thread; between slices the event loop runs. */
const SLICE = 50;

export const inlineValidator: Validator = {
  async classify(rawEvents) {
    const items: Item[] = [];
    for (let i = 0; i < rawEvents.length; i++) {
      if (i > 0 && i % SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      items.push(classify(rawEvents[i], i));
    }
    return items;
  },
  close: async () => {},
};

interface Pending {
  raw: readonly unknown[];
  resolve: (items: Item[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  broken: boolean;
}

/** Batches this small are validated inline: a round trip to a worker would cost more. */
const INLINE_BELOW = 20;

/**
 * A pool of `size` validation workers, used round-robin. A worker that fails is not used
 * again; what it had in hand, and everything after, is validated inline (the answer is the
 * same, only slower), and `onError` is told.
 */
export function workerValidator(
  size: number,
  onError: (e: Error) => void = () => {},
  entry: URL = new URL('./validation-worker.mjs', import.meta.url),
): Validator {
  let nextId = 0;
  let turn = 0;
  let closed = false;
  const slots: Slot[] = Array.from({ length: size }, () => {
    const worker = new Worker(entry);
    const slot: Slot = { worker, pending: new Map(), broken: false };
    worker.unref();
    worker.on('message', (m: { id: number; verdicts?: Verdict[]; error?: string }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (m.verdicts) p.resolve(p.raw.map((raw, i) => itemOf(raw, i, m.verdicts![i]!)));
      else p.reject(new Error(m.error ?? 'validation worker failed'));
    });
    const fail = (e: Error) => {
      if (slot.broken) return;
      slot.broken = true;
      if (!closed) onError(e);
      for (const [, p] of slot.pending) inlineValidator.classify(p.raw).then(p.resolve, p.reject);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`validation worker exited (${code})`)));
    return slot;
  });

  return {
    classify(rawEvents) {
      const healthy = slots.filter((s) => !s.broken);
      if (closed || healthy.length === 0 || rawEvents.length < INLINE_BELOW) return inlineValidator.classify(rawEvents);
      const slot = healthy[turn++ % healthy.length]!;
      const id = nextId++;
      return new Promise<Item[]>((resolve, reject) => {
        slot.pending.set(id, { raw: rawEvents, resolve, reject });
        slot.worker.postMessage({ id, events: rawEvents });
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
