import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseSearchTerms, queryTerms, termsMatch } from '../../src-common/domain';

type Searchable = Parameters<typeof caseSearchTerms>[0];

function searchable(over: { caseNo?: string; name?: string; phone?: string; address?: string; description?: string } = {}): Searchable {
  return {
    caseNo: over.caseNo ?? '20260302-p110-lanshan-0007',
    caller: { name: over.name ?? '', phone: over.phone ?? '', anonymous: false, confidential: false },
    location: { address: over.address ?? '', district: '兰山区' },
    description: over.description ?? '',
  };
}

const finds = (c: Searchable, query: string) => termsMatch(caseSearchTerms(c), queryTerms(query));

describe('caseSearchTerms', () => {
  it('indexes the case number (lower case), the phone and its last four digits, and text bigrams', () => {
    const terms = caseSearchTerms(searchable({ caseNo: '20260302-P110-AB-0007', name: '张三', phone: '13912345678', address: '通达路', description: '停水' }));
    expect(terms).toEqual(expect.arrayContaining(['20260302-p110-ab-0007', '13912345678', '5678', '张三', '通达', '达路', '停水']));
    expect(new Set(terms).size).toBe(terms.length);
  });

  it('keeps latin words and numbers in the text whole, lower-cased', () => {
    const terms = caseSearchTerms(searchable({ description: '金雀山KTV噪音 3号楼 Room 1201' }));
    expect(terms).toEqual(expect.arrayContaining(['ktv', 'room', '1201']));
    expect(terms).not.toContain('3'); // a single latin letter or digit is too common to index
  });

  it('never grows past 80 terms, and the case number and phone come first', () => {
    const long = Array.from({ length: 300 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 37) % 2000))).join('');
    const terms = caseSearchTerms(searchable({ phone: '13912345678', description: long }));
    expect(terms.length).toBeLessThanOrEqual(80);
    expect(terms.slice(0, 3)).toEqual(['20260302-p110-lanshan-0007', '13912345678', '5678']);
  });

  it('a case with no phone still has its number as a term', () => {
    expect(caseSearchTerms(searchable())).toEqual(['20260302-p110-lanshan-0007']);
  });
});

describe('queryTerms', () => {
  it('longer Chinese text becomes its distinct bigrams', () => {
    expect(queryTerms('停水停水')).toEqual([
      { term: '停水', prefix: false },
      { term: '水停', prefix: false },
    ]);
  });
  it('a single character and numbers are prefixes', () => {
    expect(queryTerms('水')).toEqual([{ term: '水', prefix: true }]);
    expect(queryTerms(' 139 ')).toEqual([{ term: '139', prefix: true }]);
    expect(queryTerms('张三 5678')).toEqual([
      { term: '张三', prefix: false },
      { term: '5678', prefix: true },
    ]);
  });
  it('case numbers keep their hyphens and are lower-cased', () => {
    expect(queryTerms('20260302-P110')).toEqual([{ term: '20260302-p110', prefix: true }]);
  });
  it('punctuation and blanks give nothing to look up', () => {
    expect(queryTerms('  ，。！ ')).toEqual([]);
  });
});

describe('searching', () => {
  // a small alphabet makes repeated characters and shared bigrams likely
  const hanzi = fc.constantFrom(...'停水电气暖路灯噪音小区楼'.split(''));
  const run = fc.array(hanzi, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
  const text = fc.array(run, { minLength: 1, maxLength: 3 }).map((rs) => rs.join('，'));

  it('finds a case by any part of its text, even one character at the end of a word', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (description, a, b) => {
        const c = searchable({ description });
        const runs = description.split('，');
        const r = runs[a % runs.length]!;
        const start = b % r.length;
        for (let end = start + 1; end <= r.length; end++) {
          const part = r.slice(start, end);
          expect(finds(c, part), `"${part}" in "${description}"`).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the last character of a run is found', () => {
    expect(finds(searchable({ description: '小区停水' }), '水')).toBe(true);
    expect(finds(searchable({ name: '张三' }), '三')).toBe(true);
    expect(finds(searchable({ address: '通达路' }), '路')).toBe(true);
  });

  it('does not find text the case does not have', () => {
    fc.assert(
      fc.property(text, text, (description, query) => {
        const c = searchable({ description });
        const hit = finds(c, query);
        // every bigram of the query must occur in the text for a hit
        const bigrams = query.split('，').flatMap((r) => Array.from({ length: Math.max(0, r.length - 1) }, (_, i) => r.slice(i, i + 2)));
        if (bigrams.some((bg) => !description.includes(bg))) expect(hit).toBe(false);
        const singles = query.split('，').filter((r) => r.length === 1);
        if (singles.some((ch) => !description.includes(ch))) expect(hit).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('finds by phone, its last four digits and its beginning; by case number in any case', () => {
    const c = searchable({ caseNo: '20260302-p110-lanshan-0007', phone: '13912345678' });
    for (const q of ['13912345678', '5678', '139', '1391234']) expect(finds(c, q), q).toBe(true);
    for (const q of ['1234', '13912345679', '0539']) expect(finds(c, q), q).toBe(false);
    expect(finds(c, '20260302-P110-LANSHAN-0007')).toBe(true);
    expect(finds(c, '20260302-p110')).toBe(true);
  });

  it('every word of the query must match', () => {
    const c = searchable({ name: '张三', description: '楼道停水' });
    expect(finds(c, '张三 停水')).toBe(true);
    expect(finds(c, '张三 停电')).toBe(false);
    expect(finds(c, '李四 停水')).toBe(false);
  });

  it('an empty query matches everything', () => {
    expect(termsMatch(['x'], queryTerms(''))).toBe(true);
  });
});
