/**
 * A case whose creation the hub refused for good does not stand: its row leaves the list and
 * the counters (the events stay recorded and are listed among the refused records).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, type IntakeDraft, type Station } from '../../../src-common/domain';
import { COUNTER } from '../../../src-renderer/src/store/counters';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { applyPushResponse } from '../../../src-renderer/src/sync/push';
import { P110, stationOf, T0 } from '../../domain/fixtures';
import { expectCountersRight, freshDb, steppingClock } from '../store/helpers';

const desk: Station = stationOf(P110, 'police110', '王强');
const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function draft(i: number): IntakeDraft {
  return {
    channel: 'call110', receivedAt: '2026-03-02T08:00:00.000Z', callerName: '张三', callerPhone: '13912345678', anonymous: false, confidential: false,
    address: `通达路 ${i} 号`, district: '兰山区', nature: 'help', category: 'utility.water', urgency: 'urgent',
    description: `第 ${i} 起停水`, verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
  };
}

describe('a refused case.created', () => {
  it('takes the case row out of the list and the counters; its events stay, listed as refused', async () => {
    const d = freshDb();
    opened.push(d);
    const clock = steppingClock();
    const kept = await recordCommands(d, { station: desk, now: clock }, intakeCommands(draft(1), desk, '20260302-p110-0001', new Date(T0)));
    const refusedCase = await recordCommands(d, { station: desk, now: clock }, intakeCommands(draft(2), desk, '20260302-p110-0002', new Date(T0)));
    expect((await d.counters.get(COUNTER.total))?.n).toBe(2);
    expect((await d.counters.get(COUNTER.urgentOpen))?.n).toBe(2);

    await applyPushResponse(
      d,
      {
        results: [
          ...kept.map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: i + 1 })),
          { id: refusedCase[0]!.id, status: 'rejected' as const, code: 'seq_taken', reason: '本站序号已由另一事件使用' },
          ...refusedCase.slice(1).map((e, i) => ({ id: e.id, status: 'accepted' as const, hubSeq: i + 10 })),
        ],
        gaps: [],
        contiguousSeq: 3,
      },
      desk.stationId,
    );

    expect(await d.cases.get(refusedCase[0]!.caseId)).toBeUndefined();
    expect((await d.cases.get(kept[0]!.caseId))?.status).toBe('transferred');
    expect((await d.counters.get(COUNTER.total))?.n).toBe(1);
    expect((await d.counters.get(COUNTER.urgentOpen))?.n).toBe(1);
    await expectCountersRight(d, expect);
    // nothing recorded is deleted
    expect(await d.events.count()).toBe(6);
    expect((await d.rejected.get(refusedCase[0]!.id))?.code).toBe('seq_taken');
  });
});
