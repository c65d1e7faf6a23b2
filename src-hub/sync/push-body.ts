/**
 * Reading a push's body: the bytes as sent, decoded and parsed as Fastify's JSON parser would
 * (a BOM dropped, `__proto__` and `constructor.prototype` keys refused), the request's shape
 * checked (request-shape.ts), and every event validated (classify.ts). Pure, so it runs in a
 * validation worker (validator.ts) as well as on the hub's thread: with a worker, the hub's
 * thread hands over the bytes and gets verdicts back, and never holds the parsed body (500
 * events' objects a push, alive for as long as the push waits for its write).
 */
import sjson from 'secure-json-parse';
import { HubError } from '../errors';
import { checkPushRequest } from '../http/request-shape';
import { classify, verdictOf, type Verdict } from './classify';

/** A body refused whole: the answer's status, code and message (nothing of it applied). */
export interface BodyRefusal {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export interface PushRequestRead {
  ok: true;
  events: unknown[];
  basis: Record<string, string> | null;
  firstEventId: string | null;
}

export type BodyVerdict = { ok: true; verdicts: Verdict[]; basis: Record<string, string> | null; firstEventId: string | null } | BodyRefusal;

/** Decode, parse and check the request's shape; the events are not looked at yet. */
export function readPushRequest(body: Uint8Array | string): PushRequestRead | BodyRefusal {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.length === 0) return { ok: false, status: 400, code: 'malformed_json', message: '请求体为空：需要一个 JSON 对象' };
  let parsed: unknown;
  try {
    parsed = sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (e) {
    return { ok: false, status: 400, code: 'malformed_json', message: `请求体不是有效的 JSON：${(e as Error).message}` };
  }
  try {
    const request = checkPushRequest(parsed);
    const events = request.events as unknown[];
    const first = events[0] as { id?: unknown } | null;
    return { ok: true, events, basis: request.basis ?? null, firstEventId: typeof first?.id === 'string' ? first.id.slice(0, 64) : null };
  } catch (e) {
    if (e instanceof HubError) return { ok: false, status: e.statusCode, code: e.code, message: e.message };
    throw e;
  }
}

/** The whole body at once: what a validation worker answers. */
export function readPushBody(body: Uint8Array | string): BodyVerdict {
  const read = readPushRequest(body);
  if (!read.ok) return read;
  return { ok: true, verdicts: read.events.map((raw, i) => verdictOf(classify(raw, i))), basis: read.basis, firstEventId: read.firstEventId };
}
