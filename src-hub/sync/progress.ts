/**
 * Which of a station's own sequence numbers the hub holds: `contiguousSeq` (every seq up to
 * it is held) and the gaps (inclusive ranges missing below the highest held). Kept per
 * station in station_progress so each push looks only above the contiguous prefix.
 */
import type { Queryable } from '../db/database';

export interface Progress {
  contiguousSeq: number;
  gaps: Array<{ from: number; to: number }>;
}

/** Pure: progress from the held seqs above a known contiguous prefix. */
export function progressFrom(contiguous: number, heldAbove: readonly number[]): Progress {
  const seqs = [...new Set(heldAbove.filter((s) => s > contiguous))].sort((a, b) => a - b);
  let c = contiguous;
  let i = 0;
  while (i < seqs.length && seqs[i] === c + 1) {
    c++;
    i++;
  }
  const gaps: Progress['gaps'] = [];
  let prev = c;
  for (; i < seqs.length; i++) {
    const s = seqs[i]!;
    if (s > prev + 1) gaps.push({ from: prev + 1, to: s - 1 });
    prev = s;
  }
  return { contiguousSeq: c, gaps };
}

/**
 * Write the station's progress after a push (inside its transaction) and return it, from what
 * the push read under the lock: the contiguous prefix before, and every held seq above it
 * (those held before and those just accepted).
 */
export async function writeProgress(
  tx: Queryable,
  stationId: string,
  before: number,
  heldAbove: readonly number[],
  hasRow: boolean,
): Promise<Progress> {
  const progress = progressFrom(before, heldAbove);
  if (!hasRow) {
    await tx.query('INSERT INTO station_progress (station_id, contiguous_seq) VALUES ($1, $2)', [stationId, progress.contiguousSeq]);
  } else if (progress.contiguousSeq !== before) {
    await tx.query('UPDATE station_progress SET contiguous_seq = $2 WHERE station_id = $1', [stationId, progress.contiguousSeq]);
  }
  return progress;
}
