import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  emptyDraft,
  formatCaseNo,
  HandoverTargetSchema,
  HOTLINE_TARGET,
  intakeCommands,
  parseEvent,
  StationSchema,
  ulidTime,
  validateIntake,
  type CaseState,
  type Command,
  type IntakeDraft,
  type Station,
} from '../../src-common/domain';

const CJK = /[\u4e00-\u9fff]/;
const MIN = 60_000;

const P110: Station = StationSchema.parse({ stationId: 'p110-lanshan', name: '兰山区 110 接警台', role: 'police110', district: '兰山区', operator: '王强' });
const H12345: Station = StationSchema.parse({ stationId: 'h12345-city', name: '临沂市 12345 热线', role: 'hotline12345', district: '兰山区', operator: '李娜' });
const UNIT: Station = StationSchema.parse({ stationId: 'unit-water', name: '市供水公司值班室', role: 'unit', district: '罗庄区', operator: '赵刚' });

function draft110(over: Partial<IntakeDraft> = {}): IntakeDraft {
  return {
    ...emptyDraft(P110, new Date(Date.now() - 10 * MIN)),
    callerName: '张三',
    callerPhone: '13912345678',
    address: '兰山区通达路 100 号',
    nature: 'help',
    category: 'utility.water',
    urgency: 'normal',
    description: '小区停水一天，无人处理',
    verdict: 'nonPolice',
    verdictReason: '',
    transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
    ...over,
  };
}

/** Record commands as a station would, strictly: parse each event, fold it. */
function recordStrictly(commands: Command[], station: Station, at: Date): CaseState {
  let state: CaseState | undefined;
  commands.forEach((c, i) => {
    const event = parseEvent({
      v: 1,
      id: `${c.caseId.slice(0, 25)}${'0123456789'[i]}`,
      caseId: c.caseId,
      stationId: station.stationId,
      operator: station.operator,
      seq: i + 1,
      at: at.toISOString(),
      type: c.type,
      payload: c.payload,
    });
    state = applyEvent(state, event, 'strict');
  });
  return state!;
}

describe('validateIntake', () => {
  it('a complete 110 draft has no errors', () => {
    expect(validateIntake(draft110(), P110)).toEqual({});
  });

  const problems: Array<{ what: string; draft: IntakeDraft; station?: Station; field: keyof ReturnType<typeof validateIntake>; says: RegExp }> = [
    { what: 'missing description', draft: draft110({ description: '  ' }), field: 'description', says: /诉求内容不能为空/ },
    { what: 'missing address', draft: draft110({ address: '' }), field: 'address', says: /地址不能为空/ },
    { what: 'missing district', draft: draft110({ district: '' }), field: 'district', says: /区县不能为空/ },
    { what: 'no nature chosen', draft: draft110({ nature: '' }), field: 'nature', says: /请选择诉求性质/ },
    { what: 'no channel chosen', draft: draft110({ channel: '' }), field: 'channel', says: /请选择来源渠道/ },
    { what: 'no urgency chosen', draft: draft110({ urgency: '' }), field: 'urgency', says: /请选择紧急程度/ },
    { what: 'a bad phone number', draft: draft110({ callerPhone: '139-1234-567' }), field: 'callerPhone', says: /电话号码格式不正确/ },
    { what: 'a phone with letters', draft: draft110({ callerPhone: '1391234567x' }), field: 'callerPhone', says: /电话号码格式不正确/ },
    { what: 'no caller and not anonymous', draft: draft110({ callerName: '', callerPhone: '' }), field: 'callerPhone', says: /匿名/ },
    { what: '110 without a verdict', draft: draft110({ verdict: '' }), field: 'verdict', says: /请选择甄别结论/ },
    { what: 'a mixed verdict without a reason', draft: draft110({ verdict: 'mixed', verdictReason: '  ' }), field: 'verdictReason', says: /理由/ },
    { what: 'transfer of a police verdict', draft: draft110({ verdict: 'police' }), field: 'transfer', says: /警务类事项由 110 处置/ },
    { what: 'a time in the future', draft: draft110({ receivedAt: new Date(Date.now() + 60 * MIN).toISOString() }), field: 'receivedAt', says: /不能晚于现在/ },
    { what: 'a time that is not a time', draft: draft110({ receivedAt: '今天上午' }), field: 'receivedAt', says: /时间格式不正确/ },
    { what: 'a description too long', draft: draft110({ description: '水'.repeat(2001) }), field: 'description', says: /2000/ },
    { what: 'a transfer with no receiver named', draft: draft110({ transfer: { to: { ...HOTLINE_TARGET, name: '' }, threeWayCall: false, note: '' } }), field: 'transfer', says: /接收方不能为空/ },
    { what: 'a transfer note too long', draft: draft110({ transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '转'.repeat(501) } }), field: 'transfer', says: /500/ },
  ];

  it.each(problems)('$what is named against its field, in Chinese', ({ draft, station, field, says }) => {
    const errors = validateIntake(draft, station ?? P110);
    expect(errors[field], JSON.stringify(errors)).toMatch(says);
    for (const message of Object.values(errors)) expect(message).toMatch(CJK);
  });

  it('only the field at fault is flagged', () => {
    expect(Object.keys(validateIntake(draft110({ description: '' }), P110))).toEqual(['description']);
    expect(Object.keys(validateIntake(draft110({ callerPhone: '12' }), P110))).toEqual(['callerPhone']);
    expect(Object.keys(validateIntake(draft110({ transfer: { to: { ...HOTLINE_TARGET, name: '' }, threeWayCall: false, note: '' } }), P110))).toEqual(['transfer']);
  });

  it('an anonymous caller, or one who gave only a name or only a phone, is fine', () => {
    expect(validateIntake(draft110({ callerName: '', callerPhone: '', anonymous: true }), P110)).toEqual({});
    expect(validateIntake(draft110({ callerPhone: '' }), P110)).toEqual({});
    expect(validateIntake(draft110({ callerName: '', callerPhone: '0539-8123456' }), P110)).toEqual({});
    // spaces typed into a phone number do not count against it
    expect(validateIntake(draft110({ callerPhone: '139 1234 5678' }), P110)).toEqual({});
  });

  it('a mixed verdict with a reason is fine; a police verdict kept at 110 is fine', () => {
    expect(validateIntake(draft110({ verdict: 'mixed', verdictReason: '既有纠纷又有供水问题' }), P110)).toEqual({});
    expect(validateIntake(draft110({ verdict: 'police', transfer: null }), P110)).toEqual({});
  });

  it('12345 and unit desks do not screen', () => {
    const d = { ...draft110({ verdict: '', transfer: null }), channel: 'call12345' as const };
    expect(validateIntake(d, H12345)).toEqual({});
    expect(validateIntake({ ...d, channel: 'walkIn' }, UNIT)).toEqual({});
  });
});

describe('intakeCommands', () => {
  const now = new Date('2026-03-02T08:30:00.000Z');

  it('110: created, screened and transferred, for one new case, with the acknowledgement deadline after the limit', () => {
    const d = draft110({ callerPhone: '139 1234 5678', receivedAt: '2026-03-02T08:25:00.000Z' });
    const commands = intakeCommands(d, P110, '20260302-p110-lanshan-0007', now);
    expect(commands.map((c) => c.type)).toEqual(['case.created', 'case.screened', 'case.transferred']);
    const caseId = commands[0]!.caseId;
    expect(commands.every((c) => c.caseId === caseId)).toBe(true);
    expect(ulidTime(caseId)).toBe(now.getTime());
    const [created, screened, transferred] = commands as [Command<'case.created'>, Command<'case.screened'>, Command<'case.transferred'>];
    expect(created.payload).toMatchObject({
      caseNo: '20260302-p110-lanshan-0007',
      intakeRole: 'police110',
      station: { stationId: 'p110-lanshan', name: '兰山区 110 接警台' },
      channel: 'call110',
      receivedAt: '2026-03-02T08:25:00.000Z',
      caller: { name: '张三', phone: '13912345678', anonymous: false, confidential: false },
      location: { address: '兰山区通达路 100 号', district: '兰山区' },
      nature: 'help',
      urgency: 'normal',
    });
    expect(screened.payload).toEqual({ verdict: 'nonPolice', reason: '' });
    expect(transferred.payload).toMatchObject({ to: HOTLINE_TARGET, threeWayCall: false });
    // a normal transfer must be acknowledged within 30 minutes of the save
    expect(Date.parse(transferred.payload.ackDueBy) - now.getTime()).toBe(30 * MIN);
  });

  it('an urgent transfer must be acknowledged within 5 minutes', () => {
    const commands = intakeCommands(draft110({ urgency: 'urgent' }), P110, 'X-1', now);
    const transferred = commands.find((c) => c.type === 'case.transferred') as Command<'case.transferred'>;
    expect(Date.parse(transferred.payload.ackDueBy) - now.getTime()).toBe(5 * MIN);
  });

  it('the commands are accepted by the domain: the case is transferred, 110 owns it, the deadline runs', () => {
    const commands = intakeCommands(draft110({ urgency: 'urgent' }), P110, 'X-2', now);
    const state = recordStrictly(commands, P110, now);
    expect(state).toMatchObject({
      status: 'transferred',
      owner: { stationId: P110.stationId, name: P110.name },
      awaiting: HOTLINE_TARGET,
      dueAt: new Date(now.getTime() + 5 * MIN).toISOString(),
      urgency: 'urgent',
      caseNo: 'X-2',
    });
  });

  it('110 keeping a police matter: created and screened, no transfer', () => {
    const commands = intakeCommands(draft110({ verdict: 'police', transfer: null }), P110, 'X-3', now);
    expect(commands.map((c) => c.type)).toEqual(['case.created', 'case.screened']);
    expect(recordStrictly(commands, P110, now).status).toBe('police');
  });

  it('12345 records only the creation; the case is pending with 12345', () => {
    const d = { ...draft110({ transfer: null }), channel: 'call12345' as const };
    const commands = intakeCommands(d, H12345, 'X-4', now);
    expect(commands.map((c) => c.type)).toEqual(['case.created']);
    expect(recordStrictly(commands, H12345, now)).toMatchObject({ status: 'pending', owner: { stationId: H12345.stationId } });
  });

  it('every draft validateIntake accepts records cleanly', () => {
    const draftArb = fc.record({
      callerName: fc.constantFrom('', '张三', '欧阳小明'),
      callerPhone: fc.constantFrom('', '13912345678', '0539-8123456', '139 1234 5678', '12', 'abc'),
      anonymous: fc.boolean(),
      address: fc.constantFrom('', '兰山区通达路 100 号', '  '),
      nature: fc.constantFrom('', 'consultation', 'help', 'complaint', 'suggestion', 'report'),
      urgency: fc.constantFrom('', 'urgent', 'normal'),
      description: fc.constantFrom('', '停水', '噪音扰民，夜间施工'),
      verdict: fc.constantFrom('', 'police', 'nonPolice', 'mixed'),
      verdictReason: fc.constantFrom('', '有纠纷'),
      transfer: fc.boolean(),
      role: fc.constantFrom(P110, H12345),
    });
    fc.assert(
      fc.property(draftArb, (x) => {
        const { role, transfer, ...fields } = x;
        const d = draft110({ ...(fields as Partial<IntakeDraft>), transfer: transfer ? { to: HOTLINE_TARGET, threeWayCall: true, note: '' } : null });
        if (Object.keys(validateIntake(d, role)).length > 0) return;
        const commands = intakeCommands(d, role, 'X-5', now);
        expect(() => recordStrictly(commands, role, now)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('emptyDraft, HOTLINE_TARGET and formatCaseNo', () => {
  it('starts a draft with the channel of the desk and its district', () => {
    const now = new Date('2026-03-02T08:00:00.000Z');
    expect(emptyDraft(P110, now)).toMatchObject({ channel: 'call110', district: '兰山区', receivedAt: now.toISOString(), urgency: 'normal', transfer: null });
    expect(emptyDraft(H12345, now).channel).toBe('call12345');
    expect(emptyDraft(UNIT, now)).toMatchObject({ channel: '', district: '罗庄区' });
  });

  it('the default 12345 target is a valid hand-over target', () => {
    expect(HandoverTargetSchema.safeParse(HOTLINE_TARGET).success).toBe(true);
  });

  it('formats the Beijing-time date, the station and a zero-padded counter, whatever the desk\'s time zone', () => {
    // 23:59 Beijing time, 15:59 UTC
    expect(formatCaseNo('p110-ab12cd', new Date('2026-11-29T15:59:00Z'), 42)).toBe('20261129-p110-ab12cd-0042');
    // 07:30 Beijing time on 3 March is still 2 March in UTC (and on a desk set to UTC)
    expect(formatCaseNo('p110-ab12cd', new Date('2026-03-02T23:30:00Z'), 1)).toBe('20260303-p110-ab12cd-0001');
    // 00:10 Beijing time on 1 January: the new year's numbers
    expect(formatCaseNo('h12345-x', new Date('2025-12-31T16:10:00Z'), 12345)).toBe('20260101-h12345-x-12345');
  });
});
