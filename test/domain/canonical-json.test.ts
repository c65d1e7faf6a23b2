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

  it('gives the definition\'s text for objects that list the same keys in one order again and again, and for others sharing their first key', () => {
    // the sorted order of a key list met before is reused (as for the objects of one schema):
    // random lists over few keys, so first keys and whole lists repeat in many orders
    const key = fc.constantFrom('b', 'a', 'c', 'zz', 'y', 'caseId', 'at', '中');
    const obj = fc.uniqueArray(fc.tuple(key, fc.oneof(fc.integer(), fc.string(), fc.constant(undefined))), { selector: ([k]) => k, maxLength: 7 }).map((entries) => Object.fromEntries(entries));
    fc.assert(
      fc.property(fc.array(obj, { minLength: 1, maxLength: 30 }), (objects) => {
        for (const o of objects) {
          expect(canonicalJson(o)).toBe(reference(o));
          expect(canonicalJson({ nested: o, list: [o, o] })).toBe(reference({ nested: o, list: [o, o] }));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("gives the definition's text where a sorted copy written by JSON.stringify would not", () => {
    // integer-like keys are enumerated first whatever the order they were added in
    expect(canonicalJson({ a: 3, '9': 2, '10': 1 })).toBe('{"10":1,"9":2,"a":3}');
    // a key __proto__ (JSON.parse makes it an own key) is a member like any other
    expect(canonicalJson(JSON.parse('{"b":{"__proto__":{"x":1},"a":2}}'))).toBe('{"b":{"__proto__":{"x":1},"a":2}}');
    // a Date has no enumerable keys (the definition's "{}"; JSON.stringify would call toJSON)
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":{}}');
    // array elements without JSON text add nothing (JSON.stringify would write null)
    expect(canonicalJson({ list: [1, undefined, () => 1] })).toBe('{"list":[1,,]}');
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = [true, null];
    expect(canonicalJson({ bare })).toBe('{"bare":{"a":[true,null],"z":1}}');
  });

  it("gives the plain definition's text for unusual values too (null prototypes, dates, sparse arrays, boxed values)", () => {
    const unusual = fc.anything({
      withNullPrototype: true,
      withDate: true,
      withSparseArray: true,
      withBoxedValues: true,
      withObjectString: true,
      withBigInt: false,
      withMap: true,
      withSet: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(unusual, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
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
