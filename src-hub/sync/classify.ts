/**
 * Validating one pushed event: structure, depth, envelope version, type, then the domain's
 * schema (src-common/domain), giving either the event with its canonical content or a
 * rejection code and a reason in plain words. Pure, so it runs on the hub's thread or in a
 * validation worker (validator.ts) alike.
 */
import { canonicalJson, EVENT_ENVELOPE_VERSION, EVENT_TYPES, safeParseEvent, type RelayEvent } from '../../src-common/domain';

/**
 * A refused event as the hub keeps it: how to name it, why, the station and seq it claimed
 * (when it claimed usable ones) and its text as sent (for refused_events).
 */
export interface Refusal {
  id: string;
  code: string;
  reason: string;
  claimedStation: string | null;
  seq: number | null;
  content: string;
}

/** What a push needs of a valid event before it judges it (its context is read by these). */
export interface EventKey {
  id: string;
  seq: number;
  caseId: string;
}

export type ValidItem = { index: number; kind: 'valid'; event: RelayEvent; content: string; key: EventKey };
export type Item = ValidItem | ({ index: number; kind: 'invalid' } & Refusal);

/** What crosses from a validation worker: the canonical content and the event's key, or the refusal. */
export type Verdict = ({ ok: true; content: string } & EventKey) | ({ ok: false } & Refusal);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How to name an event in results and errors: its id when it has one, else its place. */
function nameOf(raw: unknown, index: number): string {
  return isRecord(raw) && typeof raw.id === 'string' && raw.id.length > 0 && raw.id.length <= 64 ? raw.id : `#${index}`;
}

/** Events are shallow; a shift sheet may nest a little. Deeper input is refused before any recursion. */
export const MAX_EVENT_DEPTH = 32;

/** Whether `value` nests deeper than `max` levels; never recurses more than `max` + 1 deep. */
function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (deeperThan(value[i], max - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && deeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
  }
  return false;
}

/** The station's seq a refused event claimed, when it claimed a usable one. */
function seqOf(raw: unknown): number | null {
  return isRecord(raw) && typeof raw.seq === 'number' && Number.isSafeInteger(raw.seq) && raw.seq > 0 ? raw.seq : null;
}

function safeJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? 'null';
  } catch {
    return String(raw);
  }
}

function refused(raw: unknown, index: number, id: string, code: string, reason: string): Item {
  const claimedStation = isRecord(raw) && typeof raw.stationId === 'string' ? raw.stationId : null;
  return { index, kind: 'invalid', id, code, reason, claimedStation, seq: seqOf(raw), content: safeJson(raw) };
}

export function classify(raw: unknown, index: number): Item {
  const id = nameOf(raw, index);
  if (!isRecord(raw)) return refused(raw, index, id, 'invalid_event', '不是事件对象');
  if (deeperThan(raw, MAX_EVENT_DEPTH)) return refused(raw, index, id, 'invalid_event', `事件内容嵌套过深（超过 ${MAX_EVENT_DEPTH} 层）`);
  if (raw.v !== undefined && raw.v !== EVENT_ENVELOPE_VERSION) {
    return refused(raw, index, id, 'unsupported_version', `不支持的事件版本：${JSON.stringify(raw.v)}（本集线器支持第 ${EVENT_ENVELOPE_VERSION} 版）`);
  }
  if (typeof raw.type === 'string' && !(EVENT_TYPES as string[]).includes(raw.type)) {
    return refused(raw, index, id, 'unknown_event_type', `未知的事件类型：${raw.type}`);
  }
  const parsed = safeParseEvent(raw);
  if (!parsed.ok) return refused(raw, index, id, 'invalid_event', parsed.error.message || '事件格式不正确');
  const event = parsed.event;
  return { index, kind: 'valid', event, content: canonicalJson(event), key: { id: event.id, seq: event.seq, caseId: event.caseId } };
}

export function verdictOf(item: Item): Verdict {
  if (item.kind === 'valid') return { ok: true, content: item.content, ...item.key };
  const { index: _index, kind: _kind, ...refusal } = item;
  return { ok: false, ...refusal };
}

/**
 * A valid event from a worker's verdict, read back from its canonical content (the same values
 * as the schema's output, defaults included) only when its event is first asked for, and let go
 * again by release(): a push's events are needed while it is judged, not while it waits for
 * its context or its write (500 parsed events a push, held by twenty pushes in flight, were
 * most of what the hub's thread copied at each scavenge).
 */
class VerdictItem implements ValidItem {
  readonly kind = 'valid' as const;
  #event: RelayEvent | undefined;
  constructor(
    readonly index: number,
    readonly content: string,
    readonly key: EventKey,
  ) {}
  get event(): RelayEvent {
    return (this.#event ??= JSON.parse(this.content) as RelayEvent);
  }
  release(): void {
    this.#event = undefined;
  }
}

/** The item again from a worker's verdict (its event parsed when first asked for). */
export function itemOf(index: number, v: Verdict): Item {
  if (v.ok) return new VerdictItem(index, v.content, { id: v.id, seq: v.seq, caseId: v.caseId });
  const { ok: _ok, ...refusal } = v;
  return { index, kind: 'invalid', ...refusal };
}

/** Let go of the parsed events of items read from verdicts (they are parsed again if asked for). */
export function releaseEvents(items: readonly Item[]): void {
  for (const item of items) if (item instanceof VerdictItem) item.release();
}
