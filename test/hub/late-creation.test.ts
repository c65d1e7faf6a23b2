/**
 * A case whose creation reaches the hub after other desks' events on it: this happens only
 * after the hub lost events (restored from an older backup) and the desks send again what they
 * hold, in whatever order they reconnect. The creator must still be able to send its case:
 * the batch holding the case's creation opens it (origin, grants) instead of being refused as
 * a case it cannot see.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { pullAll, push, startHub, type Hub } from './helpers/hub-harness';

describeEachDriver('a case created after other desks acted on it (a hub restored from an older backup)', (driver) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub(driver);
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it("the creator's batch opens the case; its events are accepted and it sees the whole case", async () => {
    const police = Desk.of('p110-late', 'police110');
    const hotline = Desk.of('h12345-late', 'hotline12345', '全市');
    police.token = await hub.register(police.info);
    hotline.token = await hub.register(hotline.info);
    // what both desks hold from before the hub lost them
    const created = police.created();
    const caseId = created.caseId;
    const screened = police.screened(caseId);
    const transferred = police.transferred(caseId, toHotline());
    hotline.created('12345 自己受理的一件'); // its seq 1, lost at the hub too
    const ack = hotline.acknowledged(caseId, 'transfer');

    // the 12345 desk reconnects first: its latest event goes alone (kept unjudged: its earlier
    // seqs are missing)
    const first = await push(hub.url, hotline.token, [ack]);
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ id: ack.id, status: 'accepted' });

    // then the 110 desk sends its case again: accepted, not 403 case_not_visible
    const again = await push(hub.url, police.token, [created, screened, transferred]);
    expect(again.status).toBe(200);
    expect(again.body.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);

    // and the creator sees its case, the other desk's acknowledgement included
    const seen = await pullAll(hub.url, police.token);
    expect(new Set(seen.events.map((e) => e.event.id))).toEqual(new Set([created.id, screened.id, transferred.id, ack.id]));
  });

  it('a desk that did not create the case still cannot open it by sending events on it', async () => {
    const police = Desk.of('p110-late2', 'police110');
    const other = Desk.of('p110-other', 'police110');
    const hotline = Desk.of('h12345-late2', 'hotline12345', '全市');
    police.token = await hub.register(police.info);
    other.token = await hub.register(other.info);
    hotline.token = await hub.register(hotline.info);
    const created = police.created();
    hotline.created('12345 自己受理的一件');
    const ack = hotline.acknowledged(created.caseId, 'transfer');
    const first = await push(hub.url, hotline.token, [ack]);
    expect(first.body.results[0]).toMatchObject({ id: ack.id, status: 'accepted' });
    // another desk sends a note on that case, without its creation: refused as before
    const note = other.note(created.caseId);
    const refused = await push(hub.url, other.token, [note]);
    expect(refused.status).toBe(403);
    expect((refused.body as unknown as { error: { code: string } }).error.code).toBe('case_not_visible');
  });
});
