/**
 * The case as the fold of its events: what every list, detail view and report reads.
 */
import type { Caller, HandoverTarget, Location, StationRef } from './events';
import type {
  Channel,
  FeedbackResult,
  Nature,
  Role,
  Satisfaction,
  Status,
  Urgency,
  Verdict,
} from './vocabulary';

export interface Conflict {
  eventId: string;
  type: string;
  at: string;
  stationId: string;
  reason: string;
}

export interface CaseState {
  id: string;
  caseNo: string;
  intakeRole: Role;
  receivedBy: StationRef;
  channel: Channel;
  receivedAt: string;
  caller: Caller;
  location: Location;
  nature: Nature;
  category: string | null;
  urgency: Urgency;
  description: string;

  status: Status;
  /** first-contact responsibility: who owns the case right now */
  owner: StationRef;
  /** a hand-over sent but not yet acknowledged: it stays visible and is chased */
  awaiting: HandoverTarget | null;
  screening: { verdict: Verdict; reason: string; at: string; operator: string } | null;
  transfer: {
    to: HandoverTarget;
    threeWayCall: boolean;
    at: string;
    ackDueBy: string;
    /** county mode: the linked unit's feedback deadline */
    feedbackDueBy?: string | null;
    acknowledgedAt: string | null;
  } | null;
  assignment: {
    lead: HandoverTarget;
    assisting: HandoverTarget[];
    at: string;
    by: StationRef;
    ackDueBy: string;
    feedbackDueBy: string;
    acknowledgedAt: string | null;
  } | null;
  /** lead department code of the current assignment */
  department: string | null;
  feedback: { result: FeedbackResult; text: string; at: string; station: StationRef } | null;
  callback: { satisfaction: Satisfaction; text: string; at: string } | null;
  extension: { requestedUntil: string; reason: string; granted: boolean | null } | null;
  /** the next deadline that matters for this case, or null */
  dueAt: string | null;
  returnCount: number;
  assignmentCount: number;
  urgeCount: number;
  joinedCalls: number;
  noteCount: number;

  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  eventCount: number;
  lastEventId: string;
  lastEventType: string;
  /** every station that took part, for visibility rules */
  stations: string[];
  /** events that could not apply (two stations acted while apart); shown, never dropped */
  conflicts: Conflict[];
}
