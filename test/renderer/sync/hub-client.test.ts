/**
 * The hub client's failures, each in the words and kind the connection loop acts on: a time
 * limit that covers the whole exchange (a body that stalls halfway must not hang the loop), the
 * hub's error code carried along, network faults told from the hub's own.
 */
import { describe, expect, it } from 'vitest';
import { createHubClient, HubError, normalizeHubUrl, sendsInClear } from '../../../src-renderer/src/sync/hub-client';

const BASE = 'http://hub.invalid';

function client(fetch: typeof globalThis.fetch, timeoutMs = 100) {
  return createHubClient({ baseUrl: BASE, token: 't', fetch, timeoutMs });
}

async function failure(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(HubError);
  return e as HubError;
}

describe('hub client', () => {
  it('a body that stalls after the headers is a timeout, within the time limit, not a hang', async () => {
    // headers at once, then a body that never ends and ignores the abort signal
    const stalled: typeof fetch = async () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"events":[')) }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    const t0 = Date.now();
    const e = await failure(client(stalled).pull('0', 2000));
    expect(e.kind).toBe('timeout');
    expect(e.retryable).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a request that never answers is a timeout', async () => {
    const never: typeof fetch = () => new Promise<Response>(() => undefined);
    const e = await failure(client(never).health());
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('市级中心响应超时');
  });

  it("carries the hub's error code (a pull past the hub's log: cursor_ahead)", async () => {
    const ahead: typeof fetch = async () =>
      Response.json({ error: { code: 'cursor_ahead', message: '游标 19 超出集线器已有的记录（最大序号 9）' } }, { status: 409 });
    const e = await failure(client(ahead).pull('19', 500));
    expect(e).toMatchObject({ kind: 'badRequest', status: 409, code: 'cursor_ahead' });
    expect(e.message).toContain('游标 19 超出集线器已有的记录');
    expect(e.retryable).toBe(false);
  });

  it('a refused connection is a network fault; a 5xx without JSON is the hub’s own', async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed: ECONNREFUSED');
    };
    const down = await failure(client(refused).health());
    expect(down.kind).toBe('network');
    // in the desk's words only; the browser's stays in detail, for the log
    expect(down.message).toBe('无法连接市级中心（网络不通或中心未运行）');
    expect(down.detail).toContain('ECONNREFUSED');
    const html: typeof fetch = async () => new Response('<html>bad gateway</html>', { status: 502 });
    const e = await failure(client(html).health());
    expect(e).toMatchObject({ kind: 'server', status: 502 });
  });

  it('takes an address typed without http://, and refuses a malformed one in plain words', () => {
    expect(normalizeHubUrl(' 10.0.0.5:4710/ ')).toBe('http://10.0.0.5:4710');
    expect(normalizeHubUrl('https://hub.linyi.gov.cn')).toBe('https://hub.linyi.gov.cn');
    expect(() => normalizeHubUrl('10.0.0.5:99999')).toThrow('中心地址格式不正确，应类似 http://10.0.0.5:4710');
    expect(() => normalizeHubUrl('ftp://hub')).toThrow('中心地址须以 http:// 或 https:// 开头');
  });

  it('tells an address that would send the token in clear (http to another machine) from a safe one', () => {
    expect(sendsInClear('http://10.0.0.5:4710')).toBe(true);
    expect(sendsInClear('10.0.0.5:4710')).toBe(true);
    expect(sendsInClear('https://hub.linyi.gov.cn')).toBe(false);
    expect(sendsInClear('http://127.0.0.1:4710')).toBe(false);
    expect(sendsInClear('http://localhost:4710')).toBe(false);
    expect(sendsInClear('not a url at all ::')).toBe(false);
  });
});

