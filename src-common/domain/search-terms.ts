/**
 * Search terms of a case, kept in a multi-entry index so the list can search 100,000 cases
 * without reading them all. Chinese text is indexed by character bigrams; numbers (phone,
 * case number) by their whole value and phone tail.
 */
import type { CaseState } from './case-state';

const MAX_TERMS = 80;
const CJK = /[\u3400-\u9fff]/;

function bigrams(text: string, into: Set<string>): void {
  // runs of CJK characters give bigrams; runs of latin letters or digits give whole words
  const runs = text.toLowerCase().match(/[\u3400-\u9fff]+|[a-z0-9]+/g) ?? [];
  for (const run of runs) {
    if (CJK.test(run)) {
      for (let i = 0; i + 1 < run.length; i++) into.add(run.slice(i, i + 2));
      // the last character starts no bigram: index it alone so a one-character search
      // (a prefix lookup) finds it too
      into.add(run.slice(-1));
    } else if (run.length >= 2) {
      into.add(run);
    }
    if (into.size >= MAX_TERMS) return;
  }
}

export function caseSearchTerms(c: Pick<CaseState, 'caseNo' | 'caller' | 'location' | 'description'>): string[] {
  const terms = new Set<string>();
  terms.add(c.caseNo.toLowerCase());
  if (c.caller.phone) {
    terms.add(c.caller.phone);
    terms.add(c.caller.phone.slice(-4));
  }
  if (c.caller.name) bigrams(c.caller.name, terms);
  bigrams(c.location.address, terms);
  bigrams(c.description, terms);
  return [...terms].slice(0, MAX_TERMS);
}

/**
 * The terms to look up for a query. A single CJK character or a short number is a prefix
 * (it matches every term that starts with it); longer text becomes its bigrams.
 */
export function queryTerms(query: string): Array<{ term: string; prefix: boolean }> {
  const out: Array<{ term: string; prefix: boolean }> = [];
  const seen = new Set<string>();
  const runs = query.trim().toLowerCase().match(/[\u3400-\u9fff]+|[a-z0-9-]+/g) ?? [];
  for (const run of runs) {
    if (CJK.test(run)) {
      if (run.length === 1) out.push({ term: run, prefix: true });
      for (let i = 0; i + 1 < run.length; i++) {
        const t = run.slice(i, i + 2);
        if (!seen.has(t)) out.push({ term: t, prefix: false });
        seen.add(t);
      }
    } else {
      out.push({ term: run, prefix: true });
    }
  }
  return out;
}

/** Whether a case's stored terms satisfy every query term (used to check candidates). */
export function termsMatch(terms: readonly string[], wanted: ReadonlyArray<{ term: string; prefix: boolean }>): boolean {
  return wanted.every((w) => (w.prefix ? terms.some((t) => t.startsWith(w.term)) : terms.includes(w.term)));
}
