/**
 * Shared builders for domain tests: stations, hand-over targets and a script that records a
 * case's events the way stations would (each station numbers its own events from 1).
 */
import {
  parseEvent,
  StationSchema,
  ulid,
  type EventType,
  type HandoverTarget,
  type PayloadInput,
  type RelayEvent,
  type Role,
  type Station,
  type StationRef,
} from '../../src-common/domain';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** 2026-03-02 16:00 in Linyi (UTC+8) */
export const T0 = Date.parse('2026-03-02T08:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();
/** minutes after T0, as ISO */
export const atMin = (minutes: number): string => iso(T0 + minutes * MIN);

export const P110: StationRef = { stationId: 'p110-lanshan', name: '兰山区 110 接警台' };
export const H12345: StationRef = { stationId: 'h12345-city', name: '临沂市 12345 热线' };
export const WATER: StationRef = { stationId: 'unit-water', name: '市供水公司抢修值班室' };
export const HEAT: StationRef = { stationId: 'unit-heat', name: '市热力公司值班室' };
export const COUNTY: StationRef = { stationId: 'unit-county', name: '费县联动单位值班室' };

export const TO_HOTLINE: HandoverTarget = { kind: 'hotline', stationId: H12345.stationId, name: H12345.name, department: null };
export const TO_WATER: HandoverTarget = { kind: 'department', stationId: WATER.stationId, name: WATER.name, department: 'water' };
export const TO_HEAT: HandoverTarget = { kind: 'department', stationId: HEAT.stationId, name: HEAT.name, department: 'heating' };
export const TO_COUNTY: HandoverTarget = { kind: 'unit', stationId: COUNTY.stationId, name: COUNTY.name, department: null };

export function stationOf(ref: StationRef, role: Role, operator = '王强'): Station {
  return StationSchema.parse({ ...ref, role, district: '兰山区', operator, countyMode: false });
}

export function createdPayload(
  by: StationRef,
  role: Role,
  over: Partial<PayloadInput<'case.created'>> = {},
): PayloadInput<'case.created'> {
  return {
    caseNo: `20260302-${by.stationId}-0001`,
    intakeRole: role,
    station: by,
    channel: role === 'police110' ? 'call110' : 'call12345',
    receivedAt: atMin(0),
    caller: { name: '张三', phone: '13912345678', anonymous: false, confidential: false },
    location: { address: '兰山区通达路 100 号金雀山小区', district: '兰山区' },
    nature: 'help',
    category: 'utility.water',
    urgency: 'normal',
    description: '小区自来水管道爆裂，楼道积水，整栋楼停水',
    ...over,
  };
}

/**
 * Records one case's events as the stations would. `add` validates each event with
 * parseEvent, so every event a test uses is a valid one.
 */
export class CaseScript {
  readonly caseId: string;
  readonly events: RelayEvent[] = [];
  private readonly seqs = new Map<string, number>();

  constructor(readonly start: number = T0, caseId?: string) {
    this.caseId = caseId ?? ulid(start);
  }

  add<T extends EventType>(
    by: StationRef,
    type: T,
    payload: PayloadInput<T>,
    minutes: number,
    operator = '值班员甲',
  ): RelayEvent<T> {
    const seq = (this.seqs.get(by.stationId) ?? 0) + 1;
    this.seqs.set(by.stationId, seq);
    const atMs = this.start + minutes * MIN;
    const event = parseEvent({
      v: 1,
      id: ulid(atMs),
      caseId: this.caseId,
      stationId: by.stationId,
      operator,
      seq,
      at: iso(atMs),
      type,
      payload,
    }) as RelayEvent<T>;
    this.events.push(event as RelayEvent);
    return event;
  }

  /** minutes after this script's start, as ISO */
  t(minutes: number): string {
    return iso(this.start + minutes * MIN);
  }
}

/** One step of a script: at which minute, and what it records. */
export type Step = { minute: number; record: (s: CaseScript, minute: number) => void };

/**
 * The full life of a case across four desks, as the policy describes it:
 * 110 receives and screens, transfers to 12345, 12345 acknowledges and assigns to the water
 * company, which acknowledges, acts and reports; 12345 calls back and closes.
 */
export const LIFECYCLE: readonly Step[] = [
  { minute: 0, record: (s, m) => s.add(P110, 'case.created', createdPayload(P110, 'police110', { receivedAt: s.t(m) }), m) },
  { minute: 1, record: (s, m) => s.add(P110, 'case.screened', { verdict: 'nonPolice', reason: '供水设施故障，非警务' }, m) },
  { minute: 2, record: (s, m) => s.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: true, note: '', ackDueBy: s.t(m + 30) }, m) },
  { minute: 5, record: (s, m) => s.add(H12345, 'case.acknowledged', { of: 'transfer', station: H12345 }, m) },
  {
    minute: 10,
    record: (s, m) =>
      s.add(H12345, 'case.assigned', { lead: TO_WATER, assisting: [], note: '请立即抢修', ackDueBy: s.t(m + 30), feedbackDueBy: s.t(m + 24 * 60) }, m),
  },
  { minute: 20, record: (s, m) => s.add(WATER, 'case.acknowledged', { of: 'assignment', station: WATER }, m) },
  { minute: 120, record: (s, m) => s.add(WATER, 'case.feedback', { result: 'resolved', text: '已关阀抢修，更换管段，恢复供水', station: WATER }, m) },
  { minute: 180, record: (s, m) => s.add(H12345, 'case.callback', { satisfaction: 'satisfied', text: '来电人表示满意' }, m) },
  { minute: 181, record: (s, m) => s.add(H12345, 'case.closed', { summary: '已恢复供水' }, m) },
];

/** Play steps in time order (steps given first win ties), so each desk's clock runs forward. */
export function play(steps: readonly Step[], start: number = T0): CaseScript {
  const s = new CaseScript(start);
  const ordered = steps.map((step, i) => ({ step, i })).sort((a, b) => a.step.minute - b.step.minute || a.i - b.i);
  for (const { step } of ordered) step.record(s, step.minute);
  return s;
}

export function fullLifecycle(start: number = T0): CaseScript {
  return play(LIFECYCLE, start);
}
