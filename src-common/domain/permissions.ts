/**
 * What each role may record: the one place that says which desk does what. The hub refuses
 * (403) an event a station's role may not record; the desk hides actions its role may not take.
 */
import type { EventType } from './events';
import type { Role } from './vocabulary';

export const ROLE_EVENT_TYPES: Record<Role, ReadonlySet<EventType>> = {
  police110: new Set<EventType>([
    'case.created',
    'case.screened',
    'case.transferred',
    'case.noteAdded',
    'case.callJoined',
    'case.closed',
    'case.reopened',
    'shift.handover',
  ]),
  hotline12345: new Set<EventType>([
    'case.created',
    'case.acknowledged',
    'case.returned',
    'case.assigned',
    'case.noteAdded',
    'case.urged',
    'case.callback',
    'case.closed',
    'case.reopened',
    'case.extensionDecided',
    'case.callJoined',
    'shift.handover',
  ]),
  unit: new Set<EventType>([
    'case.created',
    'case.acknowledged',
    'case.returned',
    'case.feedback',
    'case.noteAdded',
    'case.extensionRequested',
    'case.callJoined',
    'shift.handover',
  ]),
  supervisor: new Set<EventType>(['case.urged', 'case.noteAdded', 'case.extensionDecided', 'shift.handover']),
};

export function roleMayRecord(role: Role, type: EventType): boolean {
  return ROLE_EVENT_TYPES[role].has(type);
}
