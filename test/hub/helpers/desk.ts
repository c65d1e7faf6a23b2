/**
 * A station as the hub sees it: its registry entry, its token, and events it records,
 * numbered by its own sequence (seq from 1 across all its cases), each one valid
 * (parseEvent).
 */
import {
  parseEvent,
  ulid,
  type EventType,
  type HandoverTarget,
  type PayloadInput,
  type RelayEvent,
  type Role,
} from '../../../src-common/domain';
import type { StationInfo } from '../../../src-common/protocol/v1';

const T0 = Date.parse('2026-03-02T08:00:00.000Z');
let clock = 0;
/** strictly increasing times, one minute apart */
function nextTime(): number {
  clock += 60_000;
  return T0 + clock;
}

export class Desk {
  seq = 0;
  token = '';

  constructor(readonly info: StationInfo) {}

  static of(stationId: string, role: Role, district = '兰山区', department: string | null = null, name?: string): Desk {
    return new Desk({ stationId, name: name ?? `${district}${stationId}`, role, district, department });
  }

  get ref() {
    return { stationId: this.info.stationId, name: this.info.name };
  }

  /** A valid event of this station (its next seq); `over` changes the envelope. */
  event<T extends EventType>(caseId: string, type: T, payload: PayloadInput<T>, over: Record<string, unknown> = {}): RelayEvent<T> {
    const at = nextTime();
    return parseEvent({
      v: 1,
      id: ulid(at),
      caseId,
      stationId: this.info.stationId,
      operator: '值班员甲',
      seq: ++this.seq,
      at: new Date(at).toISOString(),
      type,
      payload,
      ...over,
    }) as RelayEvent<T>;
  }

  created(description = '小区自来水管道爆裂，楼道积水，整栋楼停水', caseId: string = ulid()): RelayEvent<'case.created'> {
    const role = this.info.role;
    return this.event(caseId, 'case.created', {
      caseNo: `20260302-${this.info.stationId}-${String(this.seq + 1).padStart(4, '0')}`,
      intakeRole: role,
      station: this.ref,
      channel: role === 'police110' ? 'call110' : 'call12345',
      receivedAt: new Date(T0).toISOString(),
      caller: { name: '张三', phone: '13912345678', anonymous: false, confidential: false },
      location: { address: '兰山区通达路 100 号金雀山小区', district: this.info.district },
      nature: 'help',
      category: 'utility.water',
      urgency: 'normal',
      description,
    });
  }

  screened(caseId: string): RelayEvent<'case.screened'> {
    return this.event(caseId, 'case.screened', { verdict: 'nonPolice', reason: '供水设施故障，非警务' });
  }

  transferred(caseId: string, to: HandoverTarget): RelayEvent<'case.transferred'> {
    return this.event(caseId, 'case.transferred', { to, threeWayCall: true, note: '', ackDueBy: new Date(T0 + 3_600_000).toISOString() });
  }

  acknowledged(caseId: string, of: 'transfer' | 'assignment'): RelayEvent<'case.acknowledged'> {
    return this.event(caseId, 'case.acknowledged', { of, station: this.ref });
  }

  assigned(caseId: string, lead: HandoverTarget, assisting: HandoverTarget[] = []): RelayEvent<'case.assigned'> {
    return this.event(caseId, 'case.assigned', {
      lead,
      assisting,
      note: '请立即处置',
      ackDueBy: new Date(T0 + 3_600_000).toISOString(),
      feedbackDueBy: new Date(T0 + 86_400_000).toISOString(),
    });
  }

  feedback(caseId: string): RelayEvent<'case.feedback'> {
    return this.event(caseId, 'case.feedback', { result: 'resolved', text: '已关阀抢修，恢复供水', station: this.ref });
  }

  extensionRequested(caseId: string, until: string): RelayEvent<'case.extensionRequested'> {
    return this.event(caseId, 'case.extensionRequested', { reason: '需更换主管道，材料待调拨', until });
  }

  extensionDecided(caseId: string, granted: boolean, until: string | null): RelayEvent<'case.extensionDecided'> {
    return this.event(caseId, 'case.extensionDecided', { granted, until, reason: '' });
  }

  closed(caseId: string): RelayEvent<'case.closed'> {
    return this.event(caseId, 'case.closed', { summary: '已办结' });
  }

  note(caseId: string, text = '已电话联系来电人'): RelayEvent<'case.noteAdded'> {
    return this.event(caseId, 'case.noteAdded', { text });
  }

  urged(caseId: string): RelayEvent<'case.urged'> {
    return this.event(caseId, 'case.urged', { text: '请加快处置' });
  }

  handover(caseId: string = ulid()): RelayEvent<'shift.handover'> {
    return this.event(caseId, 'shift.handover', {
      shiftStart: new Date(T0).toISOString(),
      shiftEnd: new Date(T0 + 8 * 3_600_000).toISOString(),
      outgoing: ['值班员甲'],
      incoming: ['值班员乙'],
      notes: '',
      sheet: {},
    });
  }
}

export const toHotline = (stationId: string | null = null): HandoverTarget => ({
  kind: 'hotline',
  stationId,
  name: '12345 热线',
  department: null,
});

export const toDepartment = (department: string, stationId: string | null = null): HandoverTarget => ({
  kind: 'department',
  stationId,
  name: `${department} 值班室`,
  department,
});
