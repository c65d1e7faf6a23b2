/**
 * The hub refuses, again, transitions the domain does not allow — judged by the case as the
 * pushing desk knew it (its pull cursor when it recorded the event, the push's `basis`) — and
 * keeps acts of desks that worked apart, whose conflict the fold then shows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultCalendar, defaultTimeLimitRules, EXTENSION_CAP_SLACK_DAYS, extensionLimit, foldCase, type RelayEvent } from '../../src-common/domain';
import { Desk, toDepartment, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { pullAll, push, pushKnowing, startHub, type Hub } from './helpers/hub-harness';

describeEachDriver('hub judges transitions by what the desk knew', (driver) => {
  let hub: Hub;
  const p110 = Desk.of('j-p110', 'police110', '兰山区');
  const hotline = Desk.of('j-h12345', 'hotline12345', '全市');
  const hotline2 = Desk.of('j-h12345-b', 'hotline12345', '全市');
  const water = Desk.of('j-water', 'unit', '兰山区', 'water');
  const cursors = new Map<string, string>();

  beforeAll(async () => {
    hub = await startHub(driver);
    for (const d of [p110, hotline, hotline2, water]) d.token = await hub.register(d.info);
  }, 120_000);
  afterAll(async () => hub?.close());

  /** The desk pulls what is new for it; returns its cursor (what it now knows). */
  async function catchUp(d: Desk): Promise<string> {
    const r = await pullAll(hub.url, d.token, cursors.get(d.info.stationId) ?? '0');
    cursors.set(d.info.stationId, r.cursor);
    return r.cursor;
  }

  async function send(d: Desk, events: RelayEvent[], basis: string | null) {
    const res = await push(hub.url, d.token, events, basis === null ? undefined : Object.fromEntries(events.map((e) => [e.id, basis])));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results;
  }

  async function heldAtHub(caseId: string): Promise<Array<RelayEvent & { hubSeq: number }>> {
    const rows = await hub.db.query<{ hub_seq: number; content: string }>('SELECT hub_seq, content FROM events WHERE case_id = $1 ORDER BY hub_seq', [caseId]);
    return rows.map((r) => ({ ...(JSON.parse(r.content) as RelayEvent), hubSeq: Number(r.hub_seq) }));
  }

  async function refusedRows(eventId: string) {
    return hub.db.query<{ code: string; reason: string }>('SELECT code, reason FROM refused_events WHERE event_id = $1', [eventId]);
  }

  async function transferredCase(): Promise<string> {
    const c = p110.created('自来水主管道爆裂，路面积水');
    const results = await send(p110, [c, p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())], null);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    return c.caseId;
  }

  it('holds extensions to the rules: once, and not far past the cap from the assignment', async () => {
    const caseId = await transferredCase();
    const acknowledged = hotline.acknowledged(caseId, 'transfer');
    const assigned = hotline.assigned(caseId, toDepartment('water'));
    expect((await pushKnowing(hub.url, hotline.token, [acknowledged, assigned])).body.results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
    ]);
    const waterKnows = await catchUp(water);
    expect((await send(water, [water.acknowledged(caseId, 'assignment')], waterKnows)).map((r) => r.status)).toEqual(['accepted']);
    // the cap as the shipped calendar counts it: 10 working days after the assignment
    const cap = extensionLimit(defaultTimeLimitRules(), defaultCalendar(), { assignedAt: assigned.at, urgency: 'normal', nature: 'help' }).maxUntil!;
    const days = (n: number) => new Date(Date.parse(cap) + n * 86_400_000).toISOString();

    // a month past it is no calendar's: refused, and kept among the refused
    const far = water.extensionRequested(caseId, days(30));
    const [r1] = await send(water, [far], waterKnows);
    expect(r1).toMatchObject({ id: far.id, status: 'rejected', code: 'transition_refused' });
    expect(r1!.status === 'rejected' && r1!.reason).toContain('远超上限');
    expect(await refusedRows(far.id)).toEqual([expect.objectContaining({ code: 'transition_refused' })]);

    // a day past it may be the desk's own calendar (a schedule the hub has not loaded): kept
    const request = water.extensionRequested(caseId, days(1));
    expect((await send(water, [request], waterKnows)).map((r) => r.status)).toEqual(['accepted']);
    expect(EXTENSION_CAP_SLACK_DAYS).toBeGreaterThan(1);

    // 12345 grants it; a second extension is refused
    expect((await send(hotline, [hotline.extensionDecided(caseId, true, days(1))], await catchUp(hotline))).map((r) => r.status)).toEqual(['accepted']);
    const again = water.extensionRequested(caseId, days(2));
    const [r2] = await send(water, [again], await catchUp(water));
    expect(r2).toMatchObject({ status: 'rejected', code: 'transition_refused' });
    expect(r2!.status === 'rejected' && r2!.reason).toContain('已延期 1 次，不能再延期');
    const state = foldCase(await heldAtHub(caseId))!;
    expect(state.extension).toMatchObject({ granted: true, requestedUntil: days(1) });
    expect(state.assignment?.feedbackDueBy).toBe(days(1));
  });

  it('refuses feedback on an unacknowledged assignment and closing without feedback; keeps and never delivers them', async () => {
    const caseId = await transferredCase();
    expect((await pushKnowing(hub.url, hotline.token, [hotline.acknowledged(caseId, 'transfer'), hotline.assigned(caseId, toDepartment('water'))])).body.results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
    ]);
    const hotlineBefore = await catchUp(hotline);

    // the duty room sees the assignment and reports back without acknowledging it first
    const waterKnows = await catchUp(water);
    const early = water.feedback(caseId);
    const [r1] = await send(water, [early], waterKnows);
    expect(r1).toMatchObject({ id: early.id, status: 'rejected', code: 'transition_refused' });
    expect(r1!.status === 'rejected' && r1!.reason).toContain('尚未签收，不能反馈办理情况');
    expect(await refusedRows(early.id)).toEqual([expect.objectContaining({ code: 'transition_refused' })]);

    // acknowledged, then feedback: accepted
    const ack = water.acknowledged(caseId, 'assignment');
    const fb = water.feedback(caseId);
    expect((await send(water, [ack, fb], waterKnows)).map((r) => r.status)).toEqual(['accepted', 'accepted']);

    // 12345 closes on what it saw before the feedback came: refused
    const hasty = hotline.closed(caseId);
    const [r2] = await send(hotline, [hasty], hotlineBefore);
    expect(r2).toMatchObject({ status: 'rejected', code: 'transition_refused' });
    expect(r2!.status === 'rejected' && r2!.reason).toContain('尚未收到办理反馈，不能办结');

    // once it has pulled the feedback, closing is lawful
    const close = hotline.closed(caseId);
    expect((await send(hotline, [close], await catchUp(hotline))).map((r) => r.status)).toEqual(['accepted']);

    // the refused events are nowhere in the log, nor in anyone's pull
    const ids = (await heldAtHub(caseId)).map((e) => e.id);
    expect(ids).not.toContain(early.id);
    expect(ids).not.toContain(hasty.id);
    expect(ids).toContain(close.id);
    const pulled = (await pullAll(hub.url, p110.token, '0')).events.map((e) => e.event.id);
    expect(pulled).not.toContain(early.id);
    expect(pulled).toContain(fb.id);
    expect(foldCase(await heldAtHub(caseId))?.status).toBe('closed');
  });

  it('keeps two 12345 desks that acknowledged one transfer apart, and shows the conflict; refuses the second once it had seen the first', async () => {
    const caseId = await transferredCase();
    const k1 = await catchUp(hotline);
    const k2 = await catchUp(hotline2);
    const a1 = hotline.acknowledged(caseId, 'transfer');
    const a2 = hotline2.acknowledged(caseId, 'transfer');
    expect((await send(hotline, [a1], k1)).map((r) => r.status)).toEqual(['accepted']);
    // hotline2 acted on what it had (before a1): kept
    expect((await send(hotline2, [a2], k2)).map((r) => r.status)).toEqual(['accepted']);
    const state = foldCase(await heldAtHub(caseId));
    expect(state?.owner.stationId).toBe(hotline.info.stationId);
    expect(state?.conflicts).toHaveLength(1);
    expect(state?.conflicts[0]).toMatchObject({ eventId: a2.id });

    // another case: hotline2 has pulled hotline's acknowledgement before acknowledging
    const second = await transferredCase();
    await catchUp(hotline);
    expect((await send(hotline, [hotline.acknowledged(second, 'transfer')], cursors.get(hotline.info.stationId)!)).map((r) => r.status)).toEqual(['accepted']);
    const late = hotline2.acknowledged(second, 'transfer');
    const [r] = await send(hotline2, [late], await catchUp(hotline2));
    expect(r).toMatchObject({ status: 'rejected', code: 'transition_refused' });
  });

  it('judges an event sent without a basis by everything handed to the desk, never by more than that', async () => {
    const caseId = await transferredCase();
    // hotline2 never pulled this case: claiming a far basis does not help, the case is unknown to it
    const blind = hotline2.acknowledged(caseId, 'transfer');
    const [r1] = await send(hotline2, [blind], '999999');
    expect(r1).toMatchObject({ status: 'rejected', code: 'transition_refused' });
    expect(r1!.status === 'rejected' && r1!.reason).toContain('工单不存在');
    // after pulling, the same act without a basis is judged by what it was handed: lawful
    await catchUp(hotline2);
    const ack = hotline2.acknowledged(caseId, 'transfer');
    expect((await send(hotline2, [ack], null)).map((r) => r.status)).toEqual(['accepted']);
  });

  it('a malformed basis is a 400 that says so, and nothing is stored', async () => {
    const c = p110.created();
    const res = await push(hub.url, p110.token, [c], { [c.id]: 'yesterday' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('basis');
    expect(await heldAtHub(c.caseId)).toEqual([]);
    p110.seq--; // the event was never stored: its seq is free again
  });
});
