/**
 * The shift handover sheet (交接班表): what one shift leaves the next at one station. Built
 * from the events the station holds, as a plain JSON object that goes inside the
 * 'shift.handover' event (payload.sheet), so it can be printed again exactly as it was.
 *
 * Times: every window is half-open, `shiftStart <= event.at < shiftEnd`, so two shifts that
 * meet never both count an event. `event.at` is when the event was recorded at its desk.
 * Only events the case allowed count (a conflicting event, see case-replay.ts, does not).
 *
 * Paper shows personal data masked by default: print `maskSheet(buildHandoverSheet(...))`
 * (masking.ts). Store the sheet that was printed.
 *
 * Pure: no Electron, React, Dexie or HTTP.
 */
import { z } from 'zod';
import type { CaseState } from '../domain/case-state';
import type { Catalogue } from '../domain/catalogue';
import { findCategory, findDepartment } from '../domain/catalogue';
import { EVENT_TYPE_LABELS, ShiftHandoverSchema, type EventType, type PayloadOf } from '../domain/events';
import { targetMatchesStation, type StationIdentity } from '../domain/handover-target';
import type { Station } from '../domain/station';
import { caseDeadlineState, DEADLINE_LABELS, type DeadlineState } from '../domain/time-limits';
import { toValidationError } from '../domain/validation';
import {
  ROLE_LABELS,
  ROLES,
  STATUS_LABELS,
  STATUSES,
  URGENCIES,
  URGENCY_LABELS,
} from '../domain/vocabulary';
import { epochMs, replayCases, type HeldEvent } from './case-replay';
import { ANONYMOUS_LABEL, maskCallerInText, maskName, maskPhone } from './masking';

export const HANDOVER_SHEET_VERSION = 1 as const;

/** Longest item summary on the sheet (characters of the description). */
export const SUMMARY_MAX_CHARS = 60;

const DEADLINE_STATES = ['none', 'onTime', 'dueSoon', 'overdue'] as const satisfies readonly DeadlineState[];
const EVENT_TYPE_KEYS = Object.keys(EVENT_TYPE_LABELS) as [EventType, ...EventType[]];

// ---------------------------------------------------------------------------------------
// The sheet: a schema, so a stored sheet is checked when it is read back for reprinting
// ---------------------------------------------------------------------------------------

const SheetStationSchema = z.object({
  stationId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  roleLabel: z.string(),
  district: z.string(),
});

const SheetPartySchema = z.object({ stationId: z.string().nullable(), name: z.string() });

/** The counts of the shift, all within the shift window, all of this station's work. */
const SheetCountsSchema = z.object({
  /** 受理: case.created recorded at this station */
  received: z.number().int(),
  /** 甄别为非警务: case.screened by this station with verdict nonPolice or mixed */
  screenedNonPolice: z.number().int(),
  /** 转办: case.transferred by this station */
  transferred: z.number().int(),
  /** 派单: case.assigned by this station */
  assigned: z.number().int(),
  /** 签收: case.acknowledged by this station (of a transfer or an assignment) */
  acknowledged: z.number().int(),
  /**
   * 办理反馈: case.feedback on a case this station owned just before the feedback (a unit
   * reporting its own work) or whose current assignment this station made (12345 receiving
   * the report)
   */
  feedback: z.number().int(),
  /** 办结: case.closed by this station */
  closed: z.number().int(),
  /** 退回: entries of kind 'returned' in `changes` */
  returned: z.number().int(),
  /** 改派: entries of kind 'reassigned' in `changes` */
  reassigned: z.number().int(),
});

const OpenItemSchema = z.object({
  caseId: z.string(),
  caseNo: z.string(),
  receivedAt: z.string(),
  /** owner: this station holds the case (first-contact responsibility); awaiting: a hand-over to this station waits for its acknowledgement */
  relation: z.enum(['owner', 'awaiting']),
  relationLabel: z.string(),
  status: z.enum(STATUSES),
  statusLabel: z.string(),
  owner: SheetPartySchema,
  /** the hand-over waiting for acknowledgement, if any */
  awaiting: SheetPartySchema.nullable(),
  urgency: z.enum(URGENCIES),
  urgencyLabel: z.string(),
  category: z.string().nullable(),
  categoryName: z.string(),
  /** lead department of the current assignment (short name), or null */
  departmentName: z.string().nullable(),
  /** the case's next deadline (CaseState.dueAt) */
  dueAt: z.string().nullable(),
  deadline: z.enum(DEADLINE_STATES),
  deadlineLabel: z.string(),
  caller: z.object({ name: z.string(), phone: z.string(), anonymous: z.boolean(), confidential: z.boolean() }),
  address: z.string(),
  district: z.string(),
  /** the description, cut to SUMMARY_MAX_CHARS characters */
  summary: z.string(),
  urgeCount: z.number().int(),
  returnCount: z.number().int(),
});

const ChangeItemSchema = z.object({
  kind: z.enum(['returned', 'reassigned']),
  kindLabel: z.string(),
  caseId: z.string(),
  caseNo: z.string(),
  at: z.string(),
  operator: z.string(),
  /** what was returned: a transfer (转办) or an assignment (派单); always assignment for a reassignment */
  of: z.enum(['transfer', 'assignment']),
  /** returned: the station that sent it back; reassigned: the previous lead */
  from: z.string(),
  /** returned: who owns it again; reassigned: the new lead */
  to: z.string(),
  /** returned: its reason; reassigned: the reason of the return (or reopening) before it, else the assignment note */
  reason: z.string(),
});

const UnsyncedGroupSchema = z.object({
  caseId: z.string(),
  /** null for an event that belongs to no case (a shift handover) or a case not known here */
  caseNo: z.string().nullable(),
  events: z.array(
    z.object({
      id: z.string(),
      type: z.enum(EVENT_TYPE_KEYS),
      typeLabel: z.string(),
      at: z.string(),
      operator: z.string(),
      seq: z.number().int(),
    }),
  ),
});

export const HandoverSheetSchema = z.object({
  version: z.literal(HANDOVER_SHEET_VERSION),
  generatedAt: z.string(),
  /** true when personal data is masked (maskSheet) */
  masked: z.boolean(),
  station: SheetStationSchema,
  shift: z.object({ start: z.string(), end: z.string() }),
  /** outgoing operators (交班人) */
  operators: z.array(z.string()),
  counts: SheetCountsSchema,
  openItems: z.array(OpenItemSchema),
  changes: z.array(ChangeItemSchema),
  unsynced: z.object({ total: z.number().int(), cases: z.array(UnsyncedGroupSchema) }),
  notes: z.string(),
  signatures: z.object({
    outgoing: z.object({ label: z.string(), names: z.array(z.string()) }),
    incoming: z.object({ label: z.string(), names: z.array(z.string()) }),
  }),
});

export type HandoverSheet = z.infer<typeof HandoverSheetSchema>;
export type HandoverCounts = z.infer<typeof SheetCountsSchema>;
export type HandoverOpenItem = z.infer<typeof OpenItemSchema>;
export type HandoverChange = z.infer<typeof ChangeItemSchema>;
export type HandoverUnsyncedGroup = z.infer<typeof UnsyncedGroupSchema>;

/** Labels the sheet uses besides the domain vocabulary. */
export const HANDOVER_LABELS = {
  title: '交接班表',
  counts: {
    received: '受理',
    screenedNonPolice: '甄别为非警务',
    transferred: '转办',
    assigned: '派单',
    acknowledged: '签收',
    feedback: '办理反馈',
    closed: '办结',
    returned: '退回',
    reassigned: '改派',
  } satisfies Record<keyof HandoverCounts, string>,
  relation: { owner: '本站负责', awaiting: '待本站签收' },
  change: { returned: '退回', reassigned: '改派' },
  of: { transfer: '转办', assignment: '派单' },
  uncategorised: '未分类',
  signatureOutgoing: '交班人签字',
  signatureIncoming: '接班人签字',
  openItems: '未办结事项',
  changes: '本班退回/改派',
  unsynced: '尚未送达汇聚中心的记录（仅存于本机）',
  notes: '交接事项',
} as const;

// ---------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------

export interface HandoverSheetInput {
  /** with its department (a unit's duty room): hand-overs to the department wait for it too */
  station: Pick<Station, 'stationId' | 'name' | 'role' | 'district'> & { department?: string | null };
  /** ISO; the window is shiftStart <= at < shiftEnd */
  shiftStart: string;
  shiftEnd: string;
  /** outgoing operators */
  operators: string[];
  /** every event this station holds, in any order */
  events: readonly HeldEvent[];
  /** ids of this station's events not yet delivered to the hub */
  unsyncedEventIds: ReadonlySet<string>;
  /** ISO; when the sheet is made: deadline states are as of this moment */
  now: string;
  catalogue: Catalogue;
}

/** a character that can be part of a written phone number */
const PHONE_CHAR = /[\d+\-*]/;

/**
 * The description shortened for the sheet. The cut never falls inside a run of digits: a
 * phone number cut short would no longer be recognised, and masked, as one.
 */
function summaryOf(description: string): string {
  const chars = Array.from(description.replace(/\s+/g, ' ').trim());
  if (chars.length <= SUMMARY_MAX_CHARS) return chars.join('');
  let cut = SUMMARY_MAX_CHARS;
  // back over a number the cut would split (digits, +, -, and the spaces between its groups)
  const inNumber = (i: number) => PHONE_CHAR.test(chars[i]!) || (chars[i] === ' ' && i > 0 && PHONE_CHAR.test(chars[i - 1]!) && PHONE_CHAR.test(chars[i + 1] ?? ''));
  if (inNumber(cut)) while (cut > 0 && inNumber(cut - 1)) cut--;
  return `${chars.slice(0, cut).join('').trimEnd()}…`;
}

function categoryName(catalogue: Catalogue, code: string | null): string {
  if (code === null) return HANDOVER_LABELS.uncategorised;
  return findCategory(catalogue, code)?.name ?? code;
}

function departmentName(catalogue: Catalogue, code: string | null): string | null {
  if (code === null) return null;
  return findDepartment(catalogue, code)?.short ?? code;
}

/** Overdue first, then urgent, then by due time (no deadline last), then received, then case number. */
export function compareOpenItems(a: HandoverOpenItem, b: HandoverOpenItem): number {
  const rank = (i: HandoverOpenItem) => (i.deadline === 'overdue' ? 0 : i.urgency === 'urgent' ? 1 : 2);
  const due = (i: HandoverOpenItem) => (i.dueAt === null ? Number.POSITIVE_INFINITY : epochMs(i.dueAt));
  return (
    rank(a) - rank(b) ||
    due(a) - due(b) ||
    epochMs(a.receivedAt) - epochMs(b.receivedAt) ||
    (a.caseNo < b.caseNo ? -1 : a.caseNo > b.caseNo ? 1 : 0)
  );
}

function openItemOf(state: CaseState, station: StationIdentity, now: number, catalogue: Catalogue): HandoverOpenItem {
  // the same reading of the deadline as the desk's queue and alerts (its own window)
  const deadline = caseDeadlineState(state, now);
  const c = state.caller;
  const name = c.anonymous ? ANONYMOUS_LABEL : c.name;
  // waiting for this station: named, or sent to the hotline or its department (stationId null)
  const awaitingMe = targetMatchesStation(state.awaiting, station);
  return {
    caseId: state.id,
    caseNo: state.caseNo,
    receivedAt: state.receivedAt,
    relation: awaitingMe ? 'awaiting' : 'owner',
    relationLabel: awaitingMe ? HANDOVER_LABELS.relation.awaiting : HANDOVER_LABELS.relation.owner,
    status: state.status,
    statusLabel: STATUS_LABELS[state.status],
    owner: { stationId: state.owner.stationId, name: state.owner.name },
    awaiting: state.awaiting ? { stationId: state.awaiting.stationId, name: state.awaiting.name } : null,
    urgency: state.urgency,
    urgencyLabel: URGENCY_LABELS[state.urgency],
    category: state.category,
    categoryName: categoryName(catalogue, state.category),
    departmentName: departmentName(catalogue, state.department),
    dueAt: state.dueAt,
    deadline,
    deadlineLabel: DEADLINE_LABELS[deadline],
    caller: {
      // a confidential caller (保密) is masked on every sheet
      name: c.confidential && !c.anonymous ? maskName(name) : name,
      phone: c.confidential ? maskPhone(c.phone) : c.phone,
      anonymous: c.anonymous,
      confidential: c.confidential,
    },
    address: state.location.address,
    district: state.location.district,
    // a confidential caller's number and name are masked in the text too, on every sheet
    summary: c.confidential ? maskCallerInText(summaryOf(state.description), { name: c.name, anonymous: c.anonymous }) : summaryOf(state.description),
    urgeCount: state.urgeCount,
    returnCount: state.returnCount,
  };
}

/**
 * Build the handover sheet of one station for one shift. See HandoverSheetSchema for every
 * field; in short:
 * - counts: this station's work within the window (SheetCountsSchema);
 * - openItems: every case not closed (as folded from all events held) that this station owns
 *   or that waits for this station's acknowledgement, sorted by compareOpenItems;
 * - changes: within the window, every return (case.returned) this station made or that
 *   sent a case back to this station, and every reassignment (case.assigned on a case that
 *   had an earlier assignment) this station made, received, or lost a case by;
 * - unsynced: this station's events not yet at the hub, grouped by case, in recording order;
 * - notes '' and signature slots, filled by handoverPayload.
 */
export function buildHandoverSheet(input: HandoverSheetInput): HandoverSheet {
  const { station, catalogue } = input;
  const S = station.stationId;
  const me: StationIdentity = { stationId: S, role: station.role, department: station.department ?? null };
  const operators = input.operators.map((n) => n.trim()).filter((n) => n !== '');
  const from = epochMs(input.shiftStart);
  const to = epochMs(input.shiftEnd);
  const now = epochMs(input.now);
  const inShift = (at: string) => {
    const t = epochMs(at);
    return t >= from && t < to;
  };

  const counts: HandoverCounts = {
    received: 0,
    screenedNonPolice: 0,
    transferred: 0,
    assigned: 0,
    acknowledged: 0,
    feedback: 0,
    closed: 0,
    returned: 0,
    reassigned: 0,
  };
  const openItems: HandoverOpenItem[] = [];
  const changes: HandoverChange[] = [];
  const caseNos = new Map<string, string>();

  for (const replay of replayCases(input.events)) {
    if (replay.final) caseNos.set(replay.caseId, replay.final.caseNo);
    // the reason of the latest return or reopening since the last assignment
    let lastReason: string | null = null;
    for (const { event: e, before, after, applied } of replay.steps) {
      if (!applied || !after) continue;
      if (e.type === 'case.returned') lastReason = e.payload.reason;
      if (e.type === 'case.reopened') lastReason = e.payload.reason;
      const reasonBeforeAssignment = lastReason;
      if (e.type === 'case.assigned') lastReason = null;
      if (!inShift(e.at)) continue;
      const mine = e.stationId === S;
      switch (e.type) {
        case 'case.created':
          if (mine) counts.received++;
          break;
        case 'case.screened':
          if (mine && e.payload.verdict !== 'police') counts.screenedNonPolice++;
          break;
        case 'case.transferred':
          if (mine) counts.transferred++;
          break;
        case 'case.assigned': {
          if (mine) counts.assigned++;
          const previous = before?.assignment ?? null;
          if (before && before.assignmentCount >= 1 && previous) {
            const party = mine || e.payload.lead.stationId === S || previous.lead.stationId === S;
            if (party) {
              changes.push({
                kind: 'reassigned',
                kindLabel: HANDOVER_LABELS.change.reassigned,
                caseId: e.caseId,
                caseNo: after.caseNo,
                at: e.at,
                operator: e.operator,
                of: 'assignment',
                from: previous.lead.name,
                to: e.payload.lead.name,
                reason: reasonBeforeAssignment ?? e.payload.note,
              });
            }
          }
          break;
        }
        case 'case.acknowledged':
          if (mine) counts.acknowledged++;
          break;
        case 'case.returned': {
          if (mine || after.owner.stationId === S) {
            changes.push({
              kind: 'returned',
              kindLabel: HANDOVER_LABELS.change.returned,
              caseId: e.caseId,
              caseNo: after.caseNo,
              at: e.at,
              operator: e.operator,
              of: before?.status === 'transferred' ? 'transfer' : 'assignment',
              from: e.payload.station.name,
              to: after.owner.name,
              reason: e.payload.reason,
            });
          }
          break;
        }
        case 'case.feedback':
          if (mine || before?.owner.stationId === S || before?.assignment?.by.stationId === S) counts.feedback++;
          break;
        case 'case.closed':
          if (mine) counts.closed++;
          break;
        default:
          break;
      }
    }
    const state = replay.final;
    if (state && state.status !== 'closed' && (state.owner.stationId === S || targetMatchesStation(state.awaiting, me))) {
      openItems.push(openItemOf(state, me, now, catalogue));
    }
  }

  openItems.sort(compareOpenItems);
  changes.sort((a, b) => epochMs(a.at) - epochMs(b.at) || (a.caseNo < b.caseNo ? -1 : a.caseNo > b.caseNo ? 1 : 0));
  counts.returned = changes.filter((c) => c.kind === 'returned').length;
  counts.reassigned = changes.filter((c) => c.kind === 'reassigned').length;

  // events that exist only on this PC, grouped by case, in recording order
  const unsent = input.events
    .filter((e) => input.unsyncedEventIds.has(e.id))
    .sort((a, b) => a.seq - b.seq || epochMs(a.at) - epochMs(b.at) || (a.id < b.id ? -1 : 1));
  const groups = new Map<string, HandoverUnsyncedGroup>();
  for (const e of unsent) {
    let g = groups.get(e.caseId);
    if (!g) {
      g = { caseId: e.caseId, caseNo: e.type === 'shift.handover' ? null : (caseNos.get(e.caseId) ?? null), events: [] };
      groups.set(e.caseId, g);
    }
    g.events.push({ id: e.id, type: e.type, typeLabel: EVENT_TYPE_LABELS[e.type], at: e.at, operator: e.operator, seq: e.seq });
  }

  return {
    version: HANDOVER_SHEET_VERSION,
    generatedAt: input.now,
    masked: false,
    station: {
      stationId: station.stationId,
      name: station.name,
      role: station.role,
      roleLabel: ROLE_LABELS[station.role],
      district: station.district,
    },
    shift: { start: input.shiftStart, end: input.shiftEnd },
    operators,
    counts,
    openItems,
    changes,
    unsynced: { total: unsent.length, cases: [...groups.values()] },
    notes: '',
    signatures: {
      outgoing: { label: HANDOVER_LABELS.signatureOutgoing, names: [...operators] },
      incoming: { label: HANDOVER_LABELS.signatureIncoming, names: [] },
    },
  };
}

// ---------------------------------------------------------------------------------------
// Storing and reading back
// ---------------------------------------------------------------------------------------

/**
 * The payload of the 'shift.handover' event that records a sheet: the notes and incoming
 * operators are written into the sheet too, so the stored sheet is the one printed. Checked
 * with ShiftHandoverSchema; throws ValidationError (plain Chinese) when, e.g., no outgoing
 * operator is named.
 */
export function handoverPayload(
  sheet: HandoverSheet,
  fill: { incoming?: string[]; notes?: string } = {},
): PayloadOf<'shift.handover'> {
  const incoming = (fill.incoming ?? sheet.signatures.incoming.names).map((n) => n.trim()).filter((n) => n !== '');
  const notes = fill.notes ?? sheet.notes;
  const finished: HandoverSheet = {
    ...sheet,
    notes,
    signatures: { ...sheet.signatures, incoming: { ...sheet.signatures.incoming, names: incoming } },
  };
  const result = ShiftHandoverSchema.safeParse({
    shiftStart: sheet.shift.start,
    shiftEnd: sheet.shift.end,
    outgoing: sheet.operators,
    incoming,
    notes,
    // a JSON copy: what is stored is exactly what JSON can carry
    sheet: JSON.parse(JSON.stringify(finished)) as Record<string, unknown>,
  });
  if (!result.success) throw toValidationError(result.error);
  return result.data;
}

/** Read a stored sheet back (payload.sheet) for reprinting; throws ValidationError if it is not a version-1 sheet. */
export function readHandoverSheet(stored: unknown): HandoverSheet {
  const result = HandoverSheetSchema.safeParse(stored);
  if (!result.success) throw toValidationError(result.error);
  return result.data;
}
