/**
 * The responsibility catalogue (职责目录): which department owns which kind of non-police
 * request, after 临政办字〔2017〕149号 sections 三 and 四. It is the routing knowledge used
 * at screening (110), at assignment (12345) and for routing suggestions.
 *
 * The data lives in resources/catalogue.json, versioned. Its pinyin fields are precomputed
 * by scripts/build-catalogue-pinyin.mjs (pinyin-pro is a devDependency only), so this
 * module searches by pinyin initials and full pinyin without any pinyin library.
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import { z } from 'zod';
import { URGENCIES } from './vocabulary';
import defaultCatalogueJson from '../../resources/catalogue.json';

// ---------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------

/** Urgent utility or medical items raise loud alerts (section 三: 供水、供气、供电、医疗急救; 供暖). */
export const CATEGORY_ALERTS = ['water', 'gas', 'power', 'heating', 'medical'] as const;
export const CategoryAlertSchema = z.enum(CATEGORY_ALERTS);
export type CategoryAlert = z.infer<typeof CategoryAlertSchema>;

const UrgencySchema = z.enum(URGENCIES);

const DEPARTMENT_CODE = /^[a-z][a-z0-9-]*$/;
const CATEGORY_CODE = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;
/** Precomputed pinyin: lower-case ascii letters and digits, no spaces. */
const PINYIN = /^[a-z0-9]+$/;

const text = z.string().trim().min(1, 'must be a non-empty string');
const pinyinText = z.string().regex(PINYIN, 'must be lower-case ascii pinyin (a-z, 0-9), no spaces');

export const CategorySchema = z.strictObject({
  /** ascii, stable, "<department code>.<name>", e.g. "housing.water" */
  code: z.string().regex(CATEGORY_CODE, 'must look like "department.name" (lower-case ascii, digits, "-")'),
  /** Chinese name, e.g. 城市供水 */
  name: text,
  /** The unit that actually acts, when it is not the department itself (e.g. 税务部门 under 其他部门). */
  unit: text.optional(),
  /** pinyin initials of name: 城市供水 -> "csgs" */
  initials: pinyinText,
  /** full toneless pinyin of name: 城市供水 -> "chengshigongshui" */
  pinyin: pinyinText,
  /** well-known short names: 供水 */
  aliases: z.array(text),
  /** parallel to aliases: 供水 -> "gs" */
  aliasInitials: z.array(pinyinText),
  /** parallel to aliases: 供水 -> "gongshui" */
  aliasPinyin: z.array(pinyinText),
  /** words operators and callers use: 停水, 爆管, 水管破裂 ... */
  keywords: z.array(text).min(1, 'must list at least one keyword'),
  /** parallel to keywords */
  keywordInitials: z.array(pinyinText),
  /** parallel to keywords */
  keywordPinyin: z.array(pinyinText),
  /** loud-alert kind for urgent utility / medical items, else null */
  alert: CategoryAlertSchema.nullable(),
  defaultUrgency: UrgencySchema,
});
export type Category = z.infer<typeof CategorySchema>;

export const DepartmentSchema = z.strictObject({
  /** ascii, stable, e.g. "housing" */
  code: z.string().regex(DEPARTMENT_CODE, 'must be lower-case ascii (letters, digits, "-")'),
  /** full name as in the policy, e.g. 住房城乡建设、城市管理部门 */
  name: text,
  /** short name shown in lists, e.g. 住建城管 */
  short: text,
  /** pinyin initials of short */
  initials: pinyinText,
  /** full toneless pinyin of short */
  pinyin: pinyinText,
  /** the policy clause, e.g. 四（三） */
  clause: text.optional(),
  /** keeps 24-hour duty and emergency response (section 三: 城管、供水、供气、供电、医疗急救) */
  urgentDuty: z.boolean(),
  categories: z.array(CategorySchema).min(1, 'must list at least one category'),
});
export type Department = z.infer<typeof DepartmentSchema>;

export const CATALOGUE_SCHEMA_VERSION = 1 as const;

export const CatalogueSchema = z
  .strictObject({
    schema: z.literal(CATALOGUE_SCHEMA_VERSION, `must be ${CATALOGUE_SCHEMA_VERSION}`),
    /** data version, e.g. "2017-149.1" */
    version: text,
    /** the policy the data follows */
    source: text,
    /** what 110 hands to 12345: the publicly published non-police scope, one line each */
    publishedScope: z.array(text),
    /** what stays with the police, one line each */
    policeScope: z.array(text),
    departments: z.array(DepartmentSchema).min(1, 'must list at least one department'),
  })
  .superRefine((catalogue, ctx) => {
    const departmentCodes = new Map<string, number>();
    const categoryCodes = new Map<string, string>();
    catalogue.departments.forEach((department, d) => {
      const previous = departmentCodes.get(department.code);
      if (previous !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['departments', d, 'code'],
          message: `duplicate department code "${department.code}" (also departments[${previous}])`,
        });
      } else {
        departmentCodes.set(department.code, d);
      }
      department.categories.forEach((category, c) => {
        const path = ['departments', d, 'categories', c];
        const where = `departments[${d}].categories[${c}]`;
        const seen = categoryCodes.get(category.code);
        if (seen !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'code'],
            message: `duplicate category code "${category.code}" (also ${seen})`,
          });
        } else {
          categoryCodes.set(category.code, where);
        }
        if (!category.code.startsWith(`${department.code}.`)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'code'],
            message: `category code "${category.code}" must start with its department code "${department.code}."`,
          });
        }
        const parallel: Array<[keyof Category, number]> = [
          ['aliasInitials', category.aliasInitials.length],
          ['aliasPinyin', category.aliasPinyin.length],
        ];
        for (const [field, length] of parallel) {
          if (length !== category.aliases.length) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, field],
              message: `has ${length} entries but aliases has ${category.aliases.length}`,
            });
          }
        }
        const keywordParallel: Array<[keyof Category, number]> = [
          ['keywordInitials', category.keywordInitials.length],
          ['keywordPinyin', category.keywordPinyin.length],
        ];
        for (const [field, length] of keywordParallel) {
          if (length !== category.keywords.length) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, field],
              message: `has ${length} entries but keywords has ${category.keywords.length}`,
            });
          }
        }
        if (category.alert !== null && category.defaultUrgency !== 'urgent') {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'defaultUrgency'],
            message: `must be "urgent" for a category with alert "${category.alert}"`,
          });
        }
      });
    });
  });
export type Catalogue = z.infer<typeof CatalogueSchema>;

// ---------------------------------------------------------------------------------------
// Parsing and loading
// ---------------------------------------------------------------------------------------

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/**
 * Validate catalogue data. Throws an Error naming every wrong field, e.g.
 * `Invalid catalogue: departments[2].categories[0].alert: Invalid option: ...`,
 * and on duplicate department or category codes.
 */
export function parseCatalogue(json: unknown): Catalogue {
  const result = CatalogueSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const lines = issues.slice(0, 10).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > 10) lines.push(`... and ${issues.length - 10} more`);
  throw new Error(`Invalid catalogue: ${lines.join('; ')}`);
}

let defaultCatalogue: Catalogue | undefined;

/** The shipped catalogue (resources/catalogue.json), parsed once. */
export function loadDefaultCatalogue(): Catalogue {
  defaultCatalogue ??= parseCatalogue(defaultCatalogueJson);
  return defaultCatalogue;
}

// ---------------------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------------------

export interface CategoryEntry {
  category: Category;
  department: Department;
}

/** Every category with its department, in catalogue order. */
export function listCategories(catalogue: Catalogue): CategoryEntry[] {
  return indexOf(catalogue).entries.map(({ category, department }) => ({ category, department }));
}

export function findCategory(catalogue: Catalogue, code: string): Category | undefined {
  return indexOf(catalogue).byCode.get(code)?.category;
}

/** The department that owns a category, or undefined for an unknown code. */
export function departmentOf(catalogue: Catalogue, categoryCode: string): Department | undefined {
  return indexOf(catalogue).byCode.get(categoryCode)?.department;
}

export function findDepartment(catalogue: Catalogue, code: string): Department | undefined {
  return catalogue.departments.find((d) => d.code === code);
}

// ---------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------

export type MatchedOn = 'name' | 'alias' | 'keyword' | 'initials' | 'pinyin' | 'department';

export interface CategorySearchResult {
  category: Category;
  department: Department;
  /** higher is better; only meaningful for ordering within one result list */
  score: number;
  matchedOn: MatchedOn;
  /** the text that matched (name, alias, keyword, or department short name), for highlighting */
  matchedText: string;
}

/** Normalise text for matching: full-width to half-width (NFKC), lower case, no whitespace. */
export function normalizeSearchText(input: string): string {
  return input.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

interface Term {
  /** the original text, reported as matchedText */
  text: string;
  /** normalised */
  norm: string;
}
interface PinyinTerm {
  text: string;
  initials: string;
  pinyin: string;
}
interface IndexedEntry extends CategoryEntry {
  order: number;
  name: Term;
  aliases: Term[];
  keywords: Term[];
  departmentTerms: Term[];
  pinyinName: PinyinTerm;
  pinyinAliases: PinyinTerm[];
  pinyinKeywords: PinyinTerm[];
  pinyinDepartment: PinyinTerm;
  /** name + aliases + keywords, deduplicated, for suggestCategories */
  suggestTerms: Term[];
}
interface CatalogueIndex {
  entries: IndexedEntry[];
  byCode: Map<string, IndexedEntry>;
}

const indexes = new WeakMap<Catalogue, CatalogueIndex>();

function term(text: string): Term {
  return { text, norm: normalizeSearchText(text) };
}

function indexOf(catalogue: Catalogue): CatalogueIndex {
  const cached = indexes.get(catalogue);
  if (cached) return cached;
  const entries: IndexedEntry[] = [];
  const byCode = new Map<string, IndexedEntry>();
  for (const department of catalogue.departments) {
    const departmentNames = [term(department.short), term(department.name)];
    const pinyinDepartment = { text: department.short, initials: department.initials, pinyin: department.pinyin };
    for (const category of department.categories) {
      const name = term(category.name);
      const aliases = category.aliases.map(term);
      const keywords = category.keywords.map(term);
      const seen = new Set<string>();
      const suggestTerms = [name, ...aliases, ...keywords].filter((t) => {
        if (t.norm.length < 2 || seen.has(t.norm)) return false;
        seen.add(t.norm);
        return true;
      });
      const entry: IndexedEntry = {
        category,
        department,
        order: entries.length,
        name,
        aliases,
        keywords,
        departmentTerms: category.unit ? [...departmentNames, term(category.unit)] : departmentNames,
        pinyinName: { text: category.name, initials: category.initials, pinyin: category.pinyin },
        pinyinAliases: category.aliases.map((text, i) => ({
          text,
          initials: category.aliasInitials[i] ?? '',
          pinyin: category.aliasPinyin[i] ?? '',
        })),
        pinyinKeywords: category.keywords.map((text, i) => ({
          text,
          initials: category.keywordInitials[i] ?? '',
          pinyin: category.keywordPinyin[i] ?? '',
        })),
        pinyinDepartment,
        suggestTerms,
      };
      entries.push(entry);
      byCode.set(category.code, entry);
    }
  }
  const index = { entries, byCode };
  indexes.set(catalogue, index);
  return index;
}

/**
 * Score tiers. Exact and prefix matches of name/alias rank above keyword and substring
 * matches; for latin queries, full pinyin ranks above initials of the same field.
 */
const TIER = {
  // Chinese (or any literal) text
  nameExact: 100,
  aliasExact: 96,
  namePrefix: 90,
  aliasPrefix: 86,
  nameSub: 70,
  aliasSub: 66,
  keywordExact: 62,
  keywordPrefix: 56,
  keywordSub: 50,
  departmentExact: 60,
  departmentPrefix: 48,
  departmentSub: 40,
  // latin query against precomputed pinyin
  namePinyinExact: 92,
  aliasPinyinExact: 90,
  nameInitialsExact: 88,
  aliasInitialsExact: 86,
  namePinyinPrefix: 82,
  aliasPinyinPrefix: 80,
  nameInitialsPrefix: 76,
  aliasInitialsPrefix: 74,
  namePinyinSub: 68,
  aliasPinyinSub: 64,
  keywordPinyinExact: 60,
  nameInitialsSub: 59,
  keywordInitialsExact: 58,
  aliasInitialsSub: 57,
  keywordPinyinPrefix: 54,
  keywordInitialsPrefix: 52,
  keywordPinyinSub: 45,
  departmentPinyinExact: 60,
  departmentPinyinPrefix: 42,
} as const;

interface Match {
  score: number;
  matchedOn: MatchedOn;
  matchedText: string;
}

function better(a: Match | undefined, b: Match | undefined): Match | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.score > a.score ? b : a;
}

/** Literal match of q against one field: exact / prefix / substring, or 0. */
function literal(q: string, field: string, exact: number, prefix: number, sub: number): number {
  if (!field) return 0;
  if (field === q) return exact;
  if (field.startsWith(q)) return prefix;
  if (field.includes(q)) return sub;
  return 0;
}

/** Minimum query lengths before substring (mid-word) matches of pinyin count. */
const MIN_INITIALS_SUB = 2;
const MIN_PINYIN_SUB = 3;

function matchLiteral(q: string, terms: Term[], on: MatchedOn, exact: number, prefix: number, sub: number): Match | undefined {
  let best: Match | undefined;
  for (const t of terms) {
    const score = literal(q, t.norm, exact, prefix, sub);
    if (score > 0) best = better(best, { score, matchedOn: on, matchedText: t.text });
  }
  return best;
}

function matchPinyin(
  q: string,
  terms: PinyinTerm[],
  on: MatchedOn | undefined,
  tiers: { pyExact: number; pyPrefix: number; pySub: number; inExact: number; inPrefix: number; inSub: number },
): Match | undefined {
  let best: Match | undefined;
  for (const t of terms) {
    const py = literal(q, t.pinyin, tiers.pyExact, tiers.pyPrefix, q.length >= MIN_PINYIN_SUB ? tiers.pySub : 0);
    if (py > 0) best = better(best, { score: py, matchedOn: on ?? 'pinyin', matchedText: t.text });
    const ini = literal(q, t.initials, tiers.inExact, tiers.inPrefix, q.length >= MIN_INITIALS_SUB ? tiers.inSub : 0);
    if (ini > 0) best = better(best, { score: ini, matchedOn: on ?? 'initials', matchedText: t.text });
  }
  return best;
}

function matchEntry(q: string, latin: boolean, e: IndexedEntry): Match | undefined {
  let best: Match | undefined;
  best = better(best, matchLiteral(q, [e.name], 'name', TIER.nameExact, TIER.namePrefix, TIER.nameSub));
  best = better(best, matchLiteral(q, e.aliases, 'alias', TIER.aliasExact, TIER.aliasPrefix, TIER.aliasSub));
  best = better(best, matchLiteral(q, e.keywords, 'keyword', TIER.keywordExact, TIER.keywordPrefix, TIER.keywordSub));
  best = better(best, matchLiteral(q, e.departmentTerms, 'department', TIER.departmentExact, TIER.departmentPrefix, TIER.departmentSub));
  if (latin) {
    best = better(best, matchPinyin(q, [e.pinyinName], undefined, {
      pyExact: TIER.namePinyinExact, pyPrefix: TIER.namePinyinPrefix, pySub: TIER.namePinyinSub,
      inExact: TIER.nameInitialsExact, inPrefix: TIER.nameInitialsPrefix, inSub: TIER.nameInitialsSub,
    }));
    best = better(best, matchPinyin(q, e.pinyinAliases, undefined, {
      pyExact: TIER.aliasPinyinExact, pyPrefix: TIER.aliasPinyinPrefix, pySub: TIER.aliasPinyinSub,
      inExact: TIER.aliasInitialsExact, inPrefix: TIER.aliasInitialsPrefix, inSub: TIER.aliasInitialsSub,
    }));
    best = better(best, matchPinyin(q, e.pinyinKeywords, undefined, {
      pyExact: TIER.keywordPinyinExact, pyPrefix: TIER.keywordPinyinPrefix, pySub: TIER.keywordPinyinSub,
      inExact: TIER.keywordInitialsExact, inPrefix: TIER.keywordInitialsPrefix, inSub: 0,
    }));
    best = better(best, matchPinyin(q, [e.pinyinDepartment], 'department', {
      pyExact: TIER.departmentPinyinExact, pyPrefix: TIER.departmentPinyinPrefix, pySub: 0,
      inExact: TIER.departmentPinyinExact, inPrefix: TIER.departmentPinyinPrefix, inSub: 0,
    }));
  }
  return best;
}

/**
 * Search categories for a picker. Matches (case-insensitive, trimmed, full-width folded):
 * - Chinese substrings of name, aliases, keywords, department name/short/unit;
 * - latin queries against precomputed pinyin: initials exact/prefix/substring ("gs", "csgs"),
 *   full pinyin exact/prefix/substring ("gongshui", "chengshi").
 * Ranked: exact and prefix matches of name/alias above keyword and substring matches;
 * ties keep catalogue order.
 *
 * An empty query returns every category in catalogue order (score 0, matchedOn "name");
 * `limit` applies when given, otherwise all are returned. A non-empty query returns at
 * most `limit` (default 20) results.
 */
export function searchCategories(catalogue: Catalogue, query: string, limit?: number): CategorySearchResult[] {
  const { entries } = indexOf(catalogue);
  const q = normalizeSearchText(query);
  if (q === '') {
    return entries
      .slice(0, limit ?? entries.length)
      .map((e) => ({ category: e.category, department: e.department, score: 0, matchedOn: 'name', matchedText: e.category.name }));
  }
  const latinQuery = q.replace(/'/g, '');
  const latin = /^[a-z0-9]+$/.test(latinQuery);
  const hits: Array<{ entry: IndexedEntry; match: Match }> = [];
  for (const entry of entries) {
    const match = matchEntry(latin ? latinQuery : q, latin, entry);
    if (match) hits.push({ entry, match });
  }
  hits.sort((a, b) => b.match.score - a.match.score || a.entry.order - b.entry.order);
  return hits.slice(0, Math.max(0, limit ?? 20)).map(({ entry, match }) => ({
    category: entry.category,
    department: entry.department,
    score: match.score,
    matchedOn: match.matchedOn,
    matchedText: match.matchedText,
  }));
}

// ---------------------------------------------------------------------------------------
// Suggestions from free text
// ---------------------------------------------------------------------------------------

export interface CategorySuggestion {
  category: Category;
  department: Department;
  /** sum over matched terms of occurrences x term length (longer terms weigh more) */
  score: number;
  /** the catalogue terms (name, aliases, keywords) found in the text, best first */
  matched: string[];
}

/** Occurrences of a term counted at most this many times, so a repeated word does not swamp. */
const MAX_OCCURRENCES = 3;

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  let from = 0;
  while (count < MAX_OCCURRENCES) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) break;
    count++;
    from = at + needle.length;
  }
  return count;
}

/**
 * Suggest categories for a caller's free-text description (Chinese), e.g.
 * "小区主水管爆了，整栋楼停水" -> 城市供水. Each category scores the occurrences of its
 * name, aliases and keywords in the text, weighted by term length; categories scoring 0 are
 * left out. Ties keep catalogue order.
 */
export function suggestCategories(catalogue: Catalogue, text: string, limit = 3): CategorySuggestion[] {
  const haystack = normalizeSearchText(text);
  if (haystack === '') return [];
  const out: Array<CategorySuggestion & { order: number }> = [];
  for (const entry of indexOf(catalogue).entries) {
    let score = 0;
    const matched: Array<{ text: string; weight: number }> = [];
    for (const t of entry.suggestTerms) {
      const n = countOccurrences(haystack, t.norm);
      if (n === 0) continue;
      const weight = n * t.norm.length;
      score += weight;
      matched.push({ text: t.text, weight });
    }
    if (score > 0) {
      matched.sort((a, b) => b.weight - a.weight);
      out.push({ category: entry.category, department: entry.department, score, matched: matched.map((m) => m.text), order: entry.order });
    }
  }
  out.sort((a, b) => b.score - a.score || a.order - b.order);
  return out.slice(0, Math.max(0, limit)).map(({ order: _order, ...s }) => s);
}
