// Types for scripts/catalogue-pinyin.mjs (imported by test/domain/catalogue-pinyin.test.ts).

/** Word -> toned pinyin corrections passed to pinyin-pro's customPinyin. */
export declare const CUSTOM_PINYIN: Readonly<Record<string, string>>;
/** Pinyin initials, lower-case ascii: 城市供水 -> "csgs". */
export declare function toInitials(text: string): string;
/** Full toneless pinyin without spaces, ü as v: 城市供水 -> "chengshigongshui". */
export declare function toPinyin(text: string): string;
/** A copy of the catalogue with every derived pinyin field recomputed, keys in canonical order. */
export declare function recompute<T>(catalogue: T): T;
/** Leaf-by-leaf differences, one line each: `path: actual should be expected`. */
export declare function diffCatalogue(actual: unknown, expected: unknown): string[];
/** 2-space JSON with a trailing newline. */
export declare function formatCatalogue(catalogue: unknown): string;
/** Mismatches between a catalogue.json text and its recomputed form (empty when in sync). */
export declare function checkCatalogueText(text: string): string[];
