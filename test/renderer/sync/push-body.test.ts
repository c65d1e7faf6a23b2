/**
 * A pipelined push serializes the next batch's body while the hub works on the current one
 * (HubClient.pushSerialized): the bytes on the wire must be exactly what push(events, basis)
 * sends.
 */
import { describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, type Station } from '../../../src-common/domain';
import type { PushResponse } from '../../../src-common/protocol/v1';
import { recordCommands } from '../../../src-renderer/src/store/record';
import { createHubClient } from '../../../src-renderer/src/sync/hub-client';
import { pushOutbox } from '../../../src-renderer/src/sync/push';
import { P110, stationOf } from '../../domain/fixtures';
import { freshDb } from '../store/helpers';

const desk: Station = stationOf(P110, 'police110', '王强');

describe('the serialized push body', () => {
  it('is byte for byte what push(events) sends, through the real client', async () => {
    const d = freshDb();
    const events = await recordCommands(
      d,
      { station: desk },
      intakeCommands(
        {
          channel: 'call110', receivedAt: '2026-03-02T08:00:00.000Z', callerName: '张三（"引号"\\ 与换行\n）', callerPhone: '13912345678', anonymous: false,
          confidential: false, address: '通达路 1 号', district: '兰山区', nature: 'help', category: 'utility.water', urgency: 'normal',
          description: '停水 \u2028 \u{1F6B0}', verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
        },
        desk,
        'A-1',
        new Date(),
      ),
    );
    const bodies: string[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      const body = String(init.body);
      bodies.push(body);
      const sent = (JSON.parse(body) as { events: Array<{ id: string }> }).events;
      const answer: PushResponse = { results: sent.map((e, i) => ({ id: e.id, status: 'accepted', hubSeq: i + 1 })), gaps: [], contiguousSeq: sent.length };
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const client = createHubClient({ baseUrl: 'http://hub.invalid', token: 't', fetch: fetchStub });
    await pushOutbox(d, client, desk.stationId);
    expect(bodies).toHaveLength(1);
    // what push(events, basis) would have sent for the same events (recorded before any pull: basis "0")
    const basis = Object.fromEntries(events.map((e) => [e.id, '0']));
    await client.push(events, basis);
    expect(bodies[0]).toBe(bodies[1]);
    expect(JSON.parse(bodies[0]!)).toEqual({ protocol: 1, events, basis });
    d.close();
  });
});
