/**
 * Pull cursors. Every event a station may see has a delivery position:
 * `pos = max(hub_seq, granted_seq of its case for this station)`: an event committed after
 * the station gained the case is delivered at its own hub_seq; the case's earlier events are
 * delivered at the grant. Pages run in (pos, hub_seq) order, so the cursor is that pair:
 * written "P" when the page ended on an event delivered at its own hub_seq (P = that
 * hub_seq; the common case, and what a station starting from nothing sends: "0"), else
 * "P.H". Stations treat it as opaque text.
 */
import { CURSOR_PATTERN } from '../../src-common/protocol/v1';

export interface Cursor {
  pos: number;
  hubSeq: number;
}

const CURSOR = CURSOR_PATTERN;

export const START: Cursor = { pos: 0, hubSeq: 0 };

/** Parse a cursor; null when malformed. Absent or empty means the start. */
export function parseCursor(text: string | undefined): Cursor | null {
  if (text === undefined || text === '') return START;
  const m = CURSOR.exec(text);
  if (!m) return null;
  const pos = Number(m[1]);
  const hubSeq = m[2] === undefined ? pos : Number(m[2]);
  if (hubSeq > pos) return null;
  return { pos, hubSeq };
}

export function formatCursor(c: Cursor): string {
  return c.hubSeq === c.pos ? String(c.pos) : `${c.pos}.${c.hubSeq}`;
}

export function compareCursor(a: Cursor, b: Cursor): number {
  return a.pos - b.pos || a.hubSeq - b.hubSeq;
}
