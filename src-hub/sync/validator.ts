/**
 * Where pushes are read and their events validated. Reading a batch of 500 takes ~10 ms of CPU
 * (decoding, parsing, the schemas, canonical JSON); on the hub's thread that is 10 ms in which
 * the answers other pushes wait for are not handled. So by default the hub hands each push's
 * body, as bytes, to worker threads (HUB_VALIDATION_WORKERS, default 1) and gets back one
 * verdict per event (push-body.ts); the inline validator (used when workers are 0, and as the
 * fallback if a worker fails) reads on the hub's thread, validating in slices and letting the
 * event loop run in between.
 */
import { Worker } from 'node:worker_threads';
import { HubError } from '../errors';
import { classify, itemOf, type Item } from './classify';
import { parseCursor, type Cursor } from './cursor';
import { readPushRequest, type BodyVerdict } from './push-body';

/** A push as read: its events' items in order, and the request's other parts. */
export interface ReadPush {
  items: Item[];
  /** event id → the pull cursor the station had applied when it recorded the event */
  basis: Map<string, Cursor>;
  firstEventId: string | null;
}

export interface Validator {
  /** Read a push's body; a body refused whole throws its HubError (4xx), nothing applied. */
  readPush(body: Uint8Array | string): Promise<ReadPush>;
  close(): Promise<void>;
}

/** Events validated per slice on the hub's thread; between slices the event loop runs. */
const SLICE = 50;

/** Validate events on this thread, in slices. */
export async function classifyEvents(rawEvents: readonly unknown[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < rawEvents.length; i++) {
    if (i > 0 && i % SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    items.push(classify(rawEvents[i], i));
  }
  return items;
}

function basisOf(basis: Record<string, string> | null): Map<string, Cursor> {
  const out = new Map<string, Cursor>();
  for (const [id, text] of Object.entries(basis ?? {})) {
    const c = parseCursor(text); // checked with the request's shape
    if (c) out.set(id, c);
  }
  return out;
}

export const inlineValidator: Validator = {
  async readPush(body) {
    const read = readPushRequest(body);
    if (!read.ok) throw new HubError(read.status, read.code, read.message);
    return { items: await classifyEvents(read.events), basis: basisOf(read.basis), firstEventId: read.firstEventId };
  },
  close: async () => {},
};

function fromVerdict(v: BodyVerdict): ReadPush {
  if (!v.ok) throw new HubError(v.status, v.code, v.message);
  return { items: v.verdicts.map((verdict, i) => itemOf(i, verdict)), basis: basisOf(v.basis), firstEventId: v.firstEventId };
}

interface Pending {
  body: Uint8Array | string;
  resolve: (read: ReadPush) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  broken: boolean;
}

/** Bodies this small (a few events) are read inline: a round trip to a worker would cost more. */
const INLINE_BELOW_BYTES = 8 * 1024;

/**
 * A pool of `size` validation workers, used round-robin. A worker that fails is not used
 * again; what it had in hand, and everything after, is read inline (the answer is the same,
 * only slower), and `onError` is told.
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
    worker.on('message', (m: { id: number; verdict?: BodyVerdict; error?: string }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (m.verdict) {
        try {
          p.resolve(fromVerdict(m.verdict));
        } catch (e) {
          p.reject(e as Error);
        }
      } else p.reject(new Error(m.error ?? 'validation worker failed'));
    });
    const fail = (e: Error) => {
      if (slot.broken) return;
      slot.broken = true;
      if (!closed) onError(e);
      for (const [, p] of slot.pending) inlineValidator.readPush(p.body).then(p.resolve, p.reject);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`validation worker exited (${code})`)));
    return slot;
  });

  return {
    readPush(body) {
      const healthy = slots.filter((s) => !s.broken);
      const bytes = typeof body === 'string' ? body.length * 3 : body.byteLength;
      if (closed || healthy.length === 0 || bytes < INLINE_BELOW_BYTES) return inlineValidator.readPush(body);
      const slot = healthy[turn++ % healthy.length]!;
      const id = nextId++;
      return new Promise<ReadPush>((resolve, reject) => {
        slot.pending.set(id, { body, resolve, reject });
        slot.worker.postMessage({ id, body });
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
