/**
 * The fault injector itself, against a plain HTTP server that counts what reaches it: each
 * fault does what the sync tests rely on it doing.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubClient, HubError } from '../../src-renderer/src/sync/hub-client';
import { FaultyFetch, gate, isPull, isPush, seededRandom } from './faulty-fetch';

describe('faulty fetch', () => {
  let server: Server;
  let url = '';
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ n: received.length, echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (f: FaultyFetch, body: string) => f.fetch(`${url}/api/v1/events`, { method: 'POST', body });
  const get = (f: FaultyFetch) => f.fetch(`${url}/api/v1/events?after=0`);

  it('down: a TypeError like fetch’s, and nothing reaches the server', async () => {
    const f = new FaultyFetch().next('down');
    const before = received.length;
    const error = await post(f, 'a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(received.length).toBe(before);
    expect(f.calls[0]).toMatchObject({ fault: 'down', delivered: 0, outcome: 'networkError' });
    // and the next call goes through
    expect((await post(f, 'b')).status).toBe(200);
    expect(received.length).toBe(before + 1);
  });

  it('lost: the server answered, the caller gets a network error; the answer is recorded', async () => {
    const f = new FaultyFetch().next('lost');
    const before = received.length;
    await expect(post(f, 'x')).rejects.toThrow(TypeError);
    expect(received.slice(before)).toEqual(['POST /api/v1/events x']);
    expect(f.calls[0]).toMatchObject({ fault: 'lost', delivered: 1, outcome: 'networkError', hubAnswers: [{ status: 200, body: { echo: 'x' } }] });
  });

  it('duplicate: delivered twice (at once or one after the other), one answer handed back', async () => {
    const f = new FaultyFetch().script([{ kind: 'duplicate', order: 'sequential', answer: 'second' }, { kind: 'duplicate' }]);
    const before = received.length;
    const second = (await (await post(f, 'd1')).json()) as { n: number };
    expect(second.n).toBe(before + 2);
    await post(f, 'd2');
    expect(received.slice(before).map((r) => r.split(' ').at(-1))).toEqual(['d1', 'd1', 'd2', 'd2']);
    expect(f.calls.map((c) => c.delivered)).toEqual([2, 2]);
  });

  it('http503: before the server, or after it took the request', async () => {
    const f = new FaultyFetch().script(['http503', { kind: 'http503', sendFirst: true }]);
    const before = received.length;
    const a = await post(f, 'p');
    expect(a.status).toBe(503);
    expect(received.length).toBe(before);
    const b = await post(f, 'q');
    expect(b.status).toBe(503);
    expect(received.slice(before)).toEqual(['POST /api/v1/events q']);
    // the hub client reads it as a retryable server fault
    const client = createHubClient({ baseUrl: url, token: 't', fetch: new FaultyFetch().next('http503').fetch });
    await expect(client.pull('0', 10)).rejects.toMatchObject({ kind: 'server', status: 503, retryable: true });
  });

  it('holds and delays reorder concurrent requests; matchers pick which call takes a fault', async () => {
    const f = new FaultyFetch();
    const second = gate();
    f.script([{ kind: 'none', before: second.promise }, { kind: 'none', onAnswered: () => second.open() }], isPush);
    f.next({ kind: 'delay', ms: 30 }, isPull);
    const before = received.length;
    await Promise.all([post(f, 'first'), post(f, 'second'), get(f)]);
    const order = received.slice(before).map((r) => r.split(' ').at(-1));
    expect(order.indexOf('second')).toBeLessThan(order.indexOf('first'));
    expect(f.calls.map((c) => c.fault)).toEqual(['none', 'none', 'delay']);
  });

  it('random faults replay from their seed; hubDown fails every call; calm() ends it all', async () => {
    const plan = async (seed: number) => {
      const f = new FaultyFetch().random(seed, { down: 0.3, http503: 0.3 });
      for (let i = 0; i < 12; i++) await get(f).catch(() => undefined);
      return f.calls.map((c) => c.fault);
    };
    const a = await plan(42);
    expect(await plan(42)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(seededRandom(7)()).toBe(seededRandom(7)());

    const f = new FaultyFetch();
    f.hubDown = true;
    const client = createHubClient({ baseUrl: url, token: 't', fetch: f.fetch });
    const error = await client.push([{}]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    f.calm();
    expect((await get(f)).status).toBe(200);
  });

  it('mutate rewrites the answer the caller sees', async () => {
    const f = new FaultyFetch().next({ kind: 'none', mutate: (b) => ({ ...(b as object), echo: 'changed' }) });
    expect(await (await post(f, 'orig')).json()).toMatchObject({ echo: 'changed' });
    expect(f.calls[0]!.hubAnswers[0]!.body).toMatchObject({ echo: 'orig' });
  });
});
