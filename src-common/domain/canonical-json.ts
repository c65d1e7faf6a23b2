/**
 * One text for one content: the JSON of a value with object keys sorted, `undefined` members
 * left out, and local bookkeeping (`hubSeq`, `lseq`) ignored at every level. Two events are
 * the same event exactly when their canonical JSON is the same; the station (on import and
 * pull) and the hub (on push) compare events this way.
 *
 * Written as one pass that appends to a string (the hub computes it for every pushed event).
 */
export function canonicalJson(value: unknown): string {
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
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || k === 'hubSeq' || k === 'lseq') continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}
