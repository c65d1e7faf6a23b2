/** One line of plain Chinese for each event in a case's timeline. */
import {
  FEEDBACK_RESULT_LABELS,
  SATISFACTION_LABELS,
  VERDICT_LABELS,
  type RelayEvent,
} from '../../../src-common/domain';
import { formatTime } from '../app/format';

export function describeEvent(e: RelayEvent): string {
  switch (e.type) {
    case 'case.created':
      return `${e.payload.station.name} 受理：${e.payload.description}`;
    case 'case.screened':
      return `${VERDICT_LABELS[e.payload.verdict]}${e.payload.reason ? `（${e.payload.reason}）` : ''}`;
    case 'case.transferred':
      return `转办至 ${e.payload.to.name}${e.payload.threeWayCall ? '，已三方通话' : '，电子移交'}；签收时限 ${formatTime(e.payload.ackDueBy)}${e.payload.note ? `；${e.payload.note}` : ''}`;
    case 'case.noteAdded':
      return e.payload.text;
    case 'case.assigned':
      return `派单至 ${e.payload.lead.name}${e.payload.assisting.length ? `，协办：${e.payload.assisting.map((a) => a.name).join('、')}` : ''}；反馈时限 ${formatTime(e.payload.feedbackDueBy)}`;
    case 'case.acknowledged':
      return `${e.payload.station.name} 签收${e.payload.of === 'transfer' ? '转办' : '派单'}`;
    case 'case.returned':
      return `${e.payload.station.name} 退回：${e.payload.reason}`;
    case 'case.feedback':
      return `${e.payload.station.name} 反馈（${FEEDBACK_RESULT_LABELS[e.payload.result]}）：${e.payload.text}`;
    case 'case.extensionRequested':
      return `申请延期至 ${formatTime(e.payload.until)}：${e.payload.reason}`;
    case 'case.extensionDecided':
      return e.payload.granted ? `同意延期至 ${formatTime(e.payload.until)}` : `不同意延期${e.payload.reason ? `：${e.payload.reason}` : ''}`;
    case 'case.urged':
      return e.payload.text;
    case 'case.callback':
      return `回访：${SATISFACTION_LABELS[e.payload.satisfaction]}${e.payload.text ? `，${e.payload.text}` : ''}`;
    case 'case.closed':
      return `办结${e.payload.summary ? `：${e.payload.summary}` : ''}`;
    case 'case.reopened':
      return `重办：${e.payload.reason}`;
    case 'case.callJoined':
      return `并入来电：${e.payload.description}`;
    case 'shift.handover':
      return '交接班';
  }
}
