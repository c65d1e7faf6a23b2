/**
 * Masking personal data on paper (脱敏). A printed sheet lies on a duty-room desk and in a
 * binder; it shows only as much of a caller as the next shift needs to recognise the case.
 * The full data stays in the desk, behind its login.
 *
 * The rules:
 * - mobile 11 digits: first 3 and last 4 kept, `13812341234` -> `138****1234`;
 * - landline with area code: the area code kept, the first 4 digits of the local number
 *   starred, the rest kept (3 or 4 digits): `0539-8123456` -> `0539-****456`,
 *   `010-12345678` -> `010-****5678`; without a hyphen the area code is 3 digits for
 *   010 and 02x, otherwise 4 (`05398123456` -> `0539****456`);
 * - a local number of 7–8 digits without area code: the first 4 starred;
 * - short service numbers (3–6 digits: 110, 12345, 95598) are not personal: kept;
 * - anything else: every character but the last 2 starred; a number already masked is kept;
 * - name: the first character kept, every other starred (`张三` -> `张*`,
 *   `欧阳修远` -> `欧***`); a one-character name (a surname alone) is kept;
 * - anonymous caller: `匿名` whatever the record holds;
 * - a confidential caller (保密) is masked on every sheet, masked or not (buildHandoverSheet
 *   does it);
 * - phone numbers inside free text (a description, a return reason) are masked the same way;
 * - addresses are kept as they are: a handover item names a place someone must go to
 *   (a burst main, a blocked drain), and the next shift must be able to act on it from the
 *   sheet. An address names a place, not the caller; the caller's name and number are what
 *   is masked.
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import type { HandoverSheet } from './handover-sheet';

export const ANONYMOUS_LABEL = '匿名';

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^(0\d{2,3})(-?)(\d{7,8})$/;
const LOCAL = /^\d{7,8}$/;
const SERVICE = /^\d{3,6}$/;

function star(n: number): string {
  return '*'.repeat(Math.max(0, n));
}

/** The local part of a landline: its first 4 digits starred, the rest (3 or 4) kept. */
function maskLocal(local: string): string {
  return star(4) + local.slice(4);
}

/** Area code of a landline written without a hyphen: 3 digits for 010 and 02x, else 4. */
function splitAreaCode(digits: string): [string, string] {
  const len = /^0[12]/.test(digits) ? 3 : 4;
  return [digits.slice(0, len), digits.slice(len)];
}

/** A mobile written with the country code or in groups: `+86 139 1234 5678`, `008613912345678`. */
const MOBILE_WRITTEN = /^(\+86|0086|86)?[\s-]*(1[3-9]\d)[\s-]*(\d{4})[\s-]*(\d{4})$/;

/** Mask one phone number (see the module rules). '' stays ''. */
export function maskPhone(phone: string): string {
  const p = phone.trim();
  if (p === '' || p.includes('*')) return p; // empty, or masked already
  if (MOBILE.test(p)) return `${p.slice(0, 3)}****${p.slice(7)}`;
  const written = MOBILE_WRITTEN.exec(p);
  if (written) {
    const [, country, head, , tail] = written;
    return `${country ? `${country} ` : ''}${head}****${tail}`;
  }
  const land = LANDLINE.exec(p);
  if (land) {
    const [, area, hyphen, local] = land;
    if (hyphen) return `${area}-${maskLocal(local!)}`;
    const [a, l] = splitAreaCode(p);
    if (l.length >= 7 && l.length <= 8) return `${a}${maskLocal(l)}`;
  }
  if (LOCAL.test(p)) return maskLocal(p);
  if (SERVICE.test(p)) return p;
  const chars = Array.from(p);
  return star(chars.length - 2) + chars.slice(-2).join('');
}

/** Mask a person's name: first character kept, the others starred. '' stays ''. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.join('');
  return chars[0]! + star(chars.length - 1);
}

/** The caller's name as printed on a masked sheet: 匿名, or the masked name. */
export function maskCallerName(caller: { name: string; anonymous: boolean }): string {
  return caller.anonymous ? ANONYMOUS_LABEL : maskName(caller.name);
}

/**
 * Phone numbers inside free text, not part of a longer number: mobiles (also with +86 or 0086,
 * and in groups: `139 1234 5678`, `139-1234-5678`) and landlines with area code.
 */
const PHONE_IN_TEXT = /(?<![\d*])(?:(?:\+86|0086)[\s-]*)?(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-\d{7,8}|0\d{9,11})(?![\d*])/g;

/** Mask every mobile or landline number found in free text (descriptions, reasons, notes). */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => maskPhone(m));
}

/**
 * Free text about a caller as it goes on paper masked: every phone number masked, and the
 * caller's own name (two characters or more) masked wherever it is written out.
 */
export function maskCallerInText(text: string, caller: { name: string; anonymous: boolean }): string {
  let out = maskPhonesInText(text);
  const name = caller.name.trim();
  if (Array.from(name).length >= 2 && !name.includes('*')) out = out.split(name).join(caller.anonymous ? ANONYMOUS_LABEL : maskName(name));
  return out;
}

/**
 * The sheet as it goes on paper by default: every personal field masked, `masked: true`.
 * Masked fields: each open item's caller name and phone, phone numbers inside the item
 * summary, inside return/reassignment reasons and inside the notes. Addresses, station names
 * and operators (staff on duty, who sign the sheet) are kept. A sheet already masked comes
 * back unchanged.
 */
export function maskSheet(sheet: HandoverSheet): HandoverSheet {
  if (sheet.masked) return sheet;
  return {
    ...sheet,
    masked: true,
    openItems: sheet.openItems.map((item) => ({
      ...item,
      caller: {
        ...item.caller,
        name: item.caller.anonymous ? ANONYMOUS_LABEL : maskName(item.caller.name),
        phone: maskPhone(item.caller.phone),
      },
      summary: maskCallerInText(item.summary, item.caller),
    })),
    changes: sheet.changes.map((c) => ({ ...c, reason: maskPhonesInText(c.reason) })),
    notes: maskPhonesInText(sheet.notes),
  };
}
