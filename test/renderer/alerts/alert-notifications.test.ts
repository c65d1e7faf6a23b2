import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src-common/domain';
import { MAX_SEPARATE_NOTIFICATIONS, notificationsFor } from '../../../src-renderer/src/alerts/alert-notifications';

function alert(i: number, urgent: boolean): Alert {
  return { id: `c${i}:overdue`, kind: 'overdue', caseId: `case-${i}`, caseNo: `NO-${i}`, title: urgent ? '紧急工单已超时' : '工单已超时', body: `第 ${i} 件`, urgent, repeatEveryMs: null, dueAt: null };
}

describe('notificationsFor', () => {
  it('one native notification per alert when there are few', () => {
    const list = [alert(1, true), alert(2, false)];
    expect(notificationsFor(list)).toEqual([
      { id: 'c1:overdue', title: '紧急工单已超时', body: '第 1 件', caseId: 'case-1', urgent: true },
      { id: 'c2:overdue', title: '工单已超时', body: '第 2 件', caseId: 'case-2', urgent: false },
    ]);
  });

  it('one summary, opening the most urgent case, when many sound at once', () => {
    const list = [alert(1, false), alert(2, false), alert(3, true), alert(4, false), alert(5, true)];
    expect(list.length).toBeGreaterThan(MAX_SEPARATE_NOTIFICATIONS);
    const out = notificationsFor(list);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ title: '5 项提醒待处理（紧急 2 项）', caseId: 'case-3', urgent: true });
    expect(out[0]!.body).toContain('NO-3');
  });

  it('nothing to sound, nothing shown', () => {
    expect(notificationsFor([])).toEqual([]);
  });
});
