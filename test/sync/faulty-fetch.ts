/**
 * A fetch for sync tests: the real fetch (real HTTP to a real hub), with faults injected per
 * call, by a script (a queue of faults, each taken by the next call it matches), by a
 * seeded random choice, or for every call while the "hub" is down.
 *
 * Faults:
 * - `down`: fails before sending, as fetch does when the hub is not running (TypeError
 *   "fetch failed", cause ECONNREFUSED); the hub never sees the request;
 * - `lost`: sends, waits for the hub's whole answer (so the hub has committed), then fails
 *   as a broken connection: the station sees a network error for a request the hub took;
 * - `duplicate`: delivers the request twice (concurrently, or one after the other) and hands
 *   the station one of the two answers;
 * - `http503`: answers 503 (a proxy in front of a hub that is down or overloaded); with
 *   `sendFirst` the hub gets and commits the request first;
 * - `delay`: waits `ms` before sending (and `answerDelayMs` before answering).
 *
 * Any fault may also hold the request (`before`: sent only when that promise settles) or its
 * answer (`after`: the hub has answered, the station sees the answer only when that settles),
 * which is how tests reorder concurrent requests and "reload" a station with a request in
 * flight; `onSent` / `onAnswered` tell the test when the hub got the request / answered it.
 */

export type FaultKind = 'none' | 'down' | 'lost' | 'duplicate' | 'http503' | 'delay';

export interface Fault {
  kind: FaultKind;
  /** delay: milliseconds before sending */
  ms?: number;
  /** delay: milliseconds between the hub's answer and the station seeing it */
  answerDelayMs?: number;
  /** duplicate: both copies at once (default) or the second after the first was answered */
  order?: 'concurrent' | 'sequential';
  /** duplicate: which copy's answer the station sees (default: the first) */
  answer?: 'first' | 'second';
  /** http503: deliver the request to the hub first (it commits), then answer 503 */
  sendFirst?: boolean;
  /** hold the request until this settles */
  before?: Promise<unknown>;
  /** hold the hub's answer until this settles */
  after?: Promise<unknown>;
  /** the request has been handed to the real fetch */
  onSent?: (call: CallRecord) => void;
  /** the hub's answer has been read in full */
  onAnswered?: (call: CallRecord) => void;
  /** rewrite the hub's JSON answer before the station sees it */
  mutate?: (body: unknown) => unknown;
}

export type FaultSpec = FaultKind | Fault;

export interface CallInfo {
  /** 1-based, in the order the station called fetch */
  n: number;
  method: string;
  /** path without the query, e.g. /api/v1/events */
  path: string;
  query: string;
}

export interface CallRecord extends CallInfo {
  fault: FaultKind;
  /** how many times the request was handed to the real fetch (0, 1 or 2); see hubAnswers for what the hub answered */
  delivered: number;
  /** what the station saw */
  outcome: 'pending' | 'answered' | 'networkError';
  /** the status the station saw */
  status?: number;
  /** the JSON bodies of the request and of the answer(s) the hub gave */
  requestBody?: unknown;
  hubAnswers: Array<{ status: number; body: unknown }>;
}

export type CallMatcher = (call: CallInfo) => boolean;

export const isPush: CallMatcher = (c) => c.method === 'POST' && c.path.endsWith('/events');
export const isPull: CallMatcher = (c) => c.method === 'GET' && c.path.endsWith('/events');
export const anyCall: CallMatcher = () => true;

/** mulberry32: a small seeded PRNG, so a random fault plan replays from its seed. */
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

export type FaultWeights = Partial<Record<FaultKind, number>>;

function toFault(spec: FaultSpec): Fault {
  return typeof spec === 'string' ? { kind: spec } : spec;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function connectionRefused(): TypeError {
  const cause = Object.assign(new Error('connect ECONNREFUSED (faulty-fetch: hub down)'), { code: 'ECONNREFUSED' });
  return new TypeError('fetch failed', { cause });
}

function connectionLost(): TypeError {
  const cause = Object.assign(new Error('other side closed (faulty-fetch: answer lost)'), { code: 'UND_ERR_SOCKET' });
  return new TypeError('fetch failed', { cause });
}

interface Read {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class FaultyFetch {
  readonly calls: CallRecord[] = [];
  /** while true, every call fails as `down` */
  hubDown = false;
  private readonly queue: Array<{ fault: Fault; match: CallMatcher }> = [];
  private chaos: { random: () => number; weights: Array<[FaultKind, number]>; match: CallMatcher; seed: number } | null = null;
  private n = 0;
  readonly fetch: typeof fetch;

  constructor(private readonly real: typeof fetch = globalThis.fetch.bind(globalThis)) {
    this.fetch = (input, init) => this.call(input, init);
  }

  /** Queue faults: each is taken by the next call that `match` accepts (default: any call). */
  script(faults: readonly FaultSpec[], match: CallMatcher = anyCall): this {
    for (const f of faults) this.queue.push({ fault: toFault(f), match });
    return this;
  }

  /** Queue one fault for the next call that `match` accepts. */
  next(fault: FaultSpec, match: CallMatcher = anyCall): this {
    return this.script([fault], match);
  }

  /** Faults not yet taken. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * From now on, each call that no scripted fault claims draws its fault with these weights
   * (the remainder of 1 is `none`), from a PRNG seeded with `seed`.
   */
  random(seed: number, weights: FaultWeights, match: CallMatcher = anyCall): this {
    const list = Object.entries(weights).filter(([, w]) => (w ?? 0) > 0) as Array<[FaultKind, number]>;
    this.chaos = { random: seededRandom(seed), weights: list, match, seed };
    return this;
  }

  /** No more scripted or random faults, and the hub is up. */
  calm(): this {
    this.queue.length = 0;
    this.chaos = null;
    this.hubDown = false;
    return this;
  }

  /** The calls that reached the hub at least once, or all calls, matching. */
  callsWhere(match: CallMatcher): CallRecord[] {
    return this.calls.filter((c) => match(c));
  }

  private choose(info: CallInfo): Fault {
    if (this.hubDown) return { kind: 'down' };
    const i = this.queue.findIndex((q) => q.match(info));
    if (i >= 0) return this.queue.splice(i, 1)[0]!.fault;
    if (this.chaos && this.chaos.match(info)) {
      let r = this.chaos.random();
      for (const [kind, w] of this.chaos.weights) {
        if (r < w) {
          return kind === 'delay' ? { kind, ms: Math.floor(this.chaos.random() * 25) } : kind === 'duplicate' ? { kind, order: this.chaos.random() < 0.5 ? 'concurrent' : 'sequential', answer: this.chaos.random() < 0.5 ? 'first' : 'second' } : { kind };
        }
        r -= w;
      }
    }
    return { kind: 'none' };
  }

  private async call(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href);
    const info: CallInfo = { n: ++this.n, method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(), path: url.pathname, query: url.search };
    const fault = this.choose(info);
    const record: CallRecord = { ...info, fault: fault.kind, delivered: 0, outcome: 'pending', hubAnswers: [] };
    if (typeof init?.body === 'string') record.requestBody = parseJson(init.body);
    this.calls.push(record);
    try {
      const response = await this.perform(href, init, fault, record);
      record.outcome = 'answered';
      record.status = response.status;
      return response;
    } catch (e) {
      record.outcome = 'networkError';
      throw e;
    }
  }

  /** One real delivery to the hub, read in full. */
  private async deliver(href: string, init: RequestInit | undefined, record: CallRecord): Promise<Read> {
    record.delivered++;
    const response = await this.real(href, init);
    const text = await response.text();
    record.hubAnswers.push({ status: response.status, body: parseJson(text) });
    return { status: response.status, statusText: response.statusText, headers: response.headers, text };
  }

  private async perform(href: string, init: RequestInit | undefined, fault: Fault, record: CallRecord): Promise<Response> {
    if (fault.before) await fault.before;
    if (fault.kind === 'down') throw connectionRefused();
    if (fault.kind === 'http503' && !fault.sendFirst) return unavailable();
    if (fault.kind === 'delay' && fault.ms) await sleep(fault.ms);

    fault.onSent?.(record);
    let read: Read;
    if (fault.kind === 'duplicate') {
      let first: Read;
      let second: Read;
      if (fault.order === 'sequential') {
        first = await this.deliver(href, init, record);
        second = await this.deliver(href, init, record);
      } else {
        [first, second] = await Promise.all([this.deliver(href, init, record), this.deliver(href, init, record)]);
      }
      read = fault.answer === 'second' ? second : first;
    } else {
      read = await this.deliver(href, init, record);
    }
    fault.onAnswered?.(record);
    if (fault.after) await fault.after;
    if (fault.answerDelayMs) await sleep(fault.answerDelayMs);
    if (fault.kind === 'lost') throw connectionLost();
    if (fault.kind === 'http503') return unavailable();
    let text = read.text;
    if (fault.mutate) text = JSON.stringify(fault.mutate(parseJson(text)));
    const headers = new Headers();
    const type = read.headers.get('content-type');
    if (type) headers.set('content-type', type);
    return new Response(text, { status: read.status, statusText: read.statusText, headers });
  }
}

function unavailable(): Response {
  return new Response(JSON.stringify({ error: { code: 'unavailable', message: '集线器暂不可用（faulty-fetch 503）' } }), {
    status: 503,
    headers: { 'content-type': 'application/json' },
  });
}

/** A promise and the function that settles it: to hold a request or an answer until the test says so. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
