/**
 * Array parameters written as literals (src-hub/db/array-literal.ts) read back by the database
 * as the very arrays they were written from, on both drivers: texts with quotes, backslashes,
 * commas, braces, spaces, "NULL" and Chinese, nulls, whole numbers of every size.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { boolArray, intArray, textArray } from '../../src-hub/db/array-literal';
import { describeEachDriver, freshDatabase, type FreshDatabase } from './helpers/drivers';

it('writes only whole numbers', () => {
  expect(intArray([1, null, -3, Number.MAX_SAFE_INTEGER])).toBe(`{1,NULL,-3,${Number.MAX_SAFE_INTEGER}}`);
  expect(() => intArray([1.5])).toThrow(/whole number/);
  expect(() => intArray([Number.NaN])).toThrow(/whole number/);
  expect(() => intArray([2 ** 60])).toThrow(/whole number/);
  expect(textArray(['a"b', 'c\\d', null, ''])).toBe('{"a\\"b","c\\\\d",NULL,""}');
  expect(boolArray([true, false])).toBe('{t,f}');
});

describeEachDriver('array literals', (driver) => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase(driver);
  }, 120_000);
  afterAll(async () => fresh?.destroy());

  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', '"', '\\', ',', '{', '}', ' ', 'N', 'U', 'L', '兰', '山', '\t', "'") }),
    fc.constantFrom('NULL', 'null', '', ' ', '{}', '"', '\\'),
    fc.string({ unit: 'grapheme' }),
  );

  it('are read back as the arrays they were written from', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(text.filter((s) => !s.includes('\u0000')), { nil: null }), { maxLength: 20 }),
        fc.array(fc.option(fc.maxSafeInteger(), { nil: null }), { maxLength: 20 }),
        fc.array(fc.boolean(), { maxLength: 20 }),
        async (texts, ints, bools) => {
          const [row] = await fresh.db.query<{ t: Array<string | null>; i: Array<number | string | null>; b: boolean[] }>(
            'SELECT $1::text[] AS t, $2::bigint[] AS i, $3::boolean[] AS b',
            [textArray(texts), intArray(ints), boolArray(bools)],
          );
          expect(row!.t).toEqual(texts);
          expect(row!.i.map((v) => (v === null ? null : Number(v)))).toEqual(ints);
          expect(row!.b).toEqual(bools);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
