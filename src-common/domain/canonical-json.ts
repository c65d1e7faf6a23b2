/**
 * One text for one content: the JSON of a value with object keys sorted, `undefined` members
 * left out, and local bookkeeping (`hubSeq`, `lseq`) ignored at every level. Two events are
 * the same event exactly when their canonical JSON is the same; the station (on import and
 * pull) and the hub (on push) compare events this way.
 *
 * Written as one pass that appends to a string (the hub computes it for every pushed event).
 */
/**
 * `"key":` for keys met before: an event's keys are few and the same in every event (the
 * schemas' names), and quoting each again was a good part of the time. Bounded, so free-form
 * keys cannot make it grow without end.
 */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = `${JSON.stringify(k)}:`;
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(k, q);
  }
  return q;
}

export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // (never in a validated event) an element with no JSON text, e.g. undefined, adds nothing,
      // as it always has: the text must not change for content already stored
      out += (canonicalJson(value[i]) as string | undefined) ?? '';
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // most objects come with their keys in order already (sorting is then a pass)
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    if (v === undefined || k === 'hubSeq' || k === 'lseq') continue;
    if (!first) out += ',';
    first = false;
    out += quotedKey(k) + canonicalJson(v);
  }
  return out + '}';
}
