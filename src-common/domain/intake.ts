/**
 * Intake: from what the operator typed to the commands that record it. One save records
 * the case, its screening verdict and, at a 110 desk, the transfer, in one transaction.
 */
import { CaseCreatedSchema, CaseScreenedSchema, CaseTransferredSchema, type Command, type HandoverTarget } from './events';
import { ulid } from './ids';
import type { Station } from './station';
import { transferAckDueBy } from './time-limits';
import type { Channel, Nature, Urgency, Verdict } from './vocabulary';
import { chinaDateOf } from './calendar';

export interface IntakeDraft {
  channel: Channel | '';
  receivedAt: string; // ISO
  callerName: string;
  callerPhone: string;
  anonymous: boolean;
  confidential: boolean;
  address: string;
  district: string;
  nature: Nature | '';
  category: string | null;
  urgency: Urgency | '';
  description: string;
  /** screening (110 only) */
  verdict: Verdict | '';
  verdictReason: string;
  /** hand the case over at once (110: to 12345, or a linked unit in county mode) */
  transfer: null | { to: HandoverTarget; threeWayCall: boolean; note: string; feedbackDueBy?: string };
}

export type IntakeField =
  | 'channel' | 'receivedAt' | 'callerName' | 'callerPhone' | 'address' | 'district' | 'nature'
  | 'category' | 'urgency' | 'description' | 'verdict' | 'verdictReason' | 'transfer';

export function emptyDraft(station: Station, now: Date = new Date()): IntakeDraft {
  return {
    channel: station.role === 'police110' ? 'call110' : station.role === 'hotline12345' ? 'call12345' : '',
    receivedAt: now.toISOString(),
    callerName: '',
    callerPhone: '',
    anonymous: false,
    confidential: false,
    address: '',
    district: station.district,
    nature: '',
    category: null,
    urgency: 'normal',
    description: '',
    verdict: '',
    verdictReason: '',
    transfer: null,
  };
}

const PATH_TO_FIELD: Record<string, IntakeField> = {
  channel: 'channel',
  receivedAt: 'receivedAt',
  name: 'callerName',
  phone: 'callerPhone',
  address: 'address',
  district: 'district',
  nature: 'nature',
  category: 'category',
  urgency: 'urgency',
  description: 'description',
  verdict: 'verdict',
  reason: 'verdictReason',
  to: 'transfer',
};

export type IntakeErrors = Partial<Record<IntakeField, string>>;

function collect(errors: IntakeErrors, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>) {
  for (const issue of issues) {
    const key = [...issue.path].reverse().find((p): p is string => typeof p === 'string' && p in PATH_TO_FIELD);
    const field = key ? PATH_TO_FIELD[key]! : 'description';
    errors[field] ??= /[\u4e00-\u9fff]/.test(issue.message) ? issue.message : '填写不正确';
  }
}

function createdPayload(draft: IntakeDraft, station: Station, caseNo: string) {
  return {
    caseNo,
    intakeRole: station.role,
    station: { stationId: station.stationId, name: station.name },
    channel: draft.channel,
    receivedAt: draft.receivedAt,
    caller: {
      name: draft.callerName,
      phone: draft.callerPhone.replace(/\s/g, ''),
      anonymous: draft.anonymous,
      confidential: draft.confidential,
    },
    location: { address: draft.address, district: draft.district },
    nature: draft.nature,
    category: draft.category,
    urgency: draft.urgency,
    description: draft.description,
  };
}

/** Check a draft; every problem is named against its form field, in plain Chinese. */
export function validateIntake(draft: IntakeDraft, station: Station): IntakeErrors {
  const errors: IntakeErrors = {};
  const created = CaseCreatedSchema.safeParse(createdPayload(draft, station, 'draft'));
  if (!created.success) collect(errors, created.error.issues);
  if (station.role === 'police110') {
    const screened = CaseScreenedSchema.safeParse({ verdict: draft.verdict || undefined, reason: draft.verdictReason });
    if (!screened.success) collect(errors, screened.error.issues);
    if (draft.verdict === 'mixed' && !draft.verdictReason.trim()) {
      errors.verdictReason ??= '警务与非警务交织时请写明理由';
    }
    if (draft.transfer && draft.verdict === 'police') {
      errors.transfer ??= '警务类事项由 110 处置，不能转办';
    }
  }
  if (draft.transfer) {
    const t = CaseTransferredSchema.safeParse({ ...draft.transfer, ackDueBy: new Date().toISOString() });
    // every problem of the hand-over belongs to the transfer field (its `to.name` or `note`
    // must not be mistaken for the caller's name or the description)
    if (!t.success) collect(errors, t.error.issues.map((issue) => ({ ...issue, path: ['to'] })));
  }
  if (Date.parse(draft.receivedAt) > Date.now() + 5 * 60_000) errors.receivedAt ??= '接报时间不能晚于现在';
  return errors;
}

/** The commands one intake save records, in order. Call validateIntake first. */
export function intakeCommands(draft: IntakeDraft, station: Station, caseNo: string, now: Date = new Date()): Command[] {
  const caseId = ulid(now.getTime());
  const commands: Command[] = [
    { caseId, type: 'case.created', payload: createdPayload(draft, station, caseNo) as Command<'case.created'>['payload'] },
  ];
  if (station.role === 'police110' && draft.verdict) {
    commands.push({ caseId, type: 'case.screened', payload: { verdict: draft.verdict, reason: draft.verdictReason } });
  }
  if (draft.transfer && draft.urgency) {
    commands.push({
      caseId,
      type: 'case.transferred',
      payload: {
        to: draft.transfer.to,
        threeWayCall: draft.transfer.threeWayCall,
        note: draft.transfer.note,
        ackDueBy: transferAckDueBy(now.toISOString(), draft.urgency),
        ...(draft.transfer.feedbackDueBy ? { feedbackDueBy: draft.transfer.feedbackDueBy } : {}),
      },
    });
  }
  return commands;
}

/** The default receiver of a 110 transfer. */
export const HOTLINE_TARGET: HandoverTarget = { kind: 'hotline', stationId: null, name: '12345 政务服务热线', department: null };

/** The Beijing-time calendar day of an instant as YYYYMMDD (case numbers, their daily counters). */
export function caseNoDay(day: Date): string {
  return chinaDateOf(day).replaceAll('-', '');
}

/**
 * Case numbers: the Beijing-time date, station, and a per-station daily counter:
 * 20261129-p110-ab12cd-0042 (the desk's own time zone does not matter).
 */
export function formatCaseNo(stationId: string, day: Date, counter: number): string {
  return `${caseNoDay(day)}-${stationId}-${String(counter).padStart(4, '0')}`;
}
