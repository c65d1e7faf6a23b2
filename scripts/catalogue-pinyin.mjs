// Core of scripts/build-catalogue-pinyin.mjs, kept pure so the test can import it.
//
// recompute(catalogue) returns a copy of resources/catalogue.json with every derived
// pinyin field (initials / pinyin / aliasInitials / aliasPinyin / keywordInitials /
// keywordPinyin) recomputed from the Chinese text with pinyin-pro, keys in canonical order.
// pinyin-pro is a devDependency: the runtime reads the precomputed fields only.
import { pinyin, customPinyin } from 'pinyin-pro';

/**
 * Corrections for words pinyin-pro reads wrongly in our context. Checked by eye against the
 * `--list` output of build-catalogue-pinyin.mjs; keep this list short and specific.
 */
export const CUSTOM_PINYIN = {
  // 着 in 生活无着 (no means of living, policy 四（一）) is zhuó; pinyin-pro says zhe.
  生活无着: 'shēng huó wú zhuó',
  // 窨 in 窨井 (manhole) is yìn; pinyin-pro says xūn (as in 窨茶).
  窨井: 'yìn jǐng',
};

let customised = false;
function ensureCustomPinyin() {
  if (!customised) {
    customPinyin(CUSTOM_PINYIN);
    customised = true;
  }
}

/** Keep only what a person can type into the search box. */
function asciiOnly(parts) {
  return parts.join('').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** 城市供水 -> "csgs" */
export function toInitials(text) {
  ensureCustomPinyin();
  return asciiOnly(pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' }));
}

/** 城市供水 -> "chengshigongshui"; ü is written v (旅游 -> "lvyou"), as people type it. */
export function toPinyin(text) {
  ensureCustomPinyin();
  return asciiOnly(pinyin(text, { toneType: 'none', type: 'array', v: true }));
}

/** Copy `obj` with `first` keys in this order, then any other keys (left for the schema to reject). */
function ordered(obj, first) {
  const out = {};
  for (const key of first) if (obj[key] !== undefined) out[key] = obj[key];
  for (const key of Object.keys(obj)) if (!(key in out)) out[key] = obj[key];
  return out;
}

const TOP_KEYS = ['schema', 'version', 'source', 'publishedScope', 'policeScope', 'departments'];
const DEPARTMENT_KEYS = ['code', 'name', 'short', 'initials', 'pinyin', 'clause', 'urgentDuty', 'categories'];
const CATEGORY_KEYS = [
  'code', 'name', 'unit', 'initials', 'pinyin',
  'aliases', 'aliasInitials', 'aliasPinyin',
  'keywords', 'keywordInitials', 'keywordPinyin',
  'alert', 'defaultUrgency',
];

function recomputeCategory(category) {
  const aliases = Array.isArray(category.aliases) ? category.aliases : [];
  const keywords = Array.isArray(category.keywords) ? category.keywords : [];
  return ordered(
    {
      ...category,
      initials: toInitials(String(category.name ?? '')),
      pinyin: toPinyin(String(category.name ?? '')),
      aliases,
      aliasInitials: aliases.map((a) => toInitials(String(a))),
      aliasPinyin: aliases.map((a) => toPinyin(String(a))),
      keywords,
      keywordInitials: keywords.map((k) => toInitials(String(k))),
      keywordPinyin: keywords.map((k) => toPinyin(String(k))),
      alert: category.alert ?? null,
    },
    CATEGORY_KEYS,
  );
}

function recomputeDepartment(department) {
  const categories = Array.isArray(department.categories) ? department.categories : [];
  return ordered(
    {
      ...department,
      initials: toInitials(String(department.short ?? '')),
      pinyin: toPinyin(String(department.short ?? '')),
      categories: categories.map(recomputeCategory),
    },
    DEPARTMENT_KEYS,
  );
}

/** A new catalogue with every derived pinyin field recomputed. Does not modify its argument. */
export function recompute(catalogue) {
  const departments = Array.isArray(catalogue.departments) ? catalogue.departments : [];
  return ordered({ ...catalogue, departments: departments.map(recomputeDepartment) }, TOP_KEYS);
}

/**
 * Every leaf where `actual` differs from `expected`, as lines like
 * `departments[2].categories[0].initials: "csgx" should be "csgs"`.
 */
export function diffCatalogue(actual, expected) {
  const out = [];
  const walk = (a, e, path) => {
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) {
        out.push(`${path}: ${JSON.stringify(a)} should be ${JSON.stringify(e)}`);
        return;
      }
      const n = Math.max(a.length, e.length);
      for (let i = 0; i < n; i++) walk(a[i], e[i], `${path}[${i}]`);
      return;
    }
    if (e !== null && typeof e === 'object') {
      if (a === null || typeof a !== 'object' || Array.isArray(a)) {
        out.push(`${path}: ${JSON.stringify(a)} should be ${JSON.stringify(e)}`);
        return;
      }
      const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
      for (const key of keys) walk(a[key], e[key], path ? `${path}.${key}` : key);
      return;
    }
    if (a !== e) out.push(`${path}: ${JSON.stringify(a)} should be ${JSON.stringify(e)}`);
  };
  walk(actual, expected, '');
  return out;
}

/** The on-disk form: 2-space JSON with a trailing newline. */
export function formatCatalogue(catalogue) {
  return `${JSON.stringify(catalogue, null, 2)}\n`;
}

/** Recompute and compare with the file text: the mismatches `--check` reports. */
export function checkCatalogueText(text) {
  const current = JSON.parse(text);
  const expected = recompute(current);
  const mismatches = diffCatalogue(current, expected);
  if (mismatches.length === 0 && formatCatalogue(expected) !== text) {
    mismatches.push('formatting differs from 2-space JSON (run node scripts/build-catalogue-pinyin.mjs)');
  }
  return mismatches;
}
