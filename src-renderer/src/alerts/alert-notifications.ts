/** Turning the alerts due to sound into native notifications, without a storm of pop-ups. */
import type { NotifyRequest } from '../../../src-common/contract/shell';
import type { Alert } from '../../../src-common/domain';

/** At most this many separate notifications at once; beyond it, one summary (no storm of pop-ups). */
export const MAX_SEPARATE_NOTIFICATIONS = 3;

/** The native notifications for the alerts due to sound now: one each, or one summary when many. */
export function notificationsFor(toSound: readonly Alert[]): NotifyRequest[] {
  if (toSound.length <= MAX_SEPARATE_NOTIFICATIONS) {
    return toSound.map((a) => ({ id: a.id, title: a.title, body: a.body, caseId: a.caseId, urgent: a.urgent }));
  }
  const ordered = [...toSound].sort((a, b) => Number(b.urgent) - Number(a.urgent));
  const first = ordered[0]!;
  const urgent = ordered.filter((a) => a.urgent).length;
  return [
    {
      id: 'relay:summary',
      title: `${toSound.length} 项提醒待处理${urgent ? `（紧急 ${urgent} 项）` : ''}`,
      body: ordered
        .slice(0, 4)
        .map((a) => `${a.title}${a.caseNo ? ` ${a.caseNo}` : ''}`)
        .join('\n')
        .slice(0, 1900),
      caseId: first.caseId,
      urgent: urgent > 0,
    },
  ];
}
