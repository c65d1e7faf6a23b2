/**
 * The handover sheet of the 12345 desk for the day shift 2026-03-02 08:00–16:00 (local),
 * made at 16:00. Every expected figure below is worked out by hand from this history:
 *
 * V  received by 12345 the evening before (03-01 20:00), assigned to 人社 20:05, acknowledged
 *    20:10, feedback 07:30 (before the shift), callback 15:50, closed 16:00 (= shift end:
 *    outside the half-open window).
 * Z  received by 12345 07:00 (before the shift), assigned to 交通 07:10; 交通 returns it 09:00
 *    ("不属于交通部门职责，请改派城管"); 12345 reassigns it to 住建 09:30; 住建 acknowledges
 *    09:50 (so 住建 owns it: not open for 12345).
 * X  received by 12345 08:30 (张三 13812341234, 城市供水, normal), screened non-police 08:35,
 *    assigned to 住建 08:40 (acknowledge by 09:10); never acknowledged; urged 10:00.
 *    At 16:00: open, owned by 12345, awaiting 住建, overdue.
 * W  received by 110 09:00, screened, transferred to 12345 09:02; 12345 acknowledges 09:05,
 *    assigns to 人社 09:20; 人社 acknowledges 09:30, reports 11:00; 12345 calls back 12:00
 *    and closes 12:05.
 * Y  received by 12345 15:00 (anonymous, 城市供气, urgent, a phone number in the
 *    description), assigned to 住建 15:10 (acknowledge by 16:10). At 16:00: open, due soon.
 * Q  received by 110 10:00, screened police, kept by 110: nothing to do with 12345.
 * A shift handover recorded by 12345 at 08:00 (the night shift's), not yet at the hub.
 *
 * 12345's events in time order, numbered by its desk: V.created 1, V.assigned 2,
 * Z.created 3, Z.assigned 4, handover 5, X.created 6, X.screened 7, X.assigned 8,
 * W.ack 9, W.assigned 10, Z.assigned 11, X.urged 12, W.callback 13, W.closed 14,
 * Y.created 15, Y.assigned 16, V.callback 17, V.closed 18.
 * Not yet at the hub: handover (5), W.closed (14), Y.created (15), Y.assigned (16).
 */
import { describe, expect, it } from 'vitest';
import {
  EventSchema,
  loadDefaultCatalogue,
  ShiftHandoverSchema,
  ValidationError,
  type Station,
} from '../../src-common/domain';
import {
  buildHandoverSheet,
  compareOpenItems,
  handoverPayload,
  HandoverSheetSchema,
  maskSheet,
  readHandoverSheet,
  type HandoverOpenItem,
  type HandoverSheet,
} from '../../src-common/reports';
import { dept, H, History, HOUSING, HRSS, L, P110, shuffled, TO_HOTLINE, TRANSPORT } from './fixtures';

const catalogue = loadDefaultCatalogue();
const STATION: Pick<Station, 'stationId' | 'name' | 'role' | 'district'> = {
  stationId: H.stationId,
  name: H.name,
  role: 'hotline12345',
  district: '兰山区',
};

function dayShift() {
  const h = new History();

  const v = h.create(H, { caseNo: 'V-001', at: L('03-01 20:00'), category: 'hrss.wages' });
  v.assign(H, dept(HRSS, 'hrss'), L('03-01 20:05'), L('03-01 20:35'), L('03-02 20:05'));
  v.ack(HRSS, 'assignment', L('03-01 20:10'));
  v.feedback(HRSS, L('03-02 07:30'));
  v.callback('satisfied', L('03-02 15:50'));
  v.add(H, 'case.closed', { summary: '' }, L('03-02 16:00'));

  const z = h.create(H, { caseNo: 'Z-001', at: L('03-02 07:00'), category: 'housing.sanitation' });
  z.assign(H, dept(TRANSPORT, 'transport'), L('03-02 07:10'), L('03-02 07:40'), L('03-03 07:10'));
  z.returned(TRANSPORT, '不属于交通部门职责，请改派城管', L('03-02 09:00'));
  z.assign(H, dept(HOUSING, 'housing'), L('03-02 09:30'), L('03-02 10:00'), L('03-03 09:30'), '请住建处理');
  z.ack(HOUSING, 'assignment', L('03-02 09:50'));

  const handoverId = h.handover(H, L('03-02 08:00'));

  const x = h.create(H, {
    caseNo: 'X-001',
    at: L('03-02 08:30'),
    category: 'housing.water',
    address: '兰山区通达路 100 号金雀山小区',
    description: '小区主水管爆裂，整栋楼停水',
  });
  x.add(H, 'case.screened', { verdict: 'nonPolice', reason: '' }, L('03-02 08:35'));
  x.assign(H, dept(HOUSING, 'housing'), L('03-02 08:40'), L('03-02 09:10'), L('03-03 08:40'));
  x.add(H, 'case.urged', { text: '请尽快签收' }, L('03-02 10:00'));

  const w = h.create(P110, { caseNo: 'W-001', at: L('03-02 09:00'), category: 'hrss.wages' });
  w.add(P110, 'case.screened', { verdict: 'nonPolice', reason: '' }, L('03-02 09:01'));
  w.add(P110, 'case.transferred', { to: TO_HOTLINE, threeWayCall: false, note: '', ackDueBy: L('03-02 09:32') }, L('03-02 09:02'));
  w.ack(H, 'transfer', L('03-02 09:05'));
  w.assign(H, dept(HRSS, 'hrss'), L('03-02 09:20'), L('03-02 09:50'), L('03-03 09:20'));
  w.ack(HRSS, 'assignment', L('03-02 09:30'));
  w.feedback(HRSS, L('03-02 11:00'));
  w.callback('satisfied', L('03-02 12:00'));
  const wClosed = w.add(H, 'case.closed', { summary: '' }, L('03-02 12:05'));

  const y = h.create(H, {
    caseNo: 'Y-001',
    at: L('03-02 15:00'),
    category: 'housing.gas',
    urgency: 'urgent',
    address: '兰山区解放路 8 号',
    caller: { name: '', phone: '', anonymous: true, confidential: false },
    description: '燃气管道泄漏，有刺鼻气味，请速回电0539-8123456',
  });
  const yCreated = y.createdId;
  const yAssigned = y.assign(H, dept(HOUSING, 'housing'), L('03-02 15:10'), L('03-02 16:10'), L('03-02 19:10'));

  const q = h.create(P110, { caseNo: 'Q-001', at: L('03-02 10:00') });
  q.add(P110, 'case.screened', { verdict: 'police', reason: '治安案件' }, L('03-02 10:01'));

  const unsynced = new Set([handoverId, wClosed, yCreated, yAssigned]);
  return { events: h.events(unsynced), unsynced, ids: { handoverId, wClosed, yCreated, yAssigned }, cases: { x, y, z, w, v } };
}

function build(fixture = dayShift(), events = fixture.events): HandoverSheet {
  return buildHandoverSheet({
    station: STATION,
    shiftStart: L('03-02 08:00'),
    shiftEnd: L('03-02 16:00'),
    operators: ['李娜', '王强'],
    events,
    unsyncedEventIds: fixture.unsynced,
    now: L('03-02 16:00'),
    catalogue,
  });
}

describe('buildHandoverSheet: the 12345 day shift', () => {
  const fixture = dayShift();
  const sheet = build(fixture);

  it('header: station, shift window, outgoing operators, version and time made', () => {
    expect(sheet.version).toBe(1);
    expect(sheet.generatedAt).toBe(L('03-02 16:00'));
    expect(sheet.masked).toBe(false);
    expect(sheet.station).toEqual({
      stationId: 'h12345-city',
      name: '市12345热线',
      role: 'hotline12345',
      roleLabel: '12345 热线',
      district: '兰山区',
    });
    expect(sheet.shift).toEqual({ start: L('03-02 08:00'), end: L('03-02 16:00') });
    expect(sheet.operators).toEqual(['李娜', '王强']);
  });

  it('counts this station’s work within the window', () => {
    expect(sheet.counts).toEqual({
      received: 2, // X 08:30, Y 15:00 (Z 07:00 is before the shift, W and Q are 110's)
      screenedNonPolice: 1, // X
      transferred: 0, // 12345 transfers nothing (W's transfer is 110's)
      assigned: 4, // X 08:40, W 09:20, Z 09:30 (again), Y 15:10 (Z 07:10 is before)
      acknowledged: 1, // W's transfer 09:05
      feedback: 1, // W 11:00 on an assignment 12345 made (V's 07:30 is before the shift)
      closed: 1, // W 12:05 (V 16:00 is at the end: outside the half-open window)
      returned: 1, // Z, back to 12345
      reassigned: 1, // Z to 住建
    });
  });

  it('lists the two open items: the overdue one first, then the urgent one', () => {
    expect(sheet.openItems).toEqual<HandoverOpenItem[]>([
      {
        caseId: fixture.cases.x.caseId,
        caseNo: 'X-001',
        receivedAt: L('03-02 08:30'),
        relation: 'owner',
        relationLabel: '本站负责',
        status: 'assigned',
        statusLabel: '已派单待签收',
        owner: { stationId: 'h12345-city', name: '市12345热线' },
        awaiting: { stationId: 'unit-housing', name: '市住建局值班室' },
        urgency: 'normal',
        urgencyLabel: '一般',
        category: 'housing.water',
        categoryName: '城市供水',
        departmentName: '住建城管',
        dueAt: L('03-02 09:10'),
        deadline: 'overdue',
        deadlineLabel: '已超时',
        caller: { name: '张三', phone: '13812341234', anonymous: false, confidential: false },
        address: '兰山区通达路 100 号金雀山小区',
        district: '兰山区',
        summary: '小区主水管爆裂，整栋楼停水',
        urgeCount: 1,
        returnCount: 0,
      },
      {
        caseId: fixture.cases.y.caseId,
        caseNo: 'Y-001',
        receivedAt: L('03-02 15:00'),
        relation: 'owner',
        relationLabel: '本站负责',
        status: 'assigned',
        statusLabel: '已派单待签收',
        owner: { stationId: 'h12345-city', name: '市12345热线' },
        awaiting: { stationId: 'unit-housing', name: '市住建局值班室' },
        urgency: 'urgent',
        urgencyLabel: '紧急',
        category: 'housing.gas',
        categoryName: '城市供气',
        departmentName: '住建城管',
        dueAt: L('03-02 16:10'),
        deadline: 'dueSoon',
        deadlineLabel: '即将到期',
        caller: { name: '匿名', phone: '', anonymous: true, confidential: false },
        address: '兰山区解放路 8 号',
        district: '兰山区',
        summary: '燃气管道泄漏，有刺鼻气味，请速回电0539-8123456',
        urgeCount: 0,
        returnCount: 0,
      },
    ]);
  });

  it('lists the return and the reassignment made during the shift, with the reason', () => {
    expect(sheet.changes).toEqual([
      {
        kind: 'returned',
        kindLabel: '退回',
        caseId: fixture.cases.z.caseId,
        caseNo: 'Z-001',
        at: L('03-02 09:00'),
        operator: '赵六',
        of: 'assignment',
        from: '市交通运输局值班室',
        to: '市12345热线',
        reason: '不属于交通部门职责，请改派城管',
      },
      {
        kind: 'reassigned',
        kindLabel: '改派',
        caseId: fixture.cases.z.caseId,
        caseNo: 'Z-001',
        at: L('03-02 09:30'),
        operator: '李娜',
        of: 'assignment',
        from: '市交通运输局值班室',
        to: '市住建局值班室',
        reason: '不属于交通部门职责，请改派城管',
      },
    ]);
  });

  it('lists the events only this PC holds, grouped by case, in recording order', () => {
    expect(sheet.unsynced.total).toBe(4);
    expect(sheet.unsynced.cases).toEqual([
      {
        caseId: expect.any(String),
        caseNo: null,
        events: [{ id: fixture.ids.handoverId, type: 'shift.handover', typeLabel: '交接班', at: L('03-02 08:00'), operator: '李娜', seq: 5 }],
      },
      {
        caseId: fixture.cases.w.caseId,
        caseNo: 'W-001',
        events: [{ id: fixture.ids.wClosed, type: 'case.closed', typeLabel: '办结', at: L('03-02 12:05'), operator: '李娜', seq: 14 }],
      },
      {
        caseId: fixture.cases.y.caseId,
        caseNo: 'Y-001',
        events: [
          { id: fixture.ids.yCreated, type: 'case.created', typeLabel: '受理登记', at: L('03-02 15:00'), operator: '李娜', seq: 15 },
          { id: fixture.ids.yAssigned, type: 'case.assigned', typeLabel: '派单', at: L('03-02 15:10'), operator: '李娜', seq: 16 },
        ],
      },
    ]);
  });

  it('leaves notes empty and signature slots for both shifts', () => {
    expect(sheet.notes).toBe('');
    expect(sheet.signatures).toEqual({
      outgoing: { label: '交班人签字', names: ['李娜', '王强'] },
      incoming: { label: '接班人签字', names: [] },
    });
  });

  it('does not depend on the order the events are given in', () => {
    expect(build(fixture, shuffled(fixture.events))).toEqual(sheet);
  });
});

describe('hand-overs to a desk by its role or department (no station named, as desks send them)', () => {
  it('a transfer to 12345 and an assignment to a department wait on the sheets of the desks that take them', () => {
    const h = new History();
    const t = h.create(P110, { caseNo: 'T-001', at: L('03-02 09:00'), role: 'police110' });
    t.add(P110, 'case.screened', { verdict: 'nonPolice', reason: '供水故障' }, L('03-02 09:01'));
    t.add(P110, 'case.transferred', { to: { kind: 'hotline', stationId: null, name: '12345 政务服务热线', department: null }, threeWayCall: false, note: '', ackDueBy: L('03-02 09:31') }, L('03-02 09:01'));
    const a = h.create(H, { caseNo: 'A-001', at: L('03-02 10:00') });
    a.assign(H, { kind: 'department', stationId: null, name: '市住建局', department: 'housing' }, L('03-02 10:05'), L('03-02 10:35'), L('03-03 10:05'));
    const events = h.events(new Set());
    const sheetOf = (station: Parameters<typeof buildHandoverSheet>[0]['station']) =>
      buildHandoverSheet({ station, shiftStart: L('03-02 08:00'), shiftEnd: L('03-02 16:00'), operators: ['值班员'], events, unsyncedEventIds: new Set(), now: L('03-02 16:00'), catalogue });

    const hotline = sheetOf(STATION);
    expect(hotline.openItems.filter((i) => i.caseNo === 'T-001').map((i) => [i.relation, i.relationLabel])).toEqual([['awaiting', '待本站签收']]);
    const housing = sheetOf({ stationId: HOUSING.stationId, name: HOUSING.name, role: 'unit', district: '兰山区', department: 'housing' });
    expect(housing.openItems.map((i) => [i.caseNo, i.relation])).toEqual([['A-001', 'awaiting']]);
    // another department's duty room does not see it
    const transport = sheetOf({ stationId: 'unit-transport', name: '市交通局值班室', role: 'unit', district: '兰山区', department: 'transport' });
    expect(transport.openItems).toEqual([]);
  });
});

describe('no phone number reaches paper whole', () => {
  const sheetFor = (description: string, caller: { name: string; phone: string; anonymous: boolean; confidential: boolean }) => {
    const h = new History();
    h.create(H, { caseNo: 'M-001', at: L('03-02 10:00'), caller, description });
    return buildHandoverSheet({ station: STATION, shiftStart: L('03-02 08:00'), shiftEnd: L('03-02 16:00'), operators: ['值班员'], events: h.events(new Set()), unsyncedEventIds: new Set(), now: L('03-02 16:00'), catalogue });
  };
  const longRun = /\d{5,}/;

  it('a number at the end of the summary is not cut in half (a half number would escape the masking)', () => {
    // the number starts at character 55 of 60
    const description = `${'小区楼道积水严重，'.repeat(6)}请回电13912345678，谢谢`;
    const sheet = sheetFor(description, { name: '王五', phone: '13912345678', anonymous: false, confidential: false });
    const item = sheet.openItems[0]!;
    expect(item.summary.endsWith('…')).toBe(true);
    expect(item.summary).not.toMatch(/\d/); // cut before the number, not through it
    expect(maskSheet(sheet).openItems[0]!.summary).not.toMatch(longRun);
  });

  it("a confidential caller's number and name are masked in the summary on the unmasked sheet too", () => {
    const sheet = sheetFor('赵六反映邻居噪音扰民，请回电+86 139 1234 5678', { name: '赵六', phone: '13912345678', anonymous: false, confidential: true });
    const item = sheet.openItems[0]!;
    expect(sheet.masked).toBe(false);
    expect(item.caller).toMatchObject({ name: '赵*', phone: '139****5678' });
    expect(item.summary).toBe('赵*反映邻居噪音扰民，请回电+86 139****5678');
  });

  it('the masked sheet masks the caller\'s name in the summary as well', () => {
    const sheet = maskSheet(sheetFor('李四家里停水，请联系李四', { name: '李四', phone: '13912345678', anonymous: false, confidential: false }));
    expect(sheet.openItems[0]!.summary).toBe('李*家里停水，请联系李*');
  });
});

describe('the sheet as seen by the other desks', () => {
  const fixture = dayShift();

  it('住建 awaits X and Y (not yet acknowledged) and owns Z', () => {
    const sheet = buildHandoverSheet({
      station: { stationId: HOUSING.stationId, name: HOUSING.name, role: 'unit', district: '兰山区' },
      shiftStart: L('03-02 08:00'),
      shiftEnd: L('03-02 16:00'),
      operators: ['周建'],
      events: fixture.events,
      unsyncedEventIds: new Set(),
      now: L('03-02 16:00'),
      catalogue,
    });
    expect(sheet.openItems.map((i) => [i.caseNo, i.relation, i.relationLabel, i.deadline])).toEqual([
      ['X-001', 'awaiting', '待本站签收', 'overdue'],
      ['Y-001', 'awaiting', '待本站签收', 'dueSoon'],
      // Z: acknowledged 09:50, feedback due 03-03 09:30 (more than 2 h away)
      ['Z-001', 'owner', '本站负责', 'onTime'],
    ]);
    // 住建 received Z by reassignment; it acknowledged Z
    expect(sheet.counts.acknowledged).toBe(1);
    expect(sheet.changes.map((c) => [c.kind, c.caseNo])).toEqual([['reassigned', 'Z-001']]);
    expect(sheet.unsynced).toEqual({ total: 0, cases: [] });
  });

  it('交通 sees the return it made (and the reassignment that took the case from it)', () => {
    const sheet = buildHandoverSheet({
      station: { stationId: TRANSPORT.stationId, name: TRANSPORT.name, role: 'unit', district: '兰山区' },
      shiftStart: L('03-02 08:00'),
      shiftEnd: L('03-02 16:00'),
      operators: ['赵六'],
      events: fixture.events,
      unsyncedEventIds: new Set(),
      now: L('03-02 16:00'),
      catalogue,
    });
    expect(sheet.openItems).toEqual([]);
    expect(sheet.changes.map((c) => [c.kind, c.from, c.to])).toEqual([
      ['returned', '市交通运输局值班室', '市12345热线'],
      ['reassigned', '市交通运输局值班室', '市住建局值班室'],
    ]);
  });

  it('人社 counts the feedback it reported', () => {
    const sheet = buildHandoverSheet({
      station: { stationId: HRSS.stationId, name: HRSS.name, role: 'unit', district: '兰山区' },
      shiftStart: L('03-02 08:00'),
      shiftEnd: L('03-02 16:00'),
      operators: ['钱进'],
      events: fixture.events,
      unsyncedEventIds: new Set(),
      now: L('03-02 16:00'),
      catalogue,
    });
    // W acknowledged 09:30 and reported 11:00; V's feedback 07:30 was before the shift
    expect(sheet.counts).toMatchObject({ received: 0, acknowledged: 1, feedback: 1, closed: 0 });
    expect(sheet.openItems).toEqual([]);
  });
});

describe('storing and reprinting the sheet', () => {
  const sheet = build();

  it('round-trips through JSON unchanged', () => {
    const copy = JSON.parse(JSON.stringify(sheet)) as unknown;
    expect(copy).toStrictEqual(sheet);
    expect(HandoverSheetSchema.parse(copy)).toStrictEqual(sheet);
  });

  it('goes into a shift.handover payload with notes and incoming operators, and reads back exactly', () => {
    const payload = handoverPayload(sheet, { incoming: [' 周敏 ', ''], notes: 'X-001 住建未签收，请继续催办' });
    expect(payload.shiftStart).toBe(L('03-02 08:00'));
    expect(payload.shiftEnd).toBe(L('03-02 16:00'));
    expect(payload.outgoing).toEqual(['李娜', '王强']);
    expect(payload.incoming).toEqual(['周敏']);
    expect(payload.notes).toBe('X-001 住建未签收，请继续催办');
    expect(ShiftHandoverSchema.parse(payload)).toStrictEqual(payload);

    const printed: HandoverSheet = {
      ...sheet,
      notes: 'X-001 住建未签收，请继续催办',
      signatures: { ...sheet.signatures, incoming: { label: '接班人签字', names: ['周敏'] } },
    };
    expect(readHandoverSheet(payload.sheet)).toStrictEqual(printed);

    // as a whole event, through the event schema and JSON (the store and the hub)
    const event = {
      v: 1,
      id: '01JNR6X0000000000000000000',
      caseId: '01JNR6X0000000000000000001',
      stationId: 'h12345-city',
      operator: '李娜',
      seq: 19,
      at: L('03-02 16:00'),
      type: 'shift.handover',
      payload,
    };
    const stored = EventSchema.parse(JSON.parse(JSON.stringify(event))) as typeof event;
    expect(readHandoverSheet(stored.payload.sheet)).toStrictEqual(printed);
  });

  it('refuses a payload without an outgoing operator, in plain words', () => {
    const noOne = buildHandoverSheet({
      station: STATION,
      shiftStart: L('03-02 08:00'),
      shiftEnd: L('03-02 16:00'),
      operators: ['  '],
      events: [],
      unsyncedEventIds: new Set(),
      now: L('03-02 16:00'),
      catalogue,
    });
    expect(noOne.operators).toEqual([]);
    expect(() => handoverPayload(noOne)).toThrow(ValidationError);
    expect(() => handoverPayload(noOne)).toThrow(/交班人/);
  });

  it('refuses to read back something that is not a version-1 sheet', () => {
    expect(() => readHandoverSheet({})).toThrow(ValidationError);
    expect(() => readHandoverSheet({ ...sheet, version: 2 })).toThrow(ValidationError);
  });
});

describe('maskSheet', () => {
  const sheet = build();
  const masked = maskSheet(sheet);

  it('masks the callers and phone numbers in summaries, and says so', () => {
    expect(masked.masked).toBe(true);
    expect(masked.openItems.map((i) => i.caller)).toEqual([
      { name: '张*', phone: '138****1234', anonymous: false, confidential: false },
      { name: '匿名', phone: '', anonymous: true, confidential: false },
    ]);
    expect(masked.openItems[1]!.summary).toBe('燃气管道泄漏，有刺鼻气味，请速回电0539-****456');
  });

  it('keeps addresses, stations, operators and everything else', () => {
    expect(masked.openItems.map((i) => i.address)).toEqual(['兰山区通达路 100 号金雀山小区', '兰山区解放路 8 号']);
    expect(masked.operators).toEqual(sheet.operators);
    expect(masked.counts).toEqual(sheet.counts);
    expect(masked.changes).toEqual(sheet.changes);
    expect(masked.unsynced).toEqual(sheet.unsynced);
  });

  it('leaves the unmasked sheet untouched, and masking twice changes nothing', () => {
    expect(sheet.masked).toBe(false);
    expect(sheet.openItems[0]!.caller.name).toBe('张三');
    expect(maskSheet(masked)).toStrictEqual(masked);
  });

  it('masks phone numbers in notes and reasons', () => {
    const withNotes = { ...sheet, notes: '联系人电话13900001111', changes: [{ ...sheet.changes[0]!, reason: '请联系0539-8123456' }] };
    const m = maskSheet(withNotes);
    expect(m.notes).toBe('联系人电话139****1111');
    expect(m.changes[0]!.reason).toBe('请联系0539-****456');
  });

  it('a masked sheet still fits the stored-sheet schema and the handover payload', () => {
    expect(readHandoverSheet(handoverPayload(masked).sheet)).toStrictEqual(masked);
  });
});

describe('a confidential caller and a long description', () => {
  it('are masked even on an unmasked sheet, and the summary is cut to 60 characters', () => {
    const h = new History();
    const long = '居民反映'.repeat(20); // 80 characters
    h.create(H, {
      caseNo: 'C-001',
      at: L('03-02 09:00'),
      caller: { name: '欧阳修远', phone: '13812341234', anonymous: false, confidential: true },
      description: long,
    });
    const sheet = buildHandoverSheet({
      station: STATION,
      shiftStart: L('03-02 08:00'),
      shiftEnd: L('03-02 16:00'),
      operators: ['李娜'],
      events: h.events(),
      unsyncedEventIds: new Set(),
      now: L('03-02 16:00'),
      catalogue,
    });
    const [item] = sheet.openItems;
    expect(item!.caller).toEqual({ name: '欧***', phone: '138****1234', anonymous: false, confidential: true });
    expect(item!.summary).toBe(`${'居民反映'.repeat(15)}…`);
    expect(item!.categoryName).toBe('未分类');
    expect(item!.departmentName).toBeNull();
    // pending with 12345, no deadline yet
    expect([item!.status, item!.statusLabel, item!.dueAt, item!.deadline, item!.deadlineLabel]).toEqual([
      'pending',
      '待转派',
      null,
      'none',
      '—',
    ]);
    expect(maskSheet(sheet).openItems[0]!.caller).toEqual(item!.caller);
  });
});

describe('compareOpenItems', () => {
  const base: HandoverOpenItem = {
    caseId: 'c',
    caseNo: 'N',
    receivedAt: L('03-02 08:00'),
    relation: 'owner',
    relationLabel: '本站负责',
    status: 'assigned',
    statusLabel: '已派单待签收',
    owner: { stationId: 'h12345-city', name: '市12345热线' },
    awaiting: null,
    urgency: 'normal',
    urgencyLabel: '一般',
    category: null,
    categoryName: '未分类',
    departmentName: null,
    dueAt: null,
    deadline: 'none',
    deadlineLabel: '—',
    caller: { name: '', phone: '', anonymous: true, confidential: false },
    address: '',
    district: '',
    summary: '',
    urgeCount: 0,
    returnCount: 0,
  };
  const item = (caseNo: string, over: Partial<HandoverOpenItem>): HandoverOpenItem => ({ ...base, caseNo, ...over });

  it('sorts overdue first (by due time), then urgent, then by due time, undated last', () => {
    const items = [
      item('normal-undated', {}),
      item('normal-due-12', { dueAt: L('03-02 12:00'), deadline: 'onTime' }),
      item('urgent-due-17', { urgency: 'urgent', dueAt: L('03-02 17:00'), deadline: 'dueSoon' }),
      item('overdue-normal-09', { dueAt: L('03-02 09:00'), deadline: 'overdue' }),
      item('urgent-undated', { urgency: 'urgent' }),
      item('normal-due-11', { dueAt: L('03-02 11:00'), deadline: 'onTime' }),
      item('overdue-urgent-10', { urgency: 'urgent', dueAt: L('03-02 10:00'), deadline: 'overdue' }),
    ];
    expect(items.sort(compareOpenItems).map((i) => i.caseNo)).toEqual([
      'overdue-normal-09',
      'overdue-urgent-10',
      'urgent-due-17',
      'urgent-undated',
      'normal-due-11',
      'normal-due-12',
      'normal-undated',
    ]);
  });
});
