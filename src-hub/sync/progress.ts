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

/** Bring the station's progress up to date (inside the push transaction) and return it. */
export async function updateProgress(tx: Queryable, stationId: string): Promise<Progress> {
  const row = await tx.query<{ contiguous_seq: number }>('SELECT contiguous_seq FROM station_progress WHERE station_id = $1', [stationId]);
  const before = row[0] ? Number(row[0].contiguous_seq) : 0;
  const above = await tx.query<{ seq: number }>('SELECT seq FROM events WHERE station_id = $1 AND seq > $2 ORDER BY seq', [stationId, before]);
  const progress = progressFrom(
    before,
    above.map((r) => Number(r.seq)),
  );
  if (!row[0]) {
    await tx.query('INSERT INTO station_progress (station_id, contiguous_seq) VALUES ($1, $2)', [stationId, progress.contiguousSeq]);
  } else if (progress.contiguousSeq !== before) {
    await tx.query('UPDATE station_progress SET contiguous_seq = $2 WHERE station_id = $1', [stationId, progress.contiguousSeq]);
  }
  return progress;
}
