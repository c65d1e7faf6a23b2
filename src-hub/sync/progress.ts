/**
 * Which of a station's own sequence numbers the hub has settled — holds, or refused for good
 * (a refused seq is never sent again): `contiguousSeq` (every seq up to it is settled) and the
 * gaps (inclusive ranges missing below the highest settled: to be sent again). Kept per
 * station in station_progress so each push looks only above the contiguous prefix (the push
 * reads it in batch-context.ts and writes it in batch-write.ts).
 */

export interface Progress {
  contiguousSeq: number;
  gaps: Array<{ from: number; to: number }>;
}

/** Pure: progress from the settled seqs above a known contiguous prefix. */
export function progressFrom(contiguous: number, settledAbove: readonly number[]): Progress {
  const seqs = [...new Set(settledAbove.filter((s) => s > contiguous))].sort((a, b) => a - b);
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
