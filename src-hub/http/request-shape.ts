/**
 * Checking a request's shape before any event is looked at, with plain messages that say
 * what is wrong. Events themselves are validated one by one later (per-event statuses).
 */
import { z } from 'zod';
import {
  DEFAULT_PULL_LIMIT,
  MAX_PULL_LIMIT,
  MAX_PUSH_EVENTS,
  PROTOCOL_VERSION,
  PushRequestSchema,
  type PushRequest,
} from '../../src-common/protocol/v1';
import { HubError } from '../errors';
import { parseCursor, type Cursor } from '../sync/cursor';

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return '数组';
  return { string: '字符串', number: '数字', boolean: '布尔值', object: '对象' }[typeof v as string] ?? typeof v;
}

export function checkPushRequest(body: unknown): PushRequest {
  const bad = (message: string) => new HubError(400, 'invalid_request', message);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw bad(`请求体必须是 JSON 对象 {"protocol": ${PROTOCOL_VERSION}, "events": [...]}，收到的是${kindOf(body)}`);
  }
  const b = body as Record<string, unknown>;
  if (b.protocol === undefined) throw bad(`缺少 protocol（协议版本，应为 ${PROTOCOL_VERSION}）`);
  if (b.protocol !== PROTOCOL_VERSION) {
    throw new HubError(400, 'unsupported_protocol', `不支持的协议版本 ${JSON.stringify(b.protocol)}：本集线器只支持第 ${PROTOCOL_VERSION} 版`);
  }
  if (b.events === undefined) throw bad('缺少 events（事件数组）');
  if (!Array.isArray(b.events)) throw bad(`events 必须是数组，收到的是${kindOf(b.events)}`);
  if (b.events.length === 0) throw bad('events 不能为空：至少要有 1 条事件');
  if (b.events.length > MAX_PUSH_EVENTS) {
    throw new HubError(413, 'too_many_events', `一批最多 ${MAX_PUSH_EVENTS} 条事件，此次有 ${b.events.length} 条：请分批推送`);
  }
  const parsed = PushRequestSchema.safeParse(body);
  if (!parsed.success) throw bad(`请求格式不正确：${z.prettifyError(parsed.error)}`);
  if (parsed.data.basis) {
    const n = Object.keys(parsed.data.basis).length;
    if (n > b.events.length) throw bad(`basis 有 ${n} 项，多于 events 的 ${b.events.length} 条`);
    for (const [id, text] of Object.entries(parsed.data.basis)) {
      const c = parseCursor(text);
      if (!c) throw bad(`basis 中事件 ${id.slice(0, 64)} 的游标 ${text.slice(0, 40)} 不正确`);
    }
  }
  return parsed.data as PushRequest;
}

export function checkPullQuery(query: unknown): { after: Cursor; limit: number } {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const after = q.after;
  if (after !== undefined && typeof after !== 'string') throw new HubError(400, 'invalid_cursor', 'after 只能出现一次');
  const cursor = parseCursor(after);
  if (!cursor) throw new HubError(400, 'invalid_cursor', `游标 after=${String(after).slice(0, 40)} 不正确：请原样传回上次响应中的 cursor（首次为 0）`);
  const rawLimit = q.limit;
  let limit = DEFAULT_PULL_LIMIT;
  if (rawLimit !== undefined) {
    if (typeof rawLimit !== 'string' || !/^[1-9][0-9]{0,6}$/.test(rawLimit)) {
      throw new HubError(400, 'invalid_limit', `limit 必须是 1 到 ${MAX_PULL_LIMIT} 之间的整数`);
    }
    limit = Math.min(Number(rawLimit), MAX_PULL_LIMIT);
  }
  return { after: cursor, limit };
}
