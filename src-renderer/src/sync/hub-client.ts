/**
 * HTTP to the hub: the only code in the renderer that touches the network, called only by the
 * sync loop. Every answer is checked against the protocol's schemas; every failure becomes a
 * HubError that says whether trying again can help.
 */
import type { z } from 'zod';
import {
  API_PREFIX,
  CalendarResponseSchema,
  ErrorBodySchema,
  HealthSchema,
  PROTOCOL_VERSION,
  PullResponseSchema,
  PushResponseSchema,
  StationInfoSchema,
  type CalendarResponse,
  type Health,
  type PullResponse,
  type PushResponse,
  type StationInfo,
} from '../../../src-common/protocol/v1';

export type HubErrorKind = 'network' | 'timeout' | 'auth' | 'noToken' | 'forbidden' | 'badRequest' | 'server' | 'protocol';

const PLAIN: Record<HubErrorKind, string> = {
  network: '无法连接市级中心（网络不通或中心未运行）',
  timeout: '市级中心响应超时',
  auth: '本站令牌无效或已被吊销，请向中心管理员申请新令牌',
  noToken: '本站令牌缺失（中心地址仍在）：请在“数据与设置 → 市级中心”重新输入令牌',
  forbidden: '中心拒绝了本站的请求（超出本站岗位或辖区权限）',
  badRequest: '中心认为请求有误',
  server: '市级中心内部错误，稍后自动重试',
  protocol: '中心的应答格式不符合协议',
};

export class HubError extends Error {
  constructor(
    readonly kind: HubErrorKind,
    readonly detail: string,
    readonly status?: number,
    readonly eventIds?: string[],
    /** the hub's error code (docs/protocol.md), when it sent one */
    readonly code?: string,
  ) {
    // the browser's own words for a failed connection ("Failed to fetch") and the hub's for a
    // bad token add nothing an operator can use: those stay in `detail`, for the log
    super(`${PLAIN[kind]}${detail && kind !== 'network' && kind !== 'auth' ? `：${detail}` : ''}`);
    this.name = 'HubError';
  }
  /** Network trouble and the hub's own faults pass; the rest needs a person. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'server';
  }
}

export interface HubClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface HubClient {
  health(): Promise<Health>;
  me(): Promise<StationInfo>;
  /** basis: for each event id, the pull cursor the station had applied when it recorded the event */
  push(events: unknown[], basis?: Record<string, string>): Promise<PushResponse>;
  /**
   * The same request with its body already serialized (exactly what push would send:
   * pushBody(events) from this module), so a pipelined push can prepare it off the critical path.
   */
  pushSerialized?(body: string): Promise<PushResponse>;
  pull(after: string, limit: number): Promise<PullResponse>;
  /** the calendar years loaded at the hub, when its revision is past `after` (else none) */
  calendar(after: number): Promise<CalendarResponse>;
}

/**
 * The body of a push request, from events already serialized one by one (JSON.stringify each),
 * with the basis of those that have one (the pull cursor each was recorded at).
 */
export function pushBody(serializedEvents: readonly string[], basis: Readonly<Record<string, string>> = {}): string {
  const withBasis = Object.keys(basis).length > 0 ? `,"basis":${JSON.stringify(basis)}` : '';
  return `{"protocol":${PROTOCOL_VERSION},"events":[${serializedEvents.join(',')}]${withBasis}}`;
}

export function normalizeHubUrl(url: string): string {
  let trimmed = url.trim().replace(/\/+$/, '');
  // an address typed without its scheme (10.0.0.5:4710) is taken as http
  if (trimmed && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) trimmed = `http://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new Error('中心地址格式不正确，应类似 http://10.0.0.5:4710');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('中心地址须以 http:// 或 https:// 开头');
  return trimmed;
}

/**
 * Whether an address sends the token and the cases unencrypted across a network: http to a
 * host other than this machine. (The hub listens on plain HTTP; a remote one belongs behind TLS.)
 */
export function sendsInClear(url: string): boolean {
  try {
    const u = new URL(normalizeHubUrl(url));
    return u.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

export function createHubClient(options: HubClientOptions): HubClient {
  const base = normalizeHubUrl(options.baseUrl);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 20_000;

  async function call<S extends z.ZodType>(path: string, schema: S, init: RequestInit = {}, auth = true): Promise<z.infer<S>> {
    // one time limit for the whole exchange, the answer's body included: a connection that
    // stalls in the middle of a long page must fail (and be retried), not hang the loop
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(new HubError('timeout', '')), { once: true });
    });
    timedOut.catch(() => undefined);
    let response: Response;
    let body: unknown;
    try {
      try {
        response = await Promise.race([
          doFetch(`${base}${API_PREFIX}${path}`, {
            ...init,
            signal: controller.signal,
            headers: {
              accept: 'application/json',
              ...(init.body ? { 'content-type': 'application/json' } : {}),
              ...(auth ? { authorization: `Bearer ${options.token}` } : {}),
            },
          }),
          timedOut,
        ]);
      } catch (e) {
        if (e instanceof HubError) throw e;
        const aborted = (e as Error)?.name === 'AbortError' || controller.signal.aborted;
        throw new HubError(aborted ? 'timeout' : 'network', aborted ? '' : String((e as Error)?.message ?? e));
      }
      try {
        body = await Promise.race([response.json(), timedOut]);
      } catch (e) {
        if (e instanceof HubError || controller.signal.aborted) throw new HubError('timeout', '应答未在时限内读完');
        if (response.status >= 500) throw new HubError('server', `HTTP ${response.status}`, response.status);
        throw new HubError('protocol', `HTTP ${response.status}，应答不是 JSON`, response.status);
      }
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      const err = ErrorBodySchema.safeParse(body);
      const message = err.success ? err.data.error.message : `HTTP ${response.status}`;
      const ids = err.success ? err.data.error.eventIds : undefined;
      const kind: HubErrorKind =
        response.status === 401 ? 'auth' : response.status === 403 ? 'forbidden' : response.status >= 500 ? 'server' : response.status === 429 ? 'server' : 'badRequest';
      throw new HubError(kind, message, response.status, ids, err.success ? err.data.error.code : undefined);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new HubError('protocol', parsed.error.issues[0]?.message ?? '', response.status);
    return parsed.data;
  }

  return {
    health: () => call('/health', HealthSchema, {}, false),
    me: () => call('/stations/me', StationInfoSchema),
    push: (events, basis) =>
      call('/events', PushResponseSchema, {
        method: 'POST',
        body: JSON.stringify({ protocol: PROTOCOL_VERSION, events, ...(basis && Object.keys(basis).length > 0 ? { basis } : {}) }),
      }),
    pushSerialized: (body) => call('/events', PushResponseSchema, { method: 'POST', body }),
    pull: (after, limit) => call(`/events?after=${encodeURIComponent(after)}&limit=${limit}`, PullResponseSchema),
    calendar: (after) => call(`/calendar?after=${after}`, CalendarResponseSchema),
  };
}
