/**
 * The station ⇄ hub protocol, version 1. Both ends import these schemas; docs/protocol.md
 * describes them for other implementers, with JSON Schemas generated from this file.
 *
 * - GET  /api/v1/health                       no auth
 * - GET  /api/v1/stations/me                  who the token belongs to
 * - POST /api/v1/events                       push a batch (PushRequest -> PushResponse)
 * - GET  /api/v1/events?after=CURSOR&limit=N  pull (PullResponse)
 * - GET  /api/v1/calendar?after=REVISION      working-day calendar years loaded at the hub (CalendarResponse)
 *
 * Every request but health carries `Authorization: Bearer TOKEN`. Errors are JSON
 * (ErrorBody) with a 4xx for anything the client sent wrong and a 5xx only for the hub's own
 * faults.
 */
import { z } from 'zod';
import { CalendarYearSchema } from '../domain/calendar';
import { ROLES } from '../domain/vocabulary';

export const PROTOCOL_VERSION = 1;
export const API_PREFIX = '/api/v1';

/** Limits of one push: count and bytes of the JSON body. */
export const MAX_PUSH_EVENTS = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;
export const DEFAULT_PULL_LIMIT = 500;
export const MAX_PULL_LIMIT = 2000;

export const HealthSchema = z.object({
  ok: z.literal(true),
  service: z.literal('relay-hub'),
  protocol: z.number().int(),
  time: z.string(),
  database: z.enum(['pglite', 'postgres']),
});
export type Health = z.infer<typeof HealthSchema>;

export const StationInfoSchema = z.object({
  stationId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  district: z.string(),
  /** for unit stations: the catalogue department code they act for */
  department: z.string().nullable(),
});
export type StationInfo = z.infer<typeof StationInfoSchema>;

/** Events travel as plain JSON; each one is validated with the domain's EventSchema. */
/** A pull cursor as the hub hands it out: "P" or "P.H" (opaque to stations). */
export const CURSOR_PATTERN = /^(0|[1-9][0-9]{0,14})(?:\.(0|[1-9][0-9]{0,14}))?$/;

export const PushRequestSchema = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  events: z.array(z.unknown()).min(1).max(MAX_PUSH_EVENTS),
  /**
   * Optional, per event id: the pull cursor the station had applied when it recorded that
   * event. The hub judges each event by the case as the station knew it then (so two desks
   * acting apart are both kept, while a transition nobody could lawfully record is refused);
   * without it, by everything the hub had handed the station.
   */
  basis: z.record(z.string(), z.string().regex(CURSOR_PATTERN, '不是集线器给出的游标')).optional(),
});
export type PushRequest = { protocol: typeof PROTOCOL_VERSION; events: unknown[]; basis?: Record<string, string> };

export const PushResultSchema = z.discriminatedUnion('status', [
  /** stored now, with its hub sequence number */
  z.object({ id: z.string(), status: z.literal('accepted'), hubSeq: z.number().int().positive() }),
  /** the hub already holds this id with the same content */
  z.object({ id: z.string(), status: z.literal('duplicate'), hubSeq: z.number().int().positive() }),
  /** refused, never stored; the reason is plain words */
  z.object({ id: z.string(), status: z.literal('rejected'), reason: z.string(), code: z.string() }),
]);
export type PushResult = z.infer<typeof PushResultSchema>;

export const PushResponseSchema = z.object({
  results: z.array(PushResultSchema),
  /**
   * Sequence numbers of this station that the hub has not received, below the highest it
   * has: the station re-sends them. Ranges are inclusive.
   */
  gaps: z.array(z.object({ from: z.number().int(), to: z.number().int() })),
  /** the highest sequence number of this station held, with every lower one also held */
  contiguousSeq: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof PushResponseSchema>;

export const PulledEventSchema = z.object({
  hubSeq: z.number().int().positive(),
  event: z.unknown(),
});
export const PullResponseSchema = z.object({
  events: z.array(PulledEventSchema),
  /** pass as `after` next time; opaque to the station */
  cursor: z.string(),
  /** more events are waiting after this page */
  more: z.boolean(),
});
export type PullResponse = z.infer<typeof PullResponseSchema>;

/**
 * The holiday schedules an administrator loaded at the hub (`npm run hub:calendar`), the
 * latest load of each year, for the stations to count working days on. `revision` grows with
 * every load; asked with `after` at or past it, the hub answers with no years (nothing new).
 */
export const CalendarResponseSchema = z.object({
  revision: z.number().int().nonnegative(),
  /** each year at most once, in year order; empty when nothing changed after `after` */
  years: z.array(CalendarYearSchema),
});
export type CalendarResponse = z.infer<typeof CalendarResponseSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** for 403/400 on a batch: the events concerned */
    eventIds: z.array(z.string()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
