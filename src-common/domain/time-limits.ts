/**
 * Time limits for hand-overs. Part 1 needs only the acknowledgement limit of a transfer;
 * the full rules (working-day calendar, feedback, extensions) grow here, in this one place.
 */
import type { Urgency } from './vocabulary';

const MINUTE = 60_000;

/** How long the receiving side has to acknowledge a transfer (签收). */
export const TRANSFER_ACK_LIMIT_MS: Record<Urgency, number> = {
  urgent: 5 * MINUTE,
  normal: 30 * MINUTE,
};

export function transferAckDueBy(at: string, urgency: Urgency): string {
  return new Date(Date.parse(at) + TRANSFER_ACK_LIMIT_MS[urgency]).toISOString();
}

export type DeadlineState = 'none' | 'onTime' | 'dueSoon' | 'overdue';
export const DEADLINE_LABELS: Record<DeadlineState, string> = {
  none: '—',
  onTime: '正常',
  dueSoon: '即将到期',
  overdue: '已超时',
};

/** On time, due soon (within a quarter of the limit or 2 h, whichever is less), or overdue. */
export function deadlineState(dueAt: string | null, now: number, soonMs = 2 * 60 * MINUTE): DeadlineState {
  if (!dueAt) return 'none';
  const due = Date.parse(dueAt);
  if (now > due) return 'overdue';
  if (due - now <= soonMs) return 'dueSoon';
  return 'onTime';
}
