import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Ids from '../../src-common/domain/ids';

type IdsModule = typeof Ids;
let ids: IdsModule;

// ulid() keeps the last time and random part in module state (that is what makes it
// monotonic); each test gets a fresh copy of the module so tests do not see each other.
beforeEach(async () => {
  vi.resetModules();
  ids = await import('../../src-common/domain/ids');
});
afterEach(() => {
  vi.restoreAllMocks();
});

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An independent decoder of the 10-character time part (Crockford base 32, big-endian). */
function decodeTime(id: string): number {
  let t = 0;
  for (const ch of id.slice(0, 10)) {
    const d = CROCKFORD.indexOf(ch);
    if (d < 0) throw new Error(`bad char ${ch}`);
    t = t * 32 + d;
  }
  return t;
}

describe('ulid', () => {
  it('matches the published ULID test vector for the time part', () => {
    // from the ULID specification: ulid(1469918176385) begins with 01ARYZ6S41
    expect(ids.ulid(1469918176385).slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('is 26 Crockford base-32 characters, never I, L, O or U', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = ids.ulid();
      expect(id).toHaveLength(26);
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      for (const ch of id.slice(10)) seen.add(ch);
    }
    // the random part uses the whole alphabet
    expect([...seen].sort().join('')).toBe(CROCKFORD);
  });

  it('encodes the given time, from 0 to the 48-bit maximum', () => {
    expect(ids.ulid(0).slice(0, 10)).toBe('0000000000');
    vi.resetModules();
    return import('../../src-common/domain/ids').then((fresh) => {
      expect(fresh.ulid(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
    });
  });

  it('round-trips the time through ulidTime for any increasing sequence of times', () => {
    let clock = 0;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2 ** 32 }), { minLength: 1, maxLength: 20 }), (gaps) => {
        for (const gap of gaps) {
          clock += gap;
          const id = ids.ulid(clock);
          expect(ids.ulidTime(id)).toBe(clock);
          expect(decodeTime(id)).toBe(clock);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('decodes exactly what it encoded, at the edges of each base-32 digit', () => {
    const times = [1, 31, 32, 1023, 1024, 32 ** 5 - 1, 32 ** 5, 2 ** 40 + 12345, Date.UTC(2026, 2, 2), 2 ** 48 - 1]; // ascending
    for (const t of times) {
      const id = ids.ulid(t);
      expect(ids.ulidTime(id)).toBe(t);
      expect(decodeTime(id)).toBe(t);
    }
  });

  it('refuses times outside 48 bits or not whole milliseconds', () => {
    for (const bad of [-1, 2 ** 48, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => ids.ulid(bad)).toThrow(/ULID time out of range/);
    }
  });

  it('is strictly increasing within one millisecond, and unique', () => {
    const t = Date.UTC(2026, 2, 2, 8);
    const made = Array.from({ length: 5000 }, () => ids.ulid(t));
    expect(new Set(made).size).toBe(made.length);
    for (let i = 1; i < made.length; i++) expect(made[i]! > made[i - 1]!).toBe(true);
    expect(made.every((id) => ids.ulidTime(id) === t)).toBe(true);
  });

  it('sorts by time across milliseconds', () => {
    const a = ids.ulid(1_000_000);
    const b = ids.ulid(1_000_001);
    const c = ids.ulid(2_000_000);
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it('stays monotonic when the clock goes backwards', () => {
    const later = ids.ulid(5_000_000);
    const earlier = ids.ulid(4_000_000);
    expect(earlier > later).toBe(true);
    // the time part holds at the latest time seen instead of going back
    expect(ids.ulidTime(earlier)).toBe(5_000_000);
  });

  it('throws rather than wrap when the random part is exhausted within one millisecond', () => {
    vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint8Array).fill(255); // 255 % 32 = 31: every random digit is Z
      return array;
    });
    const first = ids.ulid(7_000_000);
    expect(first.slice(10)).toBe('Z'.repeat(16));
    expect(() => ids.ulid(7_000_000)).toThrow(/overflow/);
  });
});

describe('ulidTime', () => {
  it('refuses strings that are not ULIDs', () => {
    for (const bad of ['', '01ARYZ6S41', '01aryz6s41tsv4rrffq69g5fav', '01ARYZ6S41TSV4RRFFQ69G5FAI', '01ARYZ6S41TSV4RRFFQ69G5FAVX', '01ARYZ6S41TSV4RRFFQ69G5FAU']) {
      expect(() => ids.ulidTime(bad)).toThrow(/not a ULID/);
    }
  });

  it('agrees with ULID_PATTERN', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 26, maxLength: 26, unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') }), (s) => {
        const valid = [...s].every((ch) => CROCKFORD.includes(ch));
        expect(ids.ULID_PATTERN.test(s)).toBe(valid);
        if (valid) expect(ids.ulidTime(s)).toBe(decodeTime(s));
        else expect(() => ids.ulidTime(s)).toThrow();
      }),
    );
  });
});
