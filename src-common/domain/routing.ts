/**
 * Routing suggestion (派单建议): which department should lead a case and which should assist,
 * from the responsibility catalogue. Only a suggestion: the 12345 operator confirms or
 * changes it before assigning.
 *
 * - Lead: the department that owns the case's category; with no (known) category, the
 *   department of the best category `suggestCategories` finds in the description.
 * - Assisting: other departments whose catalogue terms appear in the description (e.g.
 *   "停水" and "拖欠工资" in one call: housing leads, hrss assists). A term found only inside
 *   a longer matched term (污水 inside 污水外溢) does not count, so one phrase does not
 *   drag in a second department.
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import {
  departmentOf,
  findCategory,
  normalizeSearchText,
  suggestCategories,
  type Catalogue,
  type Category,
  type Department,
} from './catalogue';
import type { HandoverTarget } from './events';

export interface RoutingPick {
  department: Department;
  /** why, in Chinese, e.g. 诉求内容提到“停水”“爆管” */
  reason: string;
  /** the department's categories the description matched, best first */
  categories: Category[];
  /** the catalogue terms found in the description, best first */
  matched: string[];
  /** sum of matched term lengths (occurrences capped at 3 per term); 0 for a lead from the category alone */
  score: number;
}

export interface AssignmentSuggestion {
  lead: RoutingPick | null;
  /** at most MAX_ASSISTING, best first; never the lead's department */
  assisting: RoutingPick[];
  /** every department the description points to, best first (the lead's included) */
  candidates: RoutingPick[];
}

/** Assisting suggestions offered at most. */
export const MAX_ASSISTING = 3;
/** A department is suggested as assisting when its matched terms add up to at least this many characters. */
export const MIN_ASSISTING_SCORE = 2;
const MAX_OCCURRENCES = 3;

interface Occurrence {
  start: number;
  end: number;
  term: string;
  category: Category;
  department: Department;
}

function occurrences(catalogue: Catalogue, text: string): Occurrence[] {
  const hay = normalizeSearchText(text);
  if (hay === '') return [];
  const out: Occurrence[] = [];
  for (const department of catalogue.departments) {
    for (const category of department.categories) {
      const seen = new Set<string>();
      for (const raw of [category.name, ...category.aliases, ...category.keywords]) {
        const norm = normalizeSearchText(raw);
        if (norm.length < 2 || seen.has(norm)) continue;
        seen.add(norm);
        let from = 0;
        for (let n = 0; n < MAX_OCCURRENCES; n++) {
          const at = hay.indexOf(norm, from);
          if (at < 0) break;
          out.push({ start: at, end: at + norm.length, term: raw, category, department });
          from = at + norm.length;
        }
      }
    }
  }
  // drop an occurrence that lies inside a longer one (污水 inside 污水外溢)
  return out.filter(
    (o) => !out.some((p) => p.end - p.start > o.end - o.start && p.start <= o.start && p.end >= o.end),
  );
}

function quoteTerms(terms: readonly string[], max = 3): string {
  return terms.slice(0, max).map((t) => `“${t}”`).join('');
}

/** Departments the description points to, best first (ties keep catalogue order). */
function departmentMatches(catalogue: Catalogue, description: string): RoutingPick[] {
  type Group = {
    department: Department;
    order: number;
    /** term -> where it was found (a term two categories share counts once per place) */
    terms: Map<string, { length: number; at: Set<number> }>;
    cats: Map<string, { category: Category; score: number }>;
  };
  const groups = new Map<string, Group>();
  catalogue.departments.forEach((department, order) => {
    groups.set(department.code, { department, order, terms: new Map(), cats: new Map() });
  });
  for (const o of occurrences(catalogue, description)) {
    const g = groups.get(o.department.code)!;
    const length = o.end - o.start;
    const t = g.terms.get(o.term) ?? { length, at: new Set<number>() };
    t.at.add(o.start);
    g.terms.set(o.term, t);
    const c = g.cats.get(o.category.code) ?? { category: o.category, score: 0 };
    c.score += length;
    g.cats.set(o.category.code, c);
  }
  const picks: Array<RoutingPick & { order: number }> = [];
  for (const g of groups.values()) {
    const weights = [...g.terms.entries()].map(([term, t]) => ({ term, weight: t.length * t.at.size }));
    const score = weights.reduce((sum, w) => sum + w.weight, 0);
    if (score === 0) continue;
    const matched = weights.sort((a, b) => b.weight - a.weight).map((w) => w.term);
    const categories = [...g.cats.values()].sort((a, b) => b.score - a.score).map((c) => c.category);
    picks.push({
      department: g.department,
      reason: `诉求内容提到${quoteTerms(matched)}`,
      categories,
      matched,
      score,
      order: g.order,
    });
  }
  picks.sort((a, b) => b.score - a.score || a.order - b.order);
  return picks.map(({ order: _order, ...p }) => p);
}

/**
 * Suggest the lead and assisting departments for a case. `category` is the case's category
 * code (or null); `description` its free text.
 */
export function suggestAssignment(
  catalogue: Catalogue,
  input: { category: string | null; description: string },
): AssignmentSuggestion {
  const candidates = departmentMatches(catalogue, input.description);
  let lead: RoutingPick | null = null;
  const category = input.category ? findCategory(catalogue, input.category) : undefined;
  const owner = input.category ? departmentOf(catalogue, input.category) : undefined;
  if (category && owner) {
    const fromText = candidates.find((c) => c.department.code === owner.code);
    lead = {
      department: owner,
      reason: `诉求类别“${category.name}”由${owner.short}负责`,
      categories: [category, ...(fromText?.categories.filter((c) => c.code !== category.code) ?? [])],
      matched: fromText?.matched ?? [],
      score: fromText?.score ?? 0,
    };
  } else {
    const best = suggestCategories(catalogue, input.description, 1)[0];
    if (best) {
      const fromText = candidates.find((c) => c.department.code === best.department.code);
      lead = {
        department: best.department,
        reason: `未选诉求类别；诉求内容提到${quoteTerms(fromText?.matched ?? best.matched)}，最接近“${best.category.name}”`,
        categories: [best.category, ...(fromText?.categories.filter((c) => c.code !== best.category.code) ?? [])],
        matched: fromText?.matched ?? best.matched,
        score: fromText?.score ?? best.score,
      };
    }
  }
  const assisting = candidates
    .filter((c) => c.department.code !== lead?.department.code && c.score >= MIN_ASSISTING_SCORE)
    .slice(0, MAX_ASSISTING);
  return { lead, assisting, candidates };
}

/**
 * The hand-over target for a department with no particular desk: kind 'department',
 * stationId null. With a category whose acting unit differs (e.g. 税务部门 under 其他部门),
 * the unit's name is used.
 */
export function targetFor(department: Department, category?: Category): HandoverTarget {
  return {
    kind: 'department',
    stationId: null,
    name: (category?.unit ?? department.name).slice(0, 60),
    department: department.code,
  };
}
