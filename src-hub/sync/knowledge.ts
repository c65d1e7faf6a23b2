/**
 * Judging a pushed event by the case as its station knew it when recording it.
 *
 * A station checks every event it records against its own copy of the case (role-rules.ts:
 * refusalForRole). The hub checks again, because a station may run old or altered software,
 * but it must judge by the same view, not by the case as the hub knows it now: two desks that
 * acted on one case while apart both acted rightly on what they knew, and both events are
 * kept (the fold shows the conflict). So the hub rebuilds what the station knew:
 *
 * - its own earlier events (seq below the event's), held or accepted earlier in this batch;
 * - every other event the hub had delivered to it up to the pull cursor it had applied when
 *   it recorded the event — the `basis` the station sends with each event (PushRequest), never
 *   beyond the furthest cursor the hub has handed to that station (`station_pull`). An event
 *   sent without a basis is judged at that furthest cursor.
 *
 * An event refused in that view is a transition the station could not lawfully record
 * (feedback on an item nobody acknowledged, closing without feedback, acting on a case it
 * never saw): it is rejected with the domain's own reason. An event that arrives before some
 * of its station's earlier ones (a gap below its seq that is neither held nor refused: batches
 * delivered out of order) cannot be judged fairly yet and is kept unjudged, as concurrent acts
 * are.
 *
 * Extensions are judged by the shipped time limits and the hub's calendar (the shipped years
 * and those loaded at the hub: calendar/calendar-years.ts): at most one granted per
 * assignment, later than the deadline they move, and not past the cap from the assignment by
 * more than EXTENSION_CAP_SLACK_DAYS (the desk counts the cap on its own calendar, which may
 * hold a schedule an administrator loaded at that desk alone).
 *
 * Pure: the caller loads the rows (push.ts) and keeps this in step with what it accepts.
 */
import {
  applyEvent,
  defaultCalendar,
  defaultTimeLimitRules,
  EXTENSION_CAP_SLACK_DAYS,
  extensionEventRefusal,
  foldCase,
  refusalForRole,
  type CaseState,
  type RelayEvent,
  type WorkCalendar,
} from '../../src-common/domain';
import type { StationInfo } from '../../src-common/protocol/v1';
import { compareCursor, type Cursor } from './cursor';

const HUB_RULES = defaultTimeLimitRules();

/** An event of the log on one of the batch's cases. */
export interface LoggedEvent {
  hubSeq: number;
  event: RelayEvent;
}

/** A logged event as judging reads it: with its hub number (shared by every view; never changed). */
interface KnownEvent {
  hubSeq: number;
  stamped: Readonly<RelayEvent & { hubSeq: number }>;
}

export interface KnowledgeInput {
  me: StationInfo;
  /** the held events of the cases the batch touches, any order */
  logged: readonly LoggedEvent[];
  /** caseId → granted_seq of `me` on that case (absent: the case was never visible to it) */
  grants: ReadonlyMap<string, number>;
  /** the furthest pull cursor handed to `me` so far (START when it never pulled) */
  handedOut: Cursor;
  /**
   * the station's seqs settled before this push: every seq ≤ contiguous is held, and these
   * above it are held or were refused (a refused seq is never sent again)
   */
  contiguousSeq: number;
  heldAbove: Iterable<number>;
  /** the working-day calendar extensions are judged on (default: the shipped years) */
  calendar?: WorkCalendar;
}

/**
 * The last view folded of a case: the events known (in byCase order), the state they fold to,
 * and what tells whether a later view only adds events that fold after all of them.
 */
interface FoldedView {
  events: ReadonlyArray<Readonly<RelayEvent & { hubSeq: number }>>;
  state: CaseState | undefined;
  /** the highest hub number among `events` */
  maxHubSeq: number;
  /** per station, its highest seq among `events` */
  maxSeq: Map<string, number>;
}

export class StationKnowledge {
  private readonly byCase = new Map<string, KnownEvent[]>();
  /** caseId → the view its last judged event was folded from */
  private readonly folded = new Map<string, FoldedView>();
  private contiguous: number;
  private readonly above: Set<number>;

  constructor(private readonly input: KnowledgeInput) {
    for (const l of input.logged) this.add(l);
    this.contiguous = input.contiguousSeq;
    this.above = new Set(input.heldAbove);
    this.advance();
  }

  private add(l: LoggedEvent): void {
    // the event with its hub number, made once: every later event of the case is judged on it
    const known: KnownEvent = { hubSeq: l.hubSeq, stamped: { ...l.event, hubSeq: l.hubSeq } };
    const list = this.byCase.get(l.event.caseId);
    if (list) list.push(known);
    else this.byCase.set(l.event.caseId, [known]);
  }

  private advance(): void {
    while (this.above.delete(this.contiguous + 1)) this.contiguous++;
  }

  /** The basis to judge by: what the station claims, never beyond what it was handed. */
  basisFor(claimed: Cursor | undefined): Cursor {
    const handed = this.input.handedOut;
    if (!claimed) return handed;
    return compareCursor(claimed, handed) <= 0 ? claimed : handed;
  }

  /** Whether the hub holds every earlier event of the station, so `event` can be judged. */
  canJudge(event: RelayEvent): boolean {
    return this.contiguous >= event.seq - 1;
  }

  /** What the station knew of the event's case: own earlier events and those delivered up to basis. */
  knownEvents(event: RelayEvent, basis: Cursor): Array<Readonly<RelayEvent & { hubSeq: number }>> {
    const me = this.input.me.stationId;
    const grant = this.input.grants.get(event.caseId);
    const out: Array<Readonly<RelayEvent & { hubSeq: number }>> = [];
    for (const l of this.byCase.get(event.caseId) ?? []) {
      const e = l.stamped;
      let known: boolean;
      if (e.stationId === me) known = e.seq < event.seq;
      else if (grant === undefined) known = false;
      else known = compareCursor({ pos: Math.max(l.hubSeq, grant), hubSeq: l.hubSeq }, basis) <= 0;
      if (known) out.push(e);
    }
    return out;
  }

  /**
   * Why the station could not have recorded `event` (plain words), or null when it could, or
   * when it cannot be judged yet (a gap below its seq).
   */
  refusal(event: RelayEvent, claimed: Cursor | undefined): string | null {
    if (!this.canJudge(event)) return null;
    const state = this.stateFor(event, claimed);
    return refusalForRole(state, event, this.input.me) ?? extensionEventRefusal(HUB_RULES, this.input.calendar ?? defaultCalendar(), state, event, { capSlackDays: EXTENSION_CAP_SLACK_DAYS });
  }

  /** The case as the station knew it when it recorded `event`: foldCase of knownEvents. */
  stateFor(event: RelayEvent, claimed: Cursor | undefined): CaseState | undefined {
    return this.fold(event.caseId, this.knownEvents(event, this.basisFor(claimed)));
  }

  /**
   * foldCase(events), from the case's last folded view when `events` is that view and more,
   * each added event folding after all before it (the usual push: a station's events on its
   * cases, each judged on its own earlier ones). In fold order (orderForFold: hub order, a
   * station's events kept in their seq) an added event goes last when its hub number is above
   * every other and its seq above its station's others: it then moves no other event's place.
   */
  private fold(caseId: string, events: ReadonlyArray<Readonly<RelayEvent & { hubSeq: number }>>): CaseState | undefined {
    const view = this.folded.get(caseId);
    let extends_ = view !== undefined && events.length >= view.events.length;
    for (let i = 0; extends_ && i < view!.events.length; i++) extends_ = events[i] === view!.events[i];
    if (extends_) {
      let { state, maxHubSeq } = view!;
      const maxSeq = new Map(view!.maxSeq);
      for (let i = view!.events.length; extends_ && i < events.length; i++) {
        const e = events[i]!;
        if (e.hubSeq <= maxHubSeq || e.seq <= (maxSeq.get(e.stationId) ?? -Infinity)) {
          extends_ = false;
          break;
        }
        maxHubSeq = e.hubSeq;
        maxSeq.set(e.stationId, e.seq);
        // as foldCase does: hand-over sheets are not case events; nothing before the creation
        if (e.type !== 'shift.handover' && (state || e.type === 'case.created')) state = applyEvent(state, e, 'replay');
      }
      if (extends_) {
        this.folded.set(caseId, { events, state, maxHubSeq, maxSeq });
        return state;
      }
    }
    const state = foldCase(events);
    const maxSeq = new Map<string, number>();
    let maxHubSeq = -Infinity;
    for (const e of events) {
      maxHubSeq = Math.max(maxHubSeq, e.hubSeq);
      maxSeq.set(e.stationId, Math.max(maxSeq.get(e.stationId) ?? -Infinity, e.seq));
    }
    this.folded.set(caseId, { events, state, maxHubSeq, maxSeq });
    return state;
  }

  /** Record that `event` was accepted with `hubSeq` (later events of the batch build on it). */
  accepted(event: RelayEvent, hubSeq: number): void {
    this.add({ hubSeq, event });
    if (event.stationId === this.input.me.stationId) this.settled(event.seq);
  }

  /** Record that the station's `seq` is settled in this batch without being held (refused). */
  settled(seq: number): void {
    if (seq > this.contiguous) {
      this.above.add(seq);
      this.advance();
    }
  }
}
