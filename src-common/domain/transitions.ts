/**
 * Which event may follow which: the one place that says what a case allows next.
 * Returns a plain-words reason when the event is not allowed, or null when it is.
 */
import type { CaseState } from './case-state';
import type { RelayEvent } from './events';
import { STATUS_LABELS, type Status } from './vocabulary';

const OPEN: ReadonlySet<Status> = new Set(['new', 'police', 'pending', 'transferred', 'assigned', 'acknowledged', 'returned', 'feedback']);

function notIn(state: CaseState, allowed: Status[], action: string): string | null {
  if (allowed.includes(state.status)) return null;
  return `工单当前为“${STATUS_LABELS[state.status]}”，不能${action}`;
}

export function refusalReason(state: CaseState | undefined, event: RelayEvent): string | null {
  if (event.type === 'shift.handover') return null;
  if (!state) {
    return event.type === 'case.created' ? null : '工单不存在，无法记录此操作';
  }
  switch (event.type) {
    case 'case.created':
      return '工单已存在，不能重复登记';
    case 'case.screened':
      return notIn(state, ['new', 'pending', 'police'], '甄别');
    case 'case.transferred':
      if (state.status !== 'pending') return notIn(state, ['pending'], '转办');
      if (state.screening?.verdict === 'police') return '警务类事项由 110 处置，不能转办';
      return null;
    case 'case.noteAdded':
      return null;
    case 'case.assigned':
      return notIn(state, ['pending', 'returned'], '派单');
    case 'case.acknowledged':
      if (event.payload.of === 'transfer') return notIn(state, ['transferred'], '签收转办');
      return notIn(state, ['assigned'], '签收派单');
    case 'case.returned':
      return notIn(state, ['transferred', 'assigned', 'acknowledged'], '退回');
    case 'case.feedback':
      if (state.status === 'assigned') return '尚未签收，不能反馈办理情况';
      return notIn(state, ['acknowledged', 'feedback'], '反馈');
    case 'case.extensionRequested':
      return notIn(state, ['acknowledged'], '申请延期');
    case 'case.extensionDecided':
      if (!state.extension || state.extension.granted !== null) return '没有待审批的延期申请';
      // once the department has reported, returned the case or it is closed, there is no
      // deadline left to move (a late approval would rewrite when the feedback was due)
      return notIn(state, ['acknowledged'], '审批延期');
    case 'case.urged':
      return OPEN.has(state.status) ? null : '工单已办结，无需督办';
    case 'case.callback':
      return notIn(state, ['feedback'], '回访');
    case 'case.closed':
      if (state.status === 'acknowledged' || state.status === 'assigned') return '尚未收到办理反馈，不能办结';
      return notIn(state, ['feedback', 'police'], '办结');
    case 'case.reopened':
      return notIn(state, ['closed'], '重办');
    case 'case.callJoined':
      return OPEN.has(state.status) ? null : '工单已办结，不能并单';
  }
}
