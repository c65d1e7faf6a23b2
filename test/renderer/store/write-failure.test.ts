import { afterEach, describe, expect, it } from 'vitest';
import { DomainError, HOTLINE_TARGET, intakeCommands, ValidationError, type IntakeDraft, type Station } from '../../../src-common/domain';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { describeWriteFailure } from '../../../src-renderer/src/store/write-failure';
import { P110, stationOf } from '../../domain/fixtures';
import { dump, freshDb } from './helpers';

const desk: Station = stationOf(P110, 'police110', '王强');
const draft: IntakeDraft = {
  channel: 'call110',
  receivedAt: '2026-03-02T07:59:00.000Z',
  callerName: '张三',
  callerPhone: '13912345678',
  anonymous: false,
  confidential: false,
  address: '兰山区通达路 100 号',
  district: '兰山区',
  nature: 'help',
  category: 'utility.water',
  urgency: 'normal',
  description: '小区停水，楼道积水',
  verdict: 'nonPolice',
  verdictReason: '',
  transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
};

const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

describe('describeWriteFailure', () => {
  it('passes a refusal by the rules through as it is: it already speaks to the operator', () => {
    expect(describeWriteFailure(new DomainError('此工单已办结，不能再转办'))).toBe('此工单已办结，不能再转办');
    const invalid = new ValidationError([{ path: 'callerPhone', message: '联系电话格式不对' }]);
    expect(describeWriteFailure(invalid, '并单')).toBe(invalid.message);
  });

  it.each([
    ['the IndexedDB error', { name: 'QuotaExceededError', message: 'The quota has been exceeded.' }],
    ['wrapped by Dexie in an abort', { name: 'AbortError', message: 'Transaction aborted', inner: { name: 'QuotaExceededError', message: 'The quota has been exceeded.' } }],
  ])('a full disk (%s): says so, that nothing changed and the form is kept, with the detail', (_, error) => {
    const text = describeWriteFailure(error, '保存');
    expect(text).toMatch(/^磁盘空间不足，未能保存，本机数据没有任何改动（屏幕上填写的内容仍在）/);
    expect(text).toContain('The quota has been exceeded.');
  });

  it('a database closed under the desk (a real Dexie error): tells the operator to note the form and reopen', async () => {
    const db = freshDb();
    opened.push(db);
    await db.open();
    db.close();
    const error = await recordCommands(db, { station: desk }, intakeCommands(draft, desk, '20260302-p110-lanshan-0001', new Date('2026-03-02T08:00:00Z'))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    const text = describeWriteFailure(error, '保存');
    expect(text).toMatch(/^本机数据库已关闭.*未能保存，本机数据没有任何改动。请先把屏幕上填写的内容记下，再重新打开本程序/);
    await db.open();
    const held = await dump(db);
    expect(held.events).toEqual([]);
    expect(held.cases).toEqual([]);
  });

  it('anything else: names the act, says nothing changed, and keeps the detail; never a double prefix', () => {
    const text = describeWriteFailure(new Error('Transaction aborted'), '并单');
    expect(text).toBe('未能并单，本机数据没有任何改动（屏幕上填写的内容仍在），请重试。（Transaction aborted）');
    expect(describeWriteFailure('plain string', '确认交班')).toContain('（plain string）');
  });
});
