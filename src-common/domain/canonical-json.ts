/**
 * One text for one content: the JSON of a value with object keys sorted, `undefined` members
 * left out, and local bookkeeping (`hubSeq`, `lseq`) ignored at every level. Two events are
 * the same event exactly when their canonical JSON is the same; the station (on import and
 * pull) and the hub (on push) compare events this way.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => v !== undefined && k !== 'hubSeq' && k !== 'lseq')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
