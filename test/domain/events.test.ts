import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  EVENT_TYPE_LABELS,
  PhoneSchema,
  ValidationError,
  parseEvent,
  safeParseEvent,
  ulid,
  type EventType,
  type PayloadInput,
} from '../../src-common/domain';
import { COUNTY, H12345, HEAT, P110, TO_HEAT, TO_HOTLINE, TO_WATER, WATER, atMin, createdPayload } from './fixtures';

const CJK = /[\u4e00-\u9fff]/;
/** an English word left over from a library default message */
const ENGLISH_WORD = /[A-Za-z]{4,}/;

const VALID_PAYLOADS: { [T in EventType]: PayloadInput<T> } = {
  'case.created': createdPayload(P110, 'police110'),
  'case.screened': { verdict: 'nonPolice', reason: '供水设施故障，非警务' },
  'case.transferred': { to: TO_HOTLINE, threeWayCall: false, note: '电子移交', ackDueBy: atMin(30) },
  'case.noteAdded': { text: '来电人再次来电询问进度' },
  'case.assigned': { lead: TO_WATER, assisting: [TO_HEAT], note: '', ackDueBy: atMin(40), feedbackDueBy: atMin(24 * 60) },
  'case.acknowledged': { of: 'assignment', station: WATER },
  'case.returned': { reason: '不属于本单位职责范围', station: HEAT },
  'case.feedback': { result: 'resolved', text: '已派员抢修，恢复供水', station: WATER },
  'case.extensionRequested': { reason: '需更换主管道，材料未到', until: atMin(3 * 24 * 60) },
  'case.extensionDecided': { granted: true, until: atMin(3 * 24 * 60), reason: '同意' },
  'case.urged': { text: '请立即签收并反馈' },
  'case.callback': { satisfaction: 'basicallySatisfied', text: '已恢复，但等待时间较长' },
  'case.closed': { summary: '已恢复供水，群众基本满意' },
  'case.reopened': { reason: '群众反映再次停水' },
  'case.callJoined': { receivedAt: atMin(15), caller: { name: '李四', phone: '0539-8123456' }, description: '同一小区停水' },
  'shift.handover': {
    shiftStart: atMin(-8 * 60),
    shiftEnd: atMin(0),
    outgoing: ['王强'],
    incoming: ['李娜'],
    notes: '两件供水工单待反馈',
    sheet: { open: 2, overdue: 0 },
  },
};

function envelope(type: EventType, payload: unknown, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    id: ulid(),
    caseId: ulid(),
    stationId: COUNTY.stationId,
    operator: '王强',
    seq: 7,
    at: atMin(1),
    type,
    payload,
    ...over,
  };
}

function refusal(raw: unknown): ValidationError {
  const result = safeParseEvent(raw);
  if (result.ok) throw new Error(`expected the event to be refused: ${JSON.stringify(raw)}`);
  return result.error;
}

describe('valid events', () => {
  it('the fixture covers every event type there is', () => {
    expect(Object.keys(VALID_PAYLOADS).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(EVENT_TYPE_LABELS).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) expect(EVENT_TYPE_LABELS[type]).toMatch(CJK);
  });

  it.each(EVENT_TYPES)('a well-formed %s event parses, and parsing is idempotent', (type) => {
    const raw = envelope(type, VALID_PAYLOADS[type]);
    const event = parseEvent(raw);
    expect(event.type).toBe(type);
    expect(event.id).toBe(raw.id);
    expect(event.caseId).toBe(raw.caseId);
    expect(event.seq).toBe(7);
    // what a station stores and sends must read back the same after a JSON round trip
    const again = parseEvent(JSON.parse(JSON.stringify(event)));
    expect(again).toEqual(event);
  });

  it('fills the documented defaults', () => {
    const screened = parseEvent(envelope('case.screened', { verdict: 'police' }));
    expect(screened.payload).toEqual({ verdict: 'police', reason: '' });
    const assigned = parseEvent(
      envelope('case.assigned', { lead: { kind: 'department', stationId: null, name: '市人社局' }, ackDueBy: atMin(1), feedbackDueBy: atMin(2) }),
    );
    expect(assigned.payload).toMatchObject({ assisting: [], note: '', lead: { department: null } });
    const created = parseEvent(envelope('case.created', createdPayload(H12345, 'hotline12345', { caller: { anonymous: true } as never })));
    expect(created.type === 'case.created' && created.payload.caller).toEqual({ name: '', phone: '', anonymous: true, confidential: false });
  });

  it('trims text fields', () => {
    const e = parseEvent(envelope('case.noteAdded', { text: '  已电话联系来电人  ' }));
    expect(e.type === 'case.noteAdded' && e.payload.text).toBe('已电话联系来电人');
  });

  it('accepts every time with an offset, and only those', () => {
    expect(safeParseEvent(envelope('case.urged', { text: '催办' }, { at: '2026-03-02T16:00:00+08:00' })).ok).toBe(true);
    expect(safeParseEvent(envelope('case.urged', { text: '催办' }, { at: '2026-03-02T16:00:00' })).ok).toBe(false);
    expect(safeParseEvent(envelope('case.urged', { text: '催办' }, { at: '2026-03-02' })).ok).toBe(false);
  });
});

describe('refused events name the field in Chinese', () => {
  const created = () => structuredClone(createdPayload(P110, 'police110')) as Record<string, unknown> & {
    caller: Record<string, unknown>;
    location: Record<string, unknown>;
  };

  const cases: Array<{ what: string; raw: () => unknown; field: string; says: RegExp }> = [
    { what: 'empty description', raw: () => envelope('case.created', { ...created(), description: '   ' }), field: '诉求内容', says: /不能为空/ },
    { what: 'description too long', raw: () => envelope('case.created', { ...created(), description: '水'.repeat(2001) }), field: '诉求内容', says: /2000/ },
    { what: 'empty address', raw: () => { const p = created(); p.location.address = ''; return envelope('case.created', p); }, field: '详细地址', says: /地址不能为空/ },
    { what: 'missing district', raw: () => { const p = created(); delete p.location.district; return envelope('case.created', p); }, field: '区县', says: /缺少/ },
    { what: 'unknown nature', raw: () => envelope('case.created', { ...created(), nature: 'gossip' }), field: '诉求性质', says: /请选择诉求性质/ },
    { what: 'missing channel', raw: () => { const p = created(); delete p.channel; return envelope('case.created', p); }, field: '来源渠道', says: /请选择来源渠道/ },
    { what: 'unknown urgency', raw: () => envelope('case.created', { ...created(), urgency: 'asap' }), field: '紧急程度', says: /请选择紧急程度/ },
    { what: 'bad phone', raw: () => { const p = created(); p.caller.phone = '1391234567'; return envelope('case.created', p); }, field: '联系电话', says: /电话号码格式不正确/ },
    { what: 'nobody to call back', raw: () => envelope('case.created', { ...created(), caller: { name: '', phone: '', anonymous: false } }), field: '联系电话', says: /匿名/ },
    { what: 'bad receivedAt', raw: () => envelope('case.created', { ...created(), receivedAt: '昨天下午' }), field: '接报时间', says: /时间格式不正确/ },
    { what: 'bad category code', raw: () => envelope('case.created', { ...created(), category: 'Water Supply' }), field: '诉求类别', says: /类别编码/ },
    { what: 'unknown verdict', raw: () => envelope('case.screened', { verdict: 'maybe' }), field: '甄别结论', says: /请选择甄别结论/ },
    { what: 'return without reason', raw: () => envelope('case.returned', { reason: ' ', station: WATER }), field: '理由', says: /退回理由不能为空/ },
    { what: 'feedback without text', raw: () => envelope('case.feedback', { result: 'resolved', text: '', station: WATER }), field: '内容', says: /办理情况不能为空/ },
    { what: 'empty operator', raw: () => envelope('case.urged', { text: '催办' }, { operator: '' }), field: '值班员', says: /值班员不能为空/ },
    { what: 'seq 0', raw: () => envelope('case.urged', { text: '催办' }, { seq: 0 }), field: '序号', says: /从 1 开始/ },
    { what: 'upper-case station id', raw: () => envelope('case.urged', { text: '催办' }, { stationId: 'P110-Main' }), field: '站点编号', says: /小写字母/ },
    { what: 'id not a ULID', raw: () => envelope('case.urged', { text: '催办' }, { id: 'event-1' }), field: '事件编号', says: /编号格式不正确/ },
    { what: 'missing time', raw: () => envelope('case.urged', { text: '催办' }, { at: undefined }), field: '时间', says: /缺少/ },
  ];

  it.each(cases)('$what', ({ raw, field, says }) => {
    const error = refusal(raw());
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.length).toBeGreaterThan(0);
    const issue = error.issues.find((i) => i.path === field);
    expect(issue, `issues were ${JSON.stringify(error.issues)}`).toBeDefined();
    expect(issue!.message).toMatch(says);
    expect(error.message).toContain(`${field}：`);
    for (const i of error.issues) expect(i.message).toMatch(CJK);
  });

  it('an unknown event type is refused, not ignored', () => {
    const error = refusal(envelope('case.deleted' as EventType, { text: 'x' }));
    expect(error.message).toContain('事件类型');
    expect(error.message).toContain('未知的事件类型');
    expect(refusal({ ...envelope('case.urged', { text: 'x' }), type: undefined }).message).toContain('未知的事件类型');
  });

  it('a newer envelope version is refused', () => {
    expect(refusal(envelope('case.urged', { text: '催办' }, { v: 2 })).message).toContain('不支持的事件版本');
  });

  it('a value of the wrong type is not reported as missing', () => {
    const e1 = refusal(envelope('case.urged', { text: '催办' }, { seq: 1.5 }));
    expect(e1.issues.find((i) => i.path === '序号')?.message).not.toMatch(/缺少/);
    const e2 = refusal(envelope('case.transferred', { ...VALID_PAYLOADS['case.transferred'], threeWayCall: 'yes' }));
    expect(e2.message).not.toMatch(/缺少/);
    const e3 = refusal(envelope('case.urged', { text: '催办' }, { seq: undefined }));
    expect(e3.issues.find((i) => i.path === '序号')?.message).toMatch(/缺少/);
  });

  // Every field an operator can get wrong, in every event type: the message is plain Chinese
  // (no library English left in it) and names a field.
  const enumAndRangeMistakes: Array<[EventType, (p: Record<string, unknown>) => void]> = [
    ['case.created', (p) => { p.intakeRole = 'clerk'; }],
    ['case.created', (p) => { (p.location as Record<string, unknown>).lat = 100; }],
    ['case.transferred', (p) => { (p.to as Record<string, unknown>).kind = 'friend'; }],
    ['case.acknowledged', (p) => { p.of = 'gift'; }],
    ['case.feedback', (p) => { p.result = 'done'; }],
    ['case.callback', (p) => { p.satisfaction = 'happy'; }],
    ['case.assigned', (p) => { p.assisting = Array.from({ length: 11 }, () => TO_HEAT); }],
    ['case.extensionDecided', (p) => { p.granted = 'yes'; }],
    ['shift.handover', (p) => { p.outgoing = []; }],
  ];
  it.each(enumAndRangeMistakes)('%s: a wrong choice gets a Chinese message with a field name', (type, spoil) => {
    const payload = structuredClone(VALID_PAYLOADS[type]) as Record<string, unknown>;
    spoil(payload);
    const error = refusal(envelope(type, payload));
    for (const issue of error.issues) {
      expect(issue.message).toMatch(CJK);
      expect(issue.message).not.toMatch(ENGLISH_WORD);
      expect(issue.path).not.toBe('');
      expect(issue.path).not.toBe('内容'); // the whole payload is not a field the operator can find
    }
  });

  it('garbage is refused with a ValidationError, never a crash', () => {
    for (const raw of [null, undefined, 42, 'case.created', [], {}]) {
      const r = safeParseEvent(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(CJK);
    }
    expect(() => parseEvent({})).toThrow(ValidationError);
  });
});

describe('phone numbers', () => {
  const valid = [
    '13912345678', // mobile
    '19800001111',
    '0539-8123456', // Linyi landline with area code
    '05398123456',
    '010-12345678', // Beijing, 8 digits
    '8123456', // local landline without area code
    '12345', // service numbers
    '110',
    ' 13912345678 ', // surrounding spaces are trimmed
  ];
  const invalid = [
    '12912345678', // no mobile prefix 12
    '1391234567', // 10 digits
    '139123456789', // 12 digits
    '0539-812345', // local part too short
    '0539-812345678', // local part too long
    '+8613912345678',
    '139-1234-5678',
    '1391234567a',
    '12',
    '',
    '电话',
  ];
  it.each(valid)('accepts %j', (phone) => {
    const r = PhoneSchema.safeParse(phone);
    expect(r.success).toBe(true);
    expect(r.data).toBe(phone.trim());
  });
  it.each(invalid)('refuses %j', (phone) => {
    const r = PhoneSchema.safeParse(phone);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/电话号码格式不正确/);
  });
  it('an empty phone is allowed when the caller gave a name or is anonymous', () => {
    const base = createdPayload(P110, 'police110');
    expect(safeParseEvent(envelope('case.created', { ...base, caller: { name: '张三', phone: '' } })).ok).toBe(true);
    expect(safeParseEvent(envelope('case.created', { ...base, caller: { name: '', phone: '', anonymous: true } })).ok).toBe(true);
    expect(safeParseEvent(envelope('case.created', { ...base, caller: { name: '', phone: '13912345678' } })).ok).toBe(true);
  });
});
