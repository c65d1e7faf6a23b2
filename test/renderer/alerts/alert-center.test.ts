/**
 * Which cases the alert centre looks at (candidateCases through evaluateAlerts): the domain's
 * rules (src-common/domain/alerts.ts) only see the cases the desk reads, so a case missing from
 * those reads is an alert that never fires.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../../src-renderer/src/shell', () => ({ shell: { notify: async () => undefined }, isDesktop: false }));
vi.mock('../../../src-renderer/src/alerts/alarm-sound', () => ({ playAlarm: () => undefined }));

import { acknowledgeAlerts, evaluateAlerts } from '../../../src-renderer/src/alerts/alert-center';
import { applyExternalEvents } from '../../../src-renderer/src/store/apply-external';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { H12345, LIFECYCLE, MIN, play, stationOf, T0 } from '../../domain/fixtures';
import { freshDb } from '../store/helpers';

const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

describe('alert centre', () => {
  it('the 12345 desk that assigned an acknowledged case gets its overdue alert once the feedback is late', async () => {
    // 110 → 12345 → assigned to the water company, which acknowledged; no feedback since
    const s = play(LIFECYCLE.filter((step) => step.minute <= 20));
    const d = freshDb();
    opened.push(d);
    await applyExternalEvents(d, s.events.map((event, i) => ({ event, hubSeq: i + 1 })));
    expect((await d.cases.get(s.caseId))?.status).toBe('acknowledged');
    const hotline = stationOf(H12345, 'hotline12345', '李娜');

    // before the feedback deadline: nothing for the assigner
    expect(await evaluateAlerts(d, hotline, T0 + 60 * MIN)).toEqual([]);
    expect(await d.alerts.count()).toBe(0);

    // three days on, the feedback is overdue: the assigner's follow-up alert is raised and kept
    await evaluateAlerts(d, hotline, T0 + 3 * 24 * 60 * MIN);
    const rows = await d.alerts.toArray();
    expect(rows.map((r) => [r.caseId, r.kind])).toEqual([[s.caseId, 'overdue']]);
  });

  it('a backlog is acknowledged at once, by whom and when; alerts already acknowledged keep their first acknowledgement', async () => {
    const d = freshDb();
    opened.push(d);
    const row = (id: string, ackedAt: string | null) => ({
      id, caseId: `c-${id}`, kind: 'overdue', title: '办理已超时', body: '', urgent: false, raisedAt: '2026-03-02T00:00:00.000Z',
      lastNotifiedAt: null, repeatEveryMs: null, ackedAt, ackedBy: ackedAt ? '早班' : null,
    });
    await d.alerts.bulkPut([row('a', null), row('b', null), row('c', '2026-03-02T01:00:00.000Z')]);
    await acknowledgeAlerts(d, ['a', 'b', 'c', 'missing'], '李娜');
    const rows = await d.alerts.toArray();
    expect(rows.filter((r) => r.id !== 'c').every((r) => r.ackedBy === '李娜' && r.ackedAt !== null)).toBe(true);
    expect(rows.find((r) => r.id === 'c')).toMatchObject({ ackedBy: '早班', ackedAt: '2026-03-02T01:00:00.000Z' });
    expect(rows).toHaveLength(3);
  });
});

