/**
 * Likely duplicates (疑似重复): another call about a matter already on file, so the operator
 * can join it to the open case (并单) instead of opening a second one. A suggestion only.
 *
 * A candidate case matches the draft when
 * - **same caller phone**: the same non-empty number (digits compared, so 0539-8123456 =
 *   05398123456), on a case received within `phoneWindowMs` (72 h); or
 * - **same category, same place**: both have the same category, the same district, the case
 *   was received within `windowMs` (24 h), and the addresses point to one place: a shared
 *   estate/building name (…小区, …花园, …大厦, …村 …), the same road and number (通达路100号),
 *   Chinese bigram Jaccard similarity >= 0.5, or coordinates within `maxDistanceMeters` (300 m).
 *
 * Closed cases: left out, except those closed within `windowMs` (24 h): a new call about a
 * matter closed this morning is most likely the same matter come back, and the operator may
 * reopen it (重办) rather than start again. They are flagged `closed` and ranked after open ones.
 *
 * Pure: the store supplies the candidates (e.g. the open cases of the district and the
 * cases with the same phone).
 */
import type { CaseState } from './case-state';

const HOUR = 60 * 60_000;

export const DUPLICATE_WINDOW_MS = 24 * HOUR;
export const DUPLICATE_PHONE_WINDOW_MS = 72 * HOUR;
export const DUPLICATE_MAX_DISTANCE_METERS = 300;
export const ADDRESS_SIMILARITY_THRESHOLD = 0.5;

/** What is known of the new call (an IntakeDraft fits). */
export interface DuplicateProbe {
  callerPhone?: string;
  category: string | null;
  address: string;
  district: string;
  lat?: number;
  lng?: number;
  /** when checking an existing case, its id, so it does not match itself */
  caseId?: string;
}

export type DuplicateCandidate = Pick<
  CaseState,
  'id' | 'caseNo' | 'status' | 'caller' | 'category' | 'location' | 'receivedAt' | 'closedAt'
>;

export type DuplicateReason =
  | { kind: 'samePhone'; text: string }
  | { kind: 'samePlace'; via: 'placeName' | 'roadNumber' | 'coordinates' | 'similarAddress'; text: string; similarity?: number; distanceMeters?: number };

export interface DuplicateMatch<C extends DuplicateCandidate = DuplicateCandidate> {
  candidate: C;
  reasons: DuplicateReason[];
  /** higher is likelier: phone 3, place name / road number / coordinates 2, similar address 1 + similarity */
  score: number;
  /** closed (within the window): offer reopening rather than joining */
  closed: boolean;
}

export interface DuplicateOptions {
  now: number | string | Date;
  windowMs?: number;
  phoneWindowMs?: number;
  maxDistanceMeters?: number;
  /** at most this many results (default 10) */
  limit?: number;
}

// ---------------------------------------------------------------------------------------
// Address helpers
// ---------------------------------------------------------------------------------------

/** Digits only; '' for no number. */
export function normalizePhone(phone: string | undefined | null): string {
  return (phone ?? '').replace(/\D/g, '');
}

const CJK = /[\u4e00-\u9fff]/;
/** A name never runs across these: they end a road, a number, an administrative area. */
const NAME_BOUNDARY = new Set([...'路街道巷号弄栋幢楼室区县市省镇乡里']);
const PLACE_SUFFIX = /(小区|花园|家园|公寓|大厦|广场|新村|社区|苑|村|府|院|城)/g;
const ROAD_NUMBER = /(大道|大街|路|街|巷)(\d+)号/g;

/** NFKC, no whitespace or punctuation, without the district (and a leading city) name. */
export function normalizeAddress(address: string, district = ''): string {
  let s = address.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '');
  const d = district.normalize('NFKC').replace(/\s/g, '');
  s = s.replace(/^[\u4e00-\u9fff]{2,3}省/, '');
  s = s.replace(/^[\u4e00-\u9fff]{2,4}市(?=[\u4e00-\u9fff]{1,4}[区县])/, '');
  if (d && s.startsWith(d)) s = s.slice(d.length);
  return s;
}

/** The Chinese name that ends just before `end` (walking back to a boundary). */
function nameBefore(s: string, end: number): string {
  let start = end;
  while (start > 0) {
    const ch = s[start - 1]!;
    if (!CJK.test(ch) || NAME_BOUNDARY.has(ch)) break;
    start--;
  }
  return s.slice(start, end);
}

/** Estate and building names in a normalised address: 金雀山小区, 幸福家园, 人民医院 … */
export function placeNames(normalized: string): string[] {
  const out = new Set<string>();
  for (const m of normalized.matchAll(PLACE_SUFFIX)) {
    const core = nameBefore(normalized, m.index);
    if (core.length >= 2) out.add(core + m[1]);
  }
  return [...out];
}

/** Road and number: 通达路100号 */
function roadNumbers(normalized: string): string[] {
  const out = new Set<string>();
  for (const m of normalized.matchAll(ROAD_NUMBER)) {
    const core = nameBefore(normalized, m.index);
    if (core.length >= 1) out.add(`${core}${m[1]}${m[2]}号`);
  }
  return [...out];
}

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < s.length; i++) out.add(s.slice(i, i + 2));
  return out;
}

/** Jaccard similarity of the character bigrams of two normalised addresses (0..1). */
export function addressSimilarity(a: string, b: string): number {
  const A = bigrams(a);
  const B = bigrams(b);
  if (A.size === 0 || B.size === 0) return a !== '' && a === b ? 1 : 0;
  let both = 0;
  for (const x of A) if (B.has(x)) both++;
  return both / (A.size + B.size - both);
}

/** Great-circle distance in metres. */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Why two addresses of one district name one place, or null. */
function samePlace(
  probe: DuplicateProbe,
  loc: DuplicateCandidate['location'],
  maxDistance: number,
): Extract<DuplicateReason, { kind: 'samePlace' }> | null {
  if (probe.lat !== undefined && probe.lng !== undefined && loc.lat !== undefined && loc.lng !== undefined) {
    const d = distanceMeters({ lat: probe.lat, lng: probe.lng }, { lat: loc.lat, lng: loc.lng });
    if (d <= maxDistance) {
      return { kind: 'samePlace', via: 'coordinates', distanceMeters: Math.round(d), text: `同类诉求，相距约 ${Math.round(d)} 米` };
    }
  }
  const a = normalizeAddress(probe.address, probe.district);
  const b = normalizeAddress(loc.address, loc.district);
  const names = new Set(placeNames(b));
  const shared = placeNames(a).find((n) => names.has(n));
  if (shared) return { kind: 'samePlace', via: 'placeName', text: `同类诉求，同在“${shared}”` };
  const roads = new Set(roadNumbers(b));
  const road = roadNumbers(a).find((r) => roads.has(r));
  if (road) return { kind: 'samePlace', via: 'roadNumber', text: `同类诉求，同在“${road}”` };
  const similarity = addressSimilarity(a, b);
  if (similarity >= ADDRESS_SIMILARITY_THRESHOLD) {
    return { kind: 'samePlace', via: 'similarAddress', similarity, text: `同类诉求，地址相近（相似度 ${Math.round(similarity * 100)}%）` };
  }
  return null;
}

function norm(s: string): string {
  return s.normalize('NFKC').replace(/\s/g, '');
}

// ---------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------

/**
 * Candidates that are likely the same matter as the draft, best first: open before closed,
 * then by score, then the most recently received.
 */
export function findLikelyDuplicates<C extends DuplicateCandidate>(
  draft: DuplicateProbe,
  candidates: readonly C[],
  options: DuplicateOptions,
): Array<DuplicateMatch<C>> {
  const now = typeof options.now === 'number' ? options.now : new Date(options.now).getTime();
  const windowMs = options.windowMs ?? DUPLICATE_WINDOW_MS;
  const phoneWindowMs = options.phoneWindowMs ?? DUPLICATE_PHONE_WINDOW_MS;
  const maxDistance = options.maxDistanceMeters ?? DUPLICATE_MAX_DISTANCE_METERS;
  const phone = normalizePhone(draft.callerPhone);
  const out: Array<DuplicateMatch<C>> = [];
  for (const c of candidates) {
    if (draft.caseId && c.id === draft.caseId) continue;
    const closed = c.status === 'closed';
    if (closed && (!c.closedAt || Date.parse(c.closedAt) < now - windowMs)) continue;
    const received = Date.parse(c.receivedAt);
    const reasons: DuplicateReason[] = [];
    let score = 0;
    if (phone !== '' && normalizePhone(c.caller.phone) === phone && received >= now - phoneWindowMs) {
      reasons.push({ kind: 'samePhone', text: `同一来电号码（${c.caller.phone}）` });
      score += 3;
    }
    if (
      draft.category !== null &&
      draft.category === c.category &&
      norm(draft.district) !== '' &&
      norm(draft.district) === norm(c.location.district) &&
      received >= now - windowMs
    ) {
      const place = samePlace(draft, c.location, maxDistance);
      if (place) {
        reasons.push(place);
        score += place.via === 'similarAddress' ? 1 + (place.similarity ?? 0) : 2;
      }
    }
    if (reasons.length > 0) out.push({ candidate: c, reasons, score, closed });
  }
  out.sort(
    (x, y) =>
      Number(x.closed) - Number(y.closed) ||
      y.score - x.score ||
      Date.parse(y.candidate.receivedAt) - Date.parse(x.candidate.receivedAt),
  );
  return out.slice(0, options.limit ?? 10);
}
