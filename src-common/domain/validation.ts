/**
 * Turning schema failures into messages an operator understands, and the one entry point
 * that validates an event at a boundary.
 */
import type { z } from 'zod';
import { EventSchema, type RelayEvent } from './events';

const FIELD_LABELS: Record<string, string> = {
  caseNo: '工单编号',
  channel: '来源渠道',
  receivedAt: '接报时间',
  caller: '求助人',
  name: '姓名',
  phone: '联系电话',
  location: '地点',
  address: '详细地址',
  district: '区县',
  nature: '诉求性质',
  category: '诉求类别',
  urgency: '紧急程度',
  description: '诉求内容',
  verdict: '甄别结论',
  reason: '理由',
  to: '接收方',
  text: '内容',
  operator: '值班员',
  stationId: '站点编号',
  seq: '序号',
  at: '时间',
  type: '事件类型',
  id: '事件编号',
  caseId: '工单编号',
  payload: '内容',
  v: '事件版本',
  intakeRole: '受理岗位',
  station: '站点',
  lat: '纬度',
  lng: '经度',
  kind: '接收方类型',
  department: '部门编码',
  threeWayCall: '三方通话',
  ackDueBy: '签收时限',
  feedbackDueBy: '反馈时限',
  lead: '主办单位',
  assisting: '协办单位',
  note: '说明',
  of: '签收类型',
  result: '办理结果',
  until: '延期至',
  granted: '审批结论',
  satisfaction: '满意度',
  summary: '办结说明',
  anonymous: '匿名',
  confidential: '保密',
  shiftStart: '交班开始时间',
  shiftEnd: '交班结束时间',
  outgoing: '交班人',
  incoming: '接班人',
  notes: '交接事项',
  sheet: '交接班表',
};

const CJK = /[\u4e00-\u9fff]/;

export class ValidationError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => (i.path ? `${i.path}：${i.message}` : i.message)).join('；'));
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

function pathLabel(path: ReadonlyArray<PropertyKey>): string {
  const named = path
    .filter((p): p is string => typeof p === 'string')
    .map((p) => FIELD_LABELS[p])
    .filter((p): p is string => Boolean(p));
  return named.at(-1) ?? '';
}

function plainMessage(issue: z.core.$ZodIssue): string {
  // zod's own English defaults are replaced by plain Chinese for the common cases. Whether a
  // value was missing or merely of the wrong type: zod reports the input only when asked
  // (parseEvent asks); otherwise its message says what it received.
  switch (issue.code) {
    case 'invalid_type': {
      const missing = 'input' in issue ? issue.input === undefined : /received undefined/.test(issue.message);
      return missing ? '缺少此项' : '类型不正确';
    }
    case 'unrecognized_keys':
      return `含有无法识别的字段：${issue.keys.join('、')}`;
  }
  if (CJK.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_value':
      return '不是可选的值';
    case 'too_big':
      return issue.origin === 'array' ? `不能超过 ${String(issue.maximum)} 项` : `不能大于 ${String(issue.maximum)}`;
    case 'too_small':
      return issue.origin === 'array' ? `至少要有 ${String(issue.minimum)} 项` : `不能小于 ${String(issue.minimum)}`;
    default:
      return '填写不正确';
  }
}

export function toValidationError(error: z.ZodError): ValidationError {
  return new ValidationError(
    error.issues.map((issue) => ({ path: pathLabel(issue.path), message: plainMessage(issue) })),
  );
}

/** Parse something claiming to be an event; throws ValidationError with plain words. */
export function parseEvent(raw: unknown): RelayEvent {
  const result = EventSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw toValidationError(result.error);
  return result.data as RelayEvent;
}

export function safeParseEvent(raw: unknown): { ok: true; event: RelayEvent } | { ok: false; error: ValidationError } {
  try {
    return { ok: true, event: parseEvent(raw) };
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, error: e };
    throw e;
  }
}
