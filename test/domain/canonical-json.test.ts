/**
 * canonicalJson is the hub's and the station's test of "same event": its text must never
 * change for content already stored. It is written for speed; here it is held to the plain
 * definition (sorted keys, undefined members and local bookkeeping left out) on random values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src-common/domain';

/** The definition, written plainly (the first implementation, kept as the reference). */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([k, v]) => v !== undefined && k !== 'hubSeq' && k !== 'lseq')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined members and local bookkeeping', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 2, y: undefined }], c: 'x' }, hubSeq: 9, lseq: 3 })).toBe('{"a":{"c":"x","d":[1,{"z":2}]},"b":1}');
    expect(canonicalJson({ '中文': '值', a: null })).toBe('{"a":null,"中文":"值"}');
  });

  it('gives the same text as the plain definition for any JSON value and any value at all', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.anything(), (json, anything) => {
        expect(canonicalJson(json)).toBe(reference(json));
        expect(canonicalJson(anything)).toBe(reference(anything));
      }),
      { numRuns: 3000 },
    );
  });

  it('does not depend on the order keys were written in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
      { numRuns: 500 },
    );
  });
});
