/**
 * One text for one content: the JSON of a value with object keys sorted, `undefined` members
 * left out, and local bookkeeping (`hubSeq`, `lseq`) ignored at every level. Two events are
 * the same event exactly when their canonical JSON is the same; the station (on import and
 * pull) and the hub (on push) compare events this way.
 *
 * The hub computes it for every pushed event, so it is written for speed.
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

/**
 * Key lists met before, by their first key, with their sorted order: objects of one schema
 * list the same keys in the same (schema, not sorted) order every time, and sorting them
 * again was a sixth of the time of reading a pushed event. A list is reused only when it
 * matches key for key. Bounded, so free-form keys cannot make it grow without end.
 */
const sortedLists = new Map<string, Array<{ keys: readonly string[]; sorted: readonly string[] }>>();
const SORTED_LISTS_MAX = 1024;
let sortedListCount = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `keys` in sorted order (the same array when it is in order already; never altered when cached) */
function sortedKeys(keys: string[]): readonly string[] {
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      inOrder = false;
      break;
    }
  }
  if (inOrder) return keys;
  const known = sortedLists.get(keys[0]!);
  if (known) for (const k of known) if (sameKeys(k.keys, keys)) return k.sorted;
  const sorted = [...keys].sort();
  if (sortedListCount < SORTED_LISTS_MAX) {
    sortedListCount++;
    if (known) known.push({ keys, sorted });
    else sortedLists.set(keys[0]!, [{ keys, sorted }]);
  }
  return sorted;
}

/** sortedCopy's answer where JSON.stringify of a copy would not give the canonical text */
const NOT_PLAIN = Symbol('not plain');

/**
 * A copy of a value made of plain objects and arrays only (an object's own enumerable keys, in
 * sorted order, bookkeeping and undefined members left out: a Date or a Map becomes `{}`, as
 * in the definition, and no toJSON is called), or NOT_PLAIN for anything JSON.stringify of the
 * copy would write differently: array elements with no JSON text, functions, symbols and
 * bigints, a key `__proto__` (assigning it would set the copy's prototype), and keys starting
 * with a digit (an integer-like key is enumerated before the others whatever the order it was
 * added in).
 */
function sortedCopy(value: unknown): unknown {
  if (value === null) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as unknown;
      if (v === undefined) return NOT_PLAIN;
      const c = sortedCopy(v);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[i] = c;
    }
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(Object.keys(obj));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const first = k.charCodeAt(0);
    if ((first >= 48 && first <= 57) || k === '__proto__') return NOT_PLAIN;
    const v = obj[k];
    if (v === undefined || k === 'hubSeq' || k === 'lseq') continue;
    const c = sortedCopy(v);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[k] = c;
  }
  return out;
}

export function canonicalJson(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    // the usual case, a validated event: JSON.stringify of a sorted copy writes one flat
    // text at once, where appending piece by piece leaves a tree of ~100 joined pieces that is
    // copied again the first time the text is read whole (sent to a thread, joined, hashed)
    const copy = sortedCopy(value);
    if (copy !== NOT_PLAIN) return JSON.stringify(copy);
  }
  return appendedJson(value);
}

/** The definition, appended piece by piece: for any value at all. */
function appendedJson(value: unknown): string {
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
      out += (appendedJson(value[i]) as string | undefined) ?? '';
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
    out += quotedKey(k) + appendedJson(v);
  }
  return out + '}';
}
