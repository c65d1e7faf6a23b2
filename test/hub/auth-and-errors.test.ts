/**
 * The hub's doors: health without a token, 401 for a missing / unknown / revoked token, 403
 * for a forged station, a role beyond its remit or a case out of sight (the whole batch
 * refused, the offenders named), and 4xx JSON for every malformed request with nothing
 * applied. Real HTTP against the real app, on each database driver.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ulid } from '../../src-common/domain';
import { HealthSchema, MAX_PUSH_BYTES, MAX_PUSH_EVENTS, StationInfoSchema, ErrorBodySchema } from '../../src-common/protocol/v1';
import { revokeStation, rotateStationToken } from '../../src-hub/stations/registry';
import { Desk, toHotline } from './helpers/desk';
import { describeEachDriver } from './helpers/drivers';
import { ADMIN_TOKEN, push, request, startHub, type Hub } from './helpers/hub-harness';

async function eventCount(hub: Hub): Promise<number> {
  const rows = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return Number(rows[0]!.n);
}

function expectError(res: { status: number; body: unknown }, status: number, code?: string): { code: string; message: string; eventIds?: string[] } {
  expect(res.status).toBe(status);
  const parsed = ErrorBodySchema.safeParse(res.body);
  expect(parsed.success, `error body is ErrorBody JSON: ${JSON.stringify(res.body)}`).toBe(true);
  const error = parsed.data!.error;
  if (code) expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(3);
  return error;
}

describeEachDriver('hub auth and request errors', (driver) => {
  let hub: Hub;
  const p110 = Desk.of('p110-lanshan', 'police110');
  const other110 = Desk.of('p110-feixian', 'police110', '费县');
  const hotline = Desk.of('h12345-city', 'hotline12345', '全市');
  const sup = Desk.of('sup-lanshan', 'supervisor');

  beforeAll(async () => {
    hub = await startHub(driver);
    for (const d of [p110, other110, hotline, sup]) d.token = await hub.register(d.info);
  }, 120_000);
  afterAll(async () => hub?.close());

  it('answers health without a token', async () => {
    const res = await request(hub.url, 'GET', '/health');
    expect(res.status).toBe(200);
    const health = HealthSchema.parse(res.body);
    expect(health.database).toBe(driver);
    expect(health.protocol).toBe(1);
  });

  it('tells a station who it is', async () => {
    const res = await request(hub.url, 'GET', '/stations/me', { token: p110.token });
    expect(res.status).toBe(200);
    expect(StationInfoSchema.parse(res.body)).toEqual(p110.info);
  });

  it('401 without a token, with an unknown one, with a malformed header', async () => {
    for (const path of ['/events', '/stations/me']) {
      const none = await request(hub.url, 'GET', path);
      expectError(none, 401, 'unauthorized');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectError(await request(hub.url, 'GET', path, { token: 'not-a-token-of-this-hub' }), 401, 'unauthorized');
      expectError(await request(hub.url, 'GET', path, { headers: { authorization: `Basic ${p110.token}` } }), 401, 'unauthorized');
    }
    const before = await eventCount(hub);
    expectError(await request(hub.url, 'POST', '/events', { body: { protocol: 1, events: [p110.created()] } }), 401);
    expect(await eventCount(hub)).toBe(before);
  });

  it('401 after a token is revoked or rotated; the new token works', async () => {
    const d = Desk.of('p110-revoked', 'police110');
    const first = await hub.register(d.info);
    expect((await request(hub.url, 'GET', '/stations/me', { token: first })).status).toBe(200);
    const { token: second } = await rotateStationToken(hub.db, d.info.stationId);
    expectError(await request(hub.url, 'GET', '/stations/me', { token: first }), 401, 'unauthorized');
    expect((await request(hub.url, 'GET', '/stations/me', { token: second })).status).toBe(200);
    await revokeStation(hub.db, d.info.stationId);
    expectError(await request(hub.url, 'GET', '/stations/me', { token: second }), 401, 'unauthorized');
    // rotate re-enables a revoked station
    const { token: third } = await rotateStationToken(hub.db, d.info.stationId);
    expect((await request(hub.url, 'GET', '/stations/me', { token: third })).status).toBe(200);
  });

  it('403 for an event claiming another station: cannot forge; nothing of the batch applied', async () => {
    const mine = p110.created();
    const forged = { ...other110.created(), operator: '冒名' };
    const before = await eventCount(hub);
    const res = await push(hub.url, p110.token, [mine, forged]);
    const error = expectError(res, 403, 'forged_station');
    expect(error.eventIds).toEqual([forged.id]);
    expect(error.message).toContain('冒用');
    expect(await eventCount(hub)).toBe(before);
  });

  it('403 for an acknowledgement made in the name of another desk; nothing of the batch applied', async () => {
    const mine = hotline.created();
    const ack = hotline.acknowledged(mine.caseId, 'transfer');
    const forged = { ...ack, payload: { ...ack.payload, station: { stationId: other110.info.stationId, name: '别的接警台' } } };
    const before = await eventCount(hub);
    const error = expectError(await push(hub.url, hotline.token, [mine, forged]), 403, 'forged_station');
    expect(error.eventIds).toEqual([forged.id]);
    expect(error.message).toContain(other110.info.stationId);
    expect(await eventCount(hub)).toBe(before);
  });

  it('403 for an event type beyond the role (a supervisor cannot create, 110 cannot assign)', async () => {
    const supCreates = sup.created();
    let error = expectError(await push(hub.url, sup.token, [supCreates]), 403, 'role_not_allowed');
    expect(error.eventIds).toEqual([supCreates.id]);
    const c = p110.created();
    const assign = p110.assigned(c.caseId, { kind: 'department', stationId: null, name: '供水', department: 'water' });
    const before = await eventCount(hub);
    error = expectError(await push(hub.url, p110.token, [c, assign]), 403, 'role_not_allowed');
    expect(error.eventIds).toEqual([assign.id]);
    expect(error.message).toContain('派单');
    expect(await eventCount(hub)).toBe(before);
  });

  it('403 for an event on a case the station can neither see nor is creating', async () => {
    const c = p110.created();
    expect((await push(hub.url, p110.token, [c])).status).toBe(200);
    // another 110 desk in another district: not its case
    const note = other110.note(c.caseId);
    const own = other110.created();
    const before = await eventCount(hub);
    const error = expectError(await push(hub.url, other110.token, [own, note]), 403, 'case_not_visible');
    expect(error.eventIds).toEqual([note.id]);
    expect(await eventCount(hub)).toBe(before);
    // once transferred to the hotline, the hotline may act on it
    expect((await push(hub.url, p110.token, [p110.screened(c.caseId), p110.transferred(c.caseId, toHotline())])).status).toBe(200);
    const ack = hotline.acknowledged(c.caseId, 'transfer');
    const res = await push(hub.url, hotline.token, [ack]);
    expect(res.status).toBe(200);
    expect(res.body.results[0]!.status).toBe('accepted');
  });

  it('lists every offender of a batch refused for several reasons', async () => {
    const forged = other110.created();
    const supCreates = sup.created();
    const res = await push(hub.url, sup.token, [forged, supCreates]);
    const error = expectError(res, 403, 'forbidden');
    expect(error.eventIds).toEqual([forged.id, supCreates.id]);
  });

  it('400 for malformed JSON, nothing applied', async () => {
    const before = await eventCount(hub);
    const error = expectError(
      await request(hub.url, 'POST', '/events', { token: p110.token, rawBody: '{"protocol":1,"events":[{"id":' }),
      400,
      'malformed_json',
    );
    expect(error.message).toContain('JSON');
    expectError(await request(hub.url, 'POST', '/events', { token: p110.token, rawBody: '' }), 400, 'malformed_json');
    expect(await eventCount(hub)).toBe(before);
  });

  it('415 for a body that is not JSON', async () => {
    expectError(
      await request(hub.url, 'POST', '/events', { token: p110.token, rawBody: 'hello', headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
  });

  it('413 for a body over MAX_PUSH_BYTES, nothing applied', async () => {
    const before = await eventCount(hub);
    const big = Array.from({ length: 200 }, () => p110.created('大'.repeat(1990)));
    const body = JSON.stringify({ protocol: 1, events: big });
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_PUSH_BYTES);
    const error = expectError(await request(hub.url, 'POST', '/events', { token: p110.token, rawBody: body }), 413, 'body_too_large');
    expect(error.message).toContain('分');
    expect(await eventCount(hub)).toBe(before);
  });

  it(`413 for more than ${MAX_PUSH_EVENTS} events, nothing applied`, async () => {
    const before = await eventCount(hub);
    const many = Array.from({ length: MAX_PUSH_EVENTS + 1 }, () => p110.note(ulid()));
    expectError(await push(hub.url, p110.token, many), 413, 'too_many_events');
    expect(await eventCount(hub)).toBe(before);
  });

  it('400 saying what is wrong for a body of the wrong shape', async () => {
    const cases: Array<[unknown, string, string]> = [
      [[1, 2], 'invalid_request', '对象'],
      [{ events: [] }, 'invalid_request', 'protocol'],
      [{ protocol: 2, events: [p110.created()] }, 'unsupported_protocol', '协议'],
      [{ protocol: '1', events: [p110.created()] }, 'unsupported_protocol', '协议'],
      [{ protocol: 1 }, 'invalid_request', 'events'],
      [{ protocol: 1, events: 'x' }, 'invalid_request', 'events 必须是数组'],
      [{ protocol: 1, events: {} }, 'invalid_request', 'events 必须是数组'],
      [{ protocol: 1, events: [] }, 'invalid_request', '不能为空'],
      ['just a string', 'invalid_request', '对象'],
      [null, 'invalid_request', '对象'],
    ];
    const before = await eventCount(hub);
    for (const [body, code, words] of cases) {
      const error = expectError(await request(hub.url, 'POST', '/events', { token: p110.token, rawBody: JSON.stringify(body) }), 400, code);
      expect(error.message, JSON.stringify(body)).toContain(words);
    }
    expect(await eventCount(hub)).toBe(before);
  });

  it('rejects, per event, an unknown event type, wrong field types or a bad version, with a plain reason; the rest applies', async () => {
    const good = p110.created();
    const unknownType = { ...p110.note(good.caseId), type: 'case.teleported' };
    const wrongTypes = { ...p110.note(good.caseId), seq: 'seven', payload: { text: 42 } };
    const badVersion = { ...p110.note(good.caseId), v: 9 };
    const notAnObject = 'hello';
    const before = await eventCount(hub);
    const res = await push(hub.url, p110.token, [good, unknownType, wrongTypes, badVersion, notAnObject]);
    expect(res.status).toBe(200);
    const [r0, r1, r2, r3, r4] = res.body.results;
    expect(r0).toMatchObject({ id: good.id, status: 'accepted' });
    expect(r1).toMatchObject({ id: unknownType.id, status: 'rejected', code: 'unknown_event_type' });
    expect(r1!.status === 'rejected' && r1!.reason).toContain('未知的事件类型');
    expect(r2).toMatchObject({ id: wrongTypes.id, status: 'rejected', code: 'invalid_event' });
    expect(r2!.status === 'rejected' && r2!.reason).toMatch(/序号|内容/);
    expect(r3).toMatchObject({ id: badVersion.id, status: 'rejected', code: 'unsupported_version' });
    expect(r4).toMatchObject({ id: '#4', status: 'rejected', code: 'invalid_event' });
    expect(await eventCount(hub)).toBe(before + 1);
    const refused = await hub.db.query<{ event_id: string; code: string }>(
      `SELECT event_id, code FROM refused_events WHERE event_id IN ($1, $2, $3) ORDER BY code`,
      [unknownType.id, wrongTypes.id, badVersion.id],
    );
    expect(refused.map((r) => r.code)).toEqual(['invalid_event', 'unknown_event_type', 'unsupported_version']);
  });

  it('refuses an event nested too deep (no stack overflow, no 5xx)', async () => {
    const h = p110.handover();
    const depth = 100_000;
    const text = JSON.stringify({ protocol: 1, events: [{ ...h, payload: { ...h.payload, sheet: { x: '@@' } } }] }).replace(
      '"@@"',
      '['.repeat(depth) + ']'.repeat(depth),
    );
    const res = await request<{ results: Array<{ status: string; code: string }> }>(hub.url, 'POST', '/events', { token: p110.token, rawBody: text });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_event' });
  });

  it('never answers bad input with a 5xx (fuzzed bodies and events)', async () => {
    const valid = p110.created();
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ protocol: fc.oneof(fc.constant(1), fc.jsonValue()), events: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.jsonValue()) }),
      fc
        .record({ key: fc.constantFrom(...Object.keys(valid), 'payload.station', 'payload.caller', 'extra'), value: fc.jsonValue() })
        .map(({ key, value }) => {
          const e = JSON.parse(JSON.stringify(valid)) as Record<string, Record<string, unknown>>;
          if (key.startsWith('payload.')) e.payload![key.slice(8)] = value;
          else (e as Record<string, unknown>)[key] = value;
          return { protocol: 1, events: [e] };
        }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await request(hub.url, 'POST', '/events', { token: p110.token, rawBody: JSON.stringify(b) ?? 'null' });
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        expect(typeof res.body).toBe('object');
      }),
      { numRuns: 150 },
    );
    for (const q of ['after=%00', 'after=1%2E', 'limit=%FF', 'after[]=1', 'after=1&after=2', 'limit=1&limit=2']) {
      const res = await request(hub.url, 'GET', `/events?${q}`, { token: p110.token });
      expect(res.status, q).toBeLessThan(500);
    }
  });

  it('400 for a bad pull cursor or limit; a limit over the maximum is capped', async () => {
    for (const after of ['abc', '-1', '1.5.6', '01', '3.7']) {
      expectError(await request(hub.url, 'GET', `/events?after=${after}`, { token: p110.token }), 400, 'invalid_cursor');
    }
    for (const limit of ['0', '-5', 'ten', '1.5']) {
      expectError(await request(hub.url, 'GET', `/events?limit=${limit}`, { token: p110.token }), 400, 'invalid_limit');
    }
    expect((await request(hub.url, 'GET', '/events?after=0&limit=999999', { token: p110.token })).status).toBe(200);
    expectError(await request(hub.url, 'GET', '/events?after=99999999', { token: p110.token }), 409, 'cursor_ahead');
  });

  it('404 JSON for an unknown path', async () => {
    expectError(await request(hub.url, 'GET', '/nothing-here', { token: p110.token }), 404, 'not_found');
  });

  it('admin endpoints: need the admin token; register, list, rotate, revoke', async () => {
    expectError(await request(hub.url, 'GET', '/admin/stations'), 401, 'unauthorized');
    expectError(await request(hub.url, 'GET', '/admin/stations', { token: p110.token }), 401, 'unauthorized');
    const created = await request<{ station: unknown; token: string }>(hub.url, 'POST', '/admin/stations', {
      token: ADMIN_TOKEN,
      body: { stationId: 'unit-water-lanshan', name: '兰山区供水抢修值班室', role: 'unit', district: '兰山区', department: 'water' },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await request(hub.url, 'GET', '/stations/me', { token: created.body.token })).body).toMatchObject({ department: 'water' });
    expectError(
      await request(hub.url, 'POST', '/admin/stations', {
        token: ADMIN_TOKEN,
        body: { stationId: 'unit-water-lanshan', name: '重复', role: 'unit', district: '兰山区' },
      }),
      409,
      'station_exists',
    );
    const invalid = expectError(
      await request(hub.url, 'POST', '/admin/stations', { token: ADMIN_TOKEN, body: { stationId: 'Bad Id', name: 'x', role: 'boss', district: '' } }),
      400,
      'invalid_station',
    );
    expect(invalid.message).toContain('站点编号');
    expectError(
      await request(hub.url, 'POST', '/admin/stations', {
        token: ADMIN_TOKEN,
        body: { stationId: 'p110-dept', name: '兰山110', role: 'police110', district: '兰山区', department: 'water' },
      }),
      400,
      'invalid_station',
    );
    const list = await request<{ stations: Array<{ stationId: string }> }>(hub.url, 'GET', '/admin/stations', { token: ADMIN_TOKEN });
    expect(list.body.stations.map((s) => s.stationId)).toContain('unit-water-lanshan');
    const rotated = await request<{ token: string }>(hub.url, 'POST', '/admin/stations/unit-water-lanshan/rotate', { token: ADMIN_TOKEN });
    expect(rotated.status).toBe(200);
    expectError(await request(hub.url, 'GET', '/stations/me', { token: created.body.token }), 401);
    expect((await request(hub.url, 'POST', '/admin/stations/unit-water-lanshan/revoke', { token: ADMIN_TOKEN })).status).toBe(200);
    expectError(await request(hub.url, 'GET', '/stations/me', { token: rotated.body.token }), 401);
    expectError(await request(hub.url, 'POST', '/admin/stations/nobody-here/revoke', { token: ADMIN_TOKEN }), 404, 'station_not_found');
  });
});
