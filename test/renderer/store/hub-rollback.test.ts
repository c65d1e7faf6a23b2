/**
 * Starting over after the hub was rolled back (store/hub-rollback.ts): the cursor goes back to
 * 0 and the station's latest event the hub did not refuse is queued again, counted, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, type IntakeDraft, type Station } from '../../../src-common/domain';
import { COUNTER } from '../../../src-renderer/src/store/counters';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { startOverAfterHubRollback } from '../../../src-renderer/src/store/hub-rollback';
import { CURSOR_KEY } from '../../../src-renderer/src/store/pull-cursor';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { applyPushResponse } from '../../../src-renderer/src/sync/push';
import { P110, stationOf, T0 } from '../../domain/fixtures';
import { freshDb, steppingClock } from './helpers';

const desk: Station = stationOf(P110, 'police110', '王强');
const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});
const draft: IntakeDraft = {
  channel: 'call110', receivedAt: '2026-03-02T08:00:00.000Z', callerName: '张三', callerPhone: '13912345678', anonymous: false, confidential: false,
  address: '通达路 1 号', district: '兰山区', nature: 'help', category: 'utility.water', urgency: 'normal',
  description: '停水', verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
};

describe('startOverAfterHubRollback', () => {
  it('resets the cursor and queues the latest own event the hub did not refuse, skipping a refused one', async () => {
    const d = freshDb();
    opened.push(d);
    await d.settings.put({ key: 'station', value: desk });
    // recorded with the desk at pull cursor 31: that is what the hub judges it by, also when sent again
    await d.settings.put({ key: CURSOR_KEY, value: '31' });
    const events = await recordCommands(d, { station: desk, now: steppingClock() }, intakeCommands(draft, desk, '20260302-p110-0001', new Date(T0)));
    const bases = Object.fromEntries((await d.outbox.toArray()).map((o) => [o.eventId, o.basis!]));
    expect(Object.values(bases)).toEqual(['31', '31', '31']);
    await applyPushResponse(d, {
      results: [
        { id: events[0]!.id, status: 'accepted', hubSeq: 1 },
        { id: events[1]!.id, status: 'accepted', hubSeq: 2 },
        { id: events[2]!.id, status: 'rejected', code: 'transition_refused', reason: '不能转办' },
      ],
      gaps: [],
      contiguousSeq: 2,
    }, desk.stationId, [], bases);
    await d.settings.put({ key: CURSOR_KEY, value: '57' });

    const over = await startOverAfterHubRollback(d);
    expect(over).toEqual({ from: '57', requeued: events[1]!.id });
    expect((await d.settings.get(CURSOR_KEY))?.value).toBe('0');
    expect((await d.outbox.toArray()).map((o) => o.eventId)).toEqual([events[1]!.id]);
    // queued again with the cursor it was recorded at (kept by its acknowledgement), not the one held now
    expect((await d.outbox.toArray()).map((o) => o.basis)).toEqual(['31']);
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(1);

    // again (the hub still behind): nothing queued twice
    const twice = await startOverAfterHubRollback(d);
    expect(twice).toEqual({ from: '0', requeued: null });
    expect(await d.outbox.count()).toBe(1);
    expect((await d.counters.get(COUNTER.outbox))?.n).toBe(1);
  });

  it('a desk that has recorded nothing only resets its cursor', async () => {
    const d = freshDb();
    opened.push(d);
    await d.settings.put({ key: CURSOR_KEY, value: '9' });
    expect(await startOverAfterHubRollback(d, 'p110-nothing')).toEqual({ from: '9', requeued: null });
    expect(await d.outbox.count()).toBe(0);
  });
});
