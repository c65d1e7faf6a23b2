/**
 * Recording a shift handover (交接班): the 'shift.handover' event is not a case event (the
 * case fold refuses it), so recordCommands cannot take it. This appends it the same way,
 * in one strict transaction: the event, its outbox entry, the outbox counter and the
 * station's sequence numbers. No case row is touched. The event's caseId is a fresh ULID
 * of its own (the hub treats a handover as a stream of its own, see src-hub/sync/audience.ts).
 *
 * A malformed payload, a sheet that could not be printed again (readHandoverSheet), a sheet
 * of another station, or a role that may not record handovers: throws, and nothing is written.
 */
import {
  DomainError,
  parseEvent,
  refusalForRole,
  ulid,
  type PayloadInput,
  type RelayEvent,
  type Station,
} from '../../../src-common/domain';
import { readHandoverSheet } from '../../../src-common/reports';
import { COUNTER, CounterDelta } from './counters';
import type { RelayDb, StoredEvent } from './db';

const SEQ_KEY = 'station:seq';
const LSEQ_KEY = 'local:lseq';

/** The same numbering as record.ts: the next value of a settings counter (call inside the transaction). */
async function nextNumber(db: RelayDb, key: string): Promise<number> {
  const row = await db.settings.get(key);
  const current = typeof row?.value === 'number' ? row.value : 0;
  await db.settings.put({ key, value: current + 1 });
  return current + 1;
}

export async function recordHandover(
  db: RelayDb,
  station: Station,
  payload: PayloadInput<'shift.handover'>,
  now: () => Date = () => new Date(),
): Promise<RelayEvent<'shift.handover'>> {
  // the stored sheet must read back for reprinting, and be this station's
  const sheet = readHandoverSheet(payload.sheet);
  if (sheet.station.stationId !== station.stationId) {
    throw new DomainError(`交接班表属于其他站点（${sheet.station.name}），不能以本站名义记录`);
  }
  return db.transaction('rw', [db.events, db.outbox, db.settings, db.counters], async () => {
    const seq = await nextNumber(db, SEQ_KEY);
    const lseq = await nextNumber(db, LSEQ_KEY);
    const at = now();
    const event = parseEvent({
      v: 1,
      id: ulid(at.getTime()),
      caseId: ulid(at.getTime()),
      stationId: station.stationId,
      operator: station.operator,
      seq,
      at: at.toISOString(),
      type: 'shift.handover',
      payload,
    }) as RelayEvent<'shift.handover'>;
    const refusal = refusalForRole(undefined, event, station);
    if (refusal !== null) throw new DomainError(refusal);
    const stored: StoredEvent = { ...event, hubSeq: null, lseq };
    await db.events.add(stored);
    await db.outbox.add({ eventId: event.id, lseq, queuedAt: now().toISOString() });
    const counters = new CounterDelta();
    counters.add(COUNTER.outbox, 1);
    await counters.apply(db);
    return event;
  });
}
