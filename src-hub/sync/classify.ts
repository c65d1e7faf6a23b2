/**
 * Validating one pushed event: structure, depth, envelope version, type, then the domain's
 * schema (src-common/domain), giving either the event with its canonical content or a
 * rejection code and a reason in plain words. Pure, so it runs on the hub's thread or in a
 * validation worker (validator.ts) alike.
 */
import { canonicalJson, EVENT_ENVELOPE_VERSION, EVENT_TYPES, safeParseEvent, type RelayEvent } from '../../src-common/domain';

export type Item =
  | { index: number; raw: unknown; kind: 'valid'; event: RelayEvent; content: string }
  | { index: number; raw: unknown; kind: 'invalid'; id: string; code: string; reason: string };

/** What crosses from a validation worker: the canonical content, or the rejection. */
export type Verdict = { ok: true; content: string } | { ok: false; id: string; code: string; reason: string };

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How to name an event in results and errors: its id when it has one, else its place. */
function nameOf(raw: unknown, index: number): string {
  return isRecord(raw) && typeof raw.id === 'string' && raw.id.length > 0 && raw.id.length <= 64 ? raw.id : `#${index}`;
}

/** Events are shallow; a shift sheet may nest a little. Deeper input is refused before any recursion. */
export const MAX_EVENT_DEPTH = 32;

function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}

export function classify(raw: unknown, index: number): Item {
  const id = nameOf(raw, index);
  if (!isRecord(raw)) return { index, raw, kind: 'invalid', id, code: 'invalid_event', reason: '不是事件对象' };
  if (deeperThan(raw, MAX_EVENT_DEPTH)) {
    return { index, raw, kind: 'invalid', id, code: 'invalid_event', reason: `事件内容嵌套过深（超过 ${MAX_EVENT_DEPTH} 层）` };
  }
  if (raw.v !== undefined && raw.v !== EVENT_ENVELOPE_VERSION) {
    return { index, raw, kind: 'invalid', id, code: 'unsupported_version', reason: `不支持的事件版本：${JSON.stringify(raw.v)}（本集线器支持第 ${EVENT_ENVELOPE_VERSION} 版）` };
  }
  if (typeof raw.type === 'string' && !(EVENT_TYPES as string[]).includes(raw.type)) {
    return { index, raw, kind: 'invalid', id, code: 'unknown_event_type', reason: `未知的事件类型：${raw.type}` };
  }
  const parsed = safeParseEvent(raw);
  if (!parsed.ok) return { index, raw, kind: 'invalid', id, code: 'invalid_event', reason: parsed.error.message || '事件格式不正确' };
  return { index, raw, kind: 'valid', event: parsed.event, content: canonicalJson(parsed.event) };
}

export function verdictOf(item: Item): Verdict {
  return item.kind === 'valid' ? { ok: true, content: item.content } : { ok: false, id: item.id, code: item.code, reason: item.reason };
}

/**
 * The item again from a worker's verdict. The event is read back from its canonical content:
 * the same values as the schema's output (defaults included), keys in canonical order.
 */
export function itemOf(raw: unknown, index: number, v: Verdict): Item {
  return v.ok
    ? { index, raw, kind: 'valid', event: JSON.parse(v.content) as RelayEvent, content: v.content }
    : { index, raw, kind: 'invalid', id: v.id, code: v.code, reason: v.reason };
}
