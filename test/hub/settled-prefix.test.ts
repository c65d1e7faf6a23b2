/**
 * A refused event settles its seq: the station's prefix (station_progress.contiguous_seq) moves
 * past it, so later pushes read only what lies above, not every event since the refusal, and
 * the refused seq is not reported as a gap to send again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Desk } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { push, startHub, type Hub } from './helpers/hub-harness';

describeEachDriver('a refused seq is settled', (driver) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub(driver);
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('the prefix moves past a refusal; no gap is reported for it; the next push starts above', async () => {
    const d = Desk.of('p110-settled', 'police110');
    d.token = await hub.register(d.info);
    const c = d.created(); // seq 1
    const closed = d.closed(c.caseId); // seq 2: no feedback yet, refused
    const notes = [d.note(c.caseId), d.note(c.caseId), d.note(c.caseId)]; // seqs 3-5
    const first = await push(hub.url, d.token, [c, closed, ...notes]);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted', 'accepted', 'accepted']);
    expect(first.body.gaps).toEqual([]);
    expect(first.body.contiguousSeq).toBe(5);
    const [row] = await hub.db.query<{ contiguous_seq: number }>('SELECT contiguous_seq FROM station_progress WHERE station_id = $1', [d.info.stationId]);
    expect(Number(row?.contiguous_seq)).toBe(5);

    // a later push: accepted, numbered after, the prefix goes on
    const more = await push(hub.url, d.token, [d.note(c.caseId)]);
    expect(more.body).toMatchObject({ gaps: [], contiguousSeq: 6 });
    // a seq the hub never got is still a gap
    d.note(c.caseId); // seq 7, never sent
    const after = await push(hub.url, d.token, [d.note(c.caseId)]); // seq 8
    expect(after.body).toMatchObject({ gaps: [{ from: 7, to: 7 }], contiguousSeq: 6 });
  });
});
