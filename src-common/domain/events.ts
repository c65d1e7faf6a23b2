/**
 * The event envelope and every event type. A case is the fold of its events; events are
 * appended, never edited or deleted. These schemas validate events at every boundary: the
 * local store, import, and the hub.
 */
import { z } from 'zod';
import { ULID_PATTERN } from './ids';
import {
  CHANNELS,
  FEEDBACK_RESULTS,
  NATURES,
  ROLES,
  SATISFACTIONS,
  URGENCIES,
  VERDICTS,
} from './vocabulary';

export const EVENT_ENVELOPE_VERSION = 1;

const isoTime = z.iso.datetime({ offset: true, error: '时间格式不正确' });
const text = (max: number, label: string) =>
  z.string().trim().max(max, `${label}不能超过 ${max} 个字`);
const requiredText = (max: number, label: string) =>
  z.string().trim().min(1, `${label}不能为空`).max(max, `${label}不能超过 ${max} 个字`);

export const StationIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, '站点编号只能由小写字母、数字和连字符组成（2–64 位）');
export const UlidSchema = z.string().regex(ULID_PATTERN, '编号格式不正确');

/** Mainland mobile (11 digits, 1xx), landline with area code, or short service numbers. */
export const PhoneSchema = z
  .string()
  .trim()
  .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,8})$/, '电话号码格式不正确（手机 11 位，座机如 0539-8123456）');

export const StationRefSchema = z.object({
  stationId: StationIdSchema,
  name: requiredText(60, '站点名称'),
});
export type StationRef = z.infer<typeof StationRefSchema>;

export const CallerSchema = z
  .object({
    name: text(40, '求助人姓名').default(''),
    phone: z.union([PhoneSchema, z.literal('')]).default(''),
    anonymous: z.boolean().default(false),
    confidential: z.boolean().default(false),
  })
  .refine((c) => c.anonymous || c.phone !== '' || c.name !== '', {
    message: '请填写求助人姓名或电话，或勾选“匿名”',
    path: ['phone'],
  });
export type Caller = z.infer<typeof CallerSchema>;

export const LocationSchema = z.object({
  address: requiredText(200, '详细地址'),
  district: requiredText(40, '区县'),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
});
export type Location = z.infer<typeof LocationSchema>;

const CategoryCodeSchema = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, '类别编码不正确');
const DepartmentCodeSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, '部门编码不正确');

// ---- payloads -------------------------------------------------------------------------

export const CaseCreatedSchema = z.object({
  caseNo: requiredText(40, '工单编号'),
  intakeRole: z.enum(ROLES),
  station: StationRefSchema,
  channel: z.enum(CHANNELS, { error: '请选择来源渠道' }),
  receivedAt: isoTime,
  caller: CallerSchema,
  location: LocationSchema,
  nature: z.enum(NATURES, { error: '请选择诉求性质' }),
  category: CategoryCodeSchema.nullable(),
  urgency: z.enum(URGENCIES, { error: '请选择紧急程度' }),
  description: requiredText(2000, '诉求内容'),
});
export type CaseCreated = z.infer<typeof CaseCreatedSchema>;

export const CaseScreenedSchema = z.object({
  verdict: z.enum(VERDICTS, { error: '请选择甄别结论' }),
  reason: text(500, '甄别理由').default(''),
});

export const HandoverTargetSchema = z.object({
  kind: z.enum(['hotline', 'unit', 'department']),
  stationId: StationIdSchema.nullable(),
  name: requiredText(60, '接收方'),
  department: DepartmentCodeSchema.nullable().default(null),
});
export type HandoverTarget = z.infer<typeof HandoverTargetSchema>;

export const CaseTransferredSchema = z.object({
  to: HandoverTargetSchema,
  /** electronic hand-over, or a three-way call (三方通话) was held */
  threeWayCall: z.boolean(),
  note: text(500, '转办说明').default(''),
  ackDueBy: isoTime,
  /** county mode (the linked unit acts directly): when its feedback is due */
  feedbackDueBy: isoTime.optional(),
});

export const CaseNoteAddedSchema = z.object({
  text: requiredText(2000, '备注'),
});

export const CaseAssignedSchema = z.object({
  lead: HandoverTargetSchema,
  assisting: z.array(HandoverTargetSchema).max(10).default([]),
  note: text(500, '派单说明').default(''),
  ackDueBy: isoTime,
  feedbackDueBy: isoTime,
});

export const CaseAcknowledgedSchema = z.object({
  of: z.enum(['transfer', 'assignment']),
  station: StationRefSchema,
});

export const CaseReturnedSchema = z.object({
  reason: requiredText(500, '退回理由'),
  station: StationRefSchema,
});

export const CaseFeedbackSchema = z.object({
  result: z.enum(FEEDBACK_RESULTS),
  text: requiredText(2000, '办理情况'),
  station: StationRefSchema,
  /** when 12345 should call the caller back (回访), computed by the reporting desk from the time limits */
  callbackDueBy: isoTime.optional(),
});

export const CaseExtensionRequestedSchema = z.object({
  reason: requiredText(500, '延期理由'),
  until: isoTime,
});

export const CaseExtensionDecidedSchema = z.object({
  granted: z.boolean(),
  until: isoTime.nullable(),
  reason: text(500, '审批意见').default(''),
});

export const CaseUrgedSchema = z.object({
  text: requiredText(500, '督办内容'),
});

export const CaseCallbackSchema = z.object({
  satisfaction: z.enum(SATISFACTIONS),
  text: text(1000, '回访记录').default(''),
});

export const CaseClosedSchema = z.object({
  summary: text(1000, '办结说明').default(''),
});

export const CaseReopenedSchema = z.object({
  reason: requiredText(500, '重办理由'),
});

/** Another call about the same matter joined to this case (并单). */
export const CaseCallJoinedSchema = z.object({
  receivedAt: isoTime,
  caller: CallerSchema,
  description: requiredText(2000, '诉求内容'),
});

export const ShiftHandoverSchema = z.object({
  shiftStart: isoTime,
  shiftEnd: isoTime,
  outgoing: z.array(requiredText(40, '交班人')).min(1),
  incoming: z.array(text(40, '接班人')).default([]),
  notes: text(4000, '交接事项').default(''),
  /** the sheet as printed, so it can be printed again exactly as it was */
  sheet: z.record(z.string(), z.unknown()),
});

export const PAYLOAD_SCHEMAS = {
  'case.created': CaseCreatedSchema,
  'case.screened': CaseScreenedSchema,
  'case.transferred': CaseTransferredSchema,
  'case.noteAdded': CaseNoteAddedSchema,
  'case.assigned': CaseAssignedSchema,
  'case.acknowledged': CaseAcknowledgedSchema,
  'case.returned': CaseReturnedSchema,
  'case.feedback': CaseFeedbackSchema,
  'case.extensionRequested': CaseExtensionRequestedSchema,
  'case.extensionDecided': CaseExtensionDecidedSchema,
  'case.urged': CaseUrgedSchema,
  'case.callback': CaseCallbackSchema,
  'case.closed': CaseClosedSchema,
  'case.reopened': CaseReopenedSchema,
  'case.callJoined': CaseCallJoinedSchema,
  'shift.handover': ShiftHandoverSchema,
} as const;

export type EventType = keyof typeof PAYLOAD_SCHEMAS;
export const EVENT_TYPES = Object.keys(PAYLOAD_SCHEMAS) as EventType[];
export type PayloadOf<T extends EventType> = z.infer<(typeof PAYLOAD_SCHEMAS)[T]>;
export type PayloadInput<T extends EventType> = z.input<(typeof PAYLOAD_SCHEMAS)[T]>;

export const EVENT_TYPE_LABELS: Record<EventType, string> = {
  'case.created': '受理登记',
  'case.screened': '甄别',
  'case.transferred': '转办',
  'case.noteAdded': '备注',
  'case.assigned': '派单',
  'case.acknowledged': '签收',
  'case.returned': '退回',
  'case.feedback': '办理反馈',
  'case.extensionRequested': '申请延期',
  'case.extensionDecided': '延期审批',
  'case.urged': '督办',
  'case.callback': '回访',
  'case.closed': '办结',
  'case.reopened': '重办',
  'case.callJoined': '并单',
  'shift.handover': '交接班',
};

// ---- envelope -------------------------------------------------------------------------

const envelopeBase = {
  v: z.literal(EVENT_ENVELOPE_VERSION, { error: '不支持的事件版本' }),
  id: UlidSchema,
  caseId: UlidSchema,
  stationId: StationIdSchema,
  operator: requiredText(40, '值班员'),
  seq: z.number().int().min(1, '序号必须从 1 开始'),
  at: isoTime,
};

function envelopeOf<T extends EventType>(type: T) {
  return z.object({ ...envelopeBase, type: z.literal(type), payload: PAYLOAD_SCHEMAS[type] });
}

export const EventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((t) => envelopeOf(t)) as unknown as [
    ReturnType<typeof envelopeOf<EventType>>,
    ...ReturnType<typeof envelopeOf<EventType>>[],
  ],
  { error: '未知的事件类型' },
);

export type RelayEvent<T extends EventType = EventType> = {
  [K in T]: {
    v: typeof EVENT_ENVELOPE_VERSION;
    id: string;
    caseId: string;
    stationId: string;
    operator: string;
    seq: number;
    at: string;
    type: K;
    payload: PayloadOf<K>;
  };
}[T];

/** What a station asks to record; the store adds id, seq, time and station. */
export type Command<T extends EventType = EventType> = {
  [K in T]: { caseId: string; type: K; payload: PayloadInput<K> };
}[T];
