/**
 * Builders for report tests: hand-written event histories across a few desks. Times are
 * written in Linyi local time (UTC+8), e.g. L('03-02 09:05') is 2026-03-02 09:05 +08:00.
 * Each station numbers its own events from 1 in time order (as desks do); every event is
 * checked with parseEvent, so the fixtures are valid events.
 */
import {
  parseEvent,
  ulid,
  type EventType,
  type HandoverTarget,
  type PayloadInput,
  type StationRef,
} from '../../src-common/domain';
import type { HeldEvent } from '../../src-common/reports';

/** '03-02 09:05' (2026, local UTC+8) as an ISO instant */
export const L = (local: string): string => new Date(`2026-${local.replace(' ', 'T')}:00+08:00`).toISOString();

export const P110: StationRef = { stationId: 'p110-lanshan', name: '兰山区110接警台' };
export const H: StationRef = { stationId: 'h12345-city', name: '市12345热线' };
export const HOUSING: StationRef = { stationId: 'unit-housing', name: '市住建局值班室' };
export const TRANSPORT: StationRef = { stationId: 'unit-transport', name: '市交通运输局值班室' };
export const HRSS: StationRef = { stationId: 'unit-hrss', name: '市人社局值班室' };
export const MARKET: StationRef = { stationId: 'unit-market', name: '市市场监管局值班室' };
export const SUP: StationRef = { stationId: 'sup-city', name: '市督办值班长' };

export const TO_HOTLINE: HandoverTarget = { kind: 'hotline', stationId: H.stationId, name: H.name, department: null };
export const dept = (ref: StationRef, department: string): HandoverTarget => ({
  kind: 'department',
  stationId: ref.stationId,
  name: ref.name,
  department,
});

const OPERATORS: Record<string, string> = {
  [P110.stationId]: '孙警官',
  [H.stationId]: '李娜',
  [HOUSING.stationId]: '周建',
  [TRANSPORT.stationId]: '赵六',
  [HRSS.stationId]: '钱进',
  [MARKET.stationId]: '吴敏',
  [SUP.stationId]: '郑督',
};

interface Spec {
  id: string;
  caseId: string;
  by: StationRef;
  type: EventType;
  payload: unknown;
  at: string;
}

export interface CreateOptions {
  caseNo: string;
  at: string;
  category?: string | null;
  urgency?: 'urgent' | 'normal';
  district?: string;
  address?: string;
  caller?: PayloadInput<'case.created'>['caller'];
  description?: string;
  role?: 'police110' | 'hotline12345' | 'unit';
}

export class CaseBuilder {
  constructor(
    private readonly history: History,
    readonly caseId: string,
    /** id of the case.created event */
    readonly createdId: string,
  ) {}

  /** record an event; returns its id */
  add<T extends EventType>(by: StationRef, type: T, payload: PayloadInput<T>, at: string): string {
    return this.history.push(this.caseId, by, type, payload, at);
  }

  assign(by: StationRef, lead: HandoverTarget, at: string, ackDueBy: string, feedbackDueBy: string, note = ''): string {
    return this.add(by, 'case.assigned', { lead, assisting: [], note, ackDueBy, feedbackDueBy }, at);
  }

  ack(by: StationRef, of: 'transfer' | 'assignment', at: string): string {
    return this.add(by, 'case.acknowledged', { of, station: by }, at);
  }

  returned(by: StationRef, reason: string, at: string): string {
    return this.add(by, 'case.returned', { reason, station: by }, at);
  }

  feedback(by: StationRef, at: string, result: 'resolved' | 'partlyResolved' | 'unresolved' | 'explained' = 'resolved'): string {
    return this.add(by, 'case.feedback', { result, text: '已处理完毕', station: by }, at);
  }

  callback(satisfaction: 'satisfied' | 'basicallySatisfied' | 'unsatisfied' | 'unreachable', at: string): string {
    return this.add(H, 'case.callback', { satisfaction, text: '' }, at);
  }
}

/** A set of cases across desks; `events()` gives them as the stations would hold them. */
export class History {
  private readonly specs: Spec[] = [];
  private built: HeldEvent[] | null = null;

  push(caseId: string, by: StationRef, type: EventType, payload: unknown, at: string): string {
    const id = ulid(Date.parse(at));
    this.specs.push({ id, caseId, by, type, payload, at });
    this.built = null;
    return id;
  }

  create(by: StationRef, o: CreateOptions): CaseBuilder {
    const caseId = ulid(Date.parse(o.at));
    const role = o.role ?? (by.stationId.startsWith('p110') ? 'police110' : 'hotline12345');
    const payload: PayloadInput<'case.created'> = {
      caseNo: o.caseNo,
      intakeRole: role,
      station: by,
      channel: role === 'police110' ? 'call110' : 'call12345',
      receivedAt: o.at,
      caller: o.caller ?? { name: '张三', phone: '13812341234', anonymous: false, confidential: false },
      location: { address: o.address ?? '兰山区通达路 100 号', district: o.district ?? '兰山区' },
      nature: 'help',
      category: o.category === undefined ? null : o.category,
      urgency: o.urgency ?? 'normal',
      description: o.description ?? '求助事项',
    };
    const createdId = this.push(caseId, by, 'case.created', payload, o.at);
    return new CaseBuilder(this, caseId, createdId);
  }

  /** a shift handover event (not a case event); returns its id */
  handover(by: StationRef, at: string): string {
    return this.push(ulid(Date.parse(at)), by, 'shift.handover', {
      shiftStart: L('03-02 00:00'),
      shiftEnd: at,
      outgoing: ['前班值班员'],
      sheet: {},
    }, at);
  }

  /**
   * Every event, validated; each station's seq in time order. Events whose id is in
   * `unsynced` have no hubSeq; the others are numbered by the hub in time order.
   */
  events(unsynced: ReadonlySet<string> = new Set()): HeldEvent[] {
    if (!this.built) {
      const ordered = this.specs.map((s, i) => ({ s, i })).sort((a, b) => Date.parse(a.s.at) - Date.parse(b.s.at) || a.i - b.i);
      const seqs = new Map<string, number>();
      this.built = ordered.map(({ s }) => {
        const seq = (seqs.get(s.by.stationId) ?? 0) + 1;
        seqs.set(s.by.stationId, seq);
        return parseEvent({
          v: 1,
          id: s.id,
          caseId: s.caseId,
          stationId: s.by.stationId,
          operator: OPERATORS[s.by.stationId] ?? '值班员',
          seq,
          at: s.at,
          type: s.type,
          payload: s.payload,
        });
      });
    }
    let hubSeq = 0;
    return this.built.map((e) => (unsynced.has(e.id) ? { ...e } : { ...e, hubSeq: ++hubSeq }));
  }
}

/** A deterministic shuffle (reverse, then interleave), to show input order does not matter. */
export function shuffled<T>(items: readonly T[]): T[] {
  const r = [...items].reverse();
  const out: T[] = [];
  for (let i = 0; i < r.length; i += 2) out.push(r[i]!);
  for (let i = 1; i < r.length; i += 2) out.push(r[i]!);
  return out;
}

/**
 * The history behind the supervision report tests: cases A–K across 110, 12345 and four
 * departments, 2026-02-28 to 03-05. The story of each case, and every figure worked out by
 * hand from it, are in the header of supervision.test.ts.
 */
export function supervisionHistory() {
  const h = new History();

  const a = h.create(H, { caseNo: 'A-001', at: L('03-02 09:00'), category: 'housing.heating' });
  a.assign(H, dept(TRANSPORT, 'transport'), L('03-02 09:05'), L('03-02 09:35'), L('03-03 09:05'));
  a.returned(TRANSPORT, '属供热问题，非交通部门职责', L('03-02 09:30'));
  a.assign(H, dept(HOUSING, 'housing'), L('03-02 09:40'), L('03-02 10:10'), L('03-03 09:40'));
  a.ack(HOUSING, 'assignment', L('03-02 10:30'));
  a.feedback(HOUSING, L('03-03 09:00'));
  a.callback('satisfied', L('03-03 15:00'));
  a.add(H, 'case.closed', { summary: '' }, L('03-03 15:05'));

  const b = h.create(H, { caseNo: 'B-001', at: L('03-02 10:00'), category: 'hrss.wages' });
  b.assign(H, dept(HRSS, 'hrss'), L('03-02 10:05'), L('03-02 10:35'), L('03-03 10:05'));
  b.ack(HRSS, 'assignment', L('03-02 10:20'));
  b.add(HRSS, 'case.extensionRequested', { reason: '需协调用人单位', until: L('03-04 10:05') }, L('03-02 16:00'));
  b.add(H, 'case.extensionDecided', { granted: true, until: L('03-04 10:05'), reason: '' }, L('03-02 17:00'));
  b.feedback(HRSS, L('03-04 09:00'));
  b.callback('basicallySatisfied', L('03-04 11:00'));

  const c = h.create(H, { caseNo: 'C-001', at: L('03-02 11:00'), category: 'market.consumer' });
  c.assign(H, dept(TRANSPORT, 'transport'), L('03-02 11:05'), L('03-02 11:35'), L('03-03 11:05'));
  c.ack(TRANSPORT, 'assignment', L('03-02 11:10'));
  c.returned(TRANSPORT, '系商场消费纠纷，非交通部门职责', L('03-02 11:30'));
  c.assign(H, dept(HOUSING, 'housing'), L('03-02 11:40'), L('03-02 12:10'), L('03-03 11:40'));
  c.returned(HOUSING, '非住建部门职责', L('03-02 12:30'));
  c.assign(H, dept(MARKET, 'market'), L('03-02 12:40'), L('03-02 13:10'), L('03-03 12:40'));
  c.ack(MARKET, 'assignment', L('03-02 13:00'));
  c.feedback(MARKET, L('03-03 12:00'));
  c.callback('unsatisfied', L('03-03 16:00'));

  const d = h.create(H, { caseNo: 'D-001', at: L('03-03 08:00'), category: 'transport.taxi-lost' });
  d.assign(H, dept(TRANSPORT, 'transport'), L('03-03 08:05'), L('03-03 08:35'), L('03-03 20:05'));
  d.ack(TRANSPORT, 'assignment', L('03-03 08:10'));
  d.feedback(TRANSPORT, L('03-03 21:00'));
  d.callback('unreachable', L('03-04 09:00'));
  d.callback('satisfied', L('03-05 09:00'));

  const e = h.create(H, { caseNo: 'E-001', at: L('03-04 08:00'), category: 'housing.water', urgency: 'urgent' });
  e.assign(H, dept(HOUSING, 'housing'), L('03-04 08:05'), L('03-04 08:35'), L('03-04 20:05'));

  const f = h.create(H, { caseNo: 'F-001', at: L('03-01 10:00'), category: 'housing.water' });
  f.assign(H, dept(HOUSING, 'housing'), L('03-01 10:05'), L('03-01 10:35'), L('03-01 18:00'));
  f.ack(HOUSING, 'assignment', L('03-01 10:20'));
  f.feedback(HOUSING, L('03-01 17:00'));
  f.callback('satisfied', L('03-01 19:00'));
  f.add(H, 'case.closed', { summary: '' }, L('03-01 19:05'));

  h.create(H, { caseNo: 'G-001', at: L('02-28 09:00'), category: 'hrss.wages' });

  const k = h.create(H, { caseNo: 'K-001', at: L('03-05 01:00'), category: 'housing.water' });
  k.assign(H, dept(HOUSING, 'housing'), L('03-05 01:05'), L('03-05 01:35'), L('03-05 13:05'));

  const i = h.create(H, { caseNo: 'I-001', at: L('03-02 14:00'), category: 'housing.water', district: '河东区' });
  i.assign(H, dept(HOUSING, 'housing'), L('03-02 14:05'), L('03-02 14:35'), L('03-03 14:05'));
  i.ack(HOUSING, 'assignment', L('03-02 14:10'));
  i.feedback(HOUSING, L('03-02 18:00'));

  const j = h.create(P110, { caseNo: 'J-001', at: L('03-02 20:00') });
  j.add(P110, 'case.screened', { verdict: 'nonPolice', reason: '' }, L('03-02 20:01'));
  j.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, note: '', ackDueBy: L('03-02 20:32') }, L('03-02 20:02'));
  j.returned(H, '属治安纠纷，请110处置', L('03-02 20:10'));
  j.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: true, note: '', ackDueBy: L('03-02 20:45') }, L('03-02 20:15'));

  return { events: h.events(), cases: { a, b, c, d, e, f, i, j, k } };
}
