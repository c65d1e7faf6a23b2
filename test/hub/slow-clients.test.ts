/**
 * A client that sends a request slowly (a byte a second, or never finishes its body) is cut
 * off once the request time limit passes, token or not: hundreds of such connections must not
 * hold the hub's sockets for ever while real stations wait.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../../src-common/protocol/v1';
import { buildHubApp, REQUEST_TIMEOUT_MS } from '../../src-hub/http/app';
import { addStation } from '../../src-hub/stations/registry';
import { freshDatabase, type FreshDatabase } from './helpers/drivers';

describe('slow clients', () => {
  let fresh: FreshDatabase;
  let app: FastifyInstance;
  let port = 0;
  beforeAll(async () => {
    fresh = await freshDatabase('pglite');
    app = buildHubApp({ db: fresh.db, requestTimeoutMs: 1000 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await fresh?.destroy();
  });

  it('the default limit is two minutes, on the server itself', () => {
    expect(REQUEST_TIMEOUT_MS).toBe(120_000);
    const defaults = buildHubApp({ db: fresh.db });
    expect(defaults.server.requestTimeout).toBe(120_000);
    void defaults.close();
  });

  /** send a push's headers, then its body a byte every 200 ms; resolves with what came back */
  function trickle(token: string | null): Promise<{ data: string; closedAfterMs: number }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      let timer: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
        socket.write(`POST ${API_PREFIX}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
        timer = setInterval(() => socket.write(' '), 200);
      });
      socket.on('data', (d) => (data += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ data, closedAfterMs: Date.now() - started });
      });
      setTimeout(() => {
        clearInterval(timer);
        socket.destroy();
        reject(new Error(`still open after 10 s: ${data}`));
      }, 10_000);
    });
  }

  it('without a token: refused at once, and the connection closed with the answer', async () => {
    const outcome = await trickle(null);
    expect(outcome.data).toMatch(/^HTTP\/1\.1 401/);
    expect(outcome.data.toLowerCase()).toContain('connection: close');
    expect(outcome.closedAfterMs).toBeLessThan(1_000);
  });

  it('with a valid token: a body that trickles in is cut off (408) once the time limit passes', async () => {
    const token = (await addStation(fresh.db, { stationId: 'p110-slow', name: '慢速站', role: 'police110', district: '兰山区', department: null })).token;
    const outcome = await trickle(token);
    expect(outcome.data).toMatch(/^HTTP\/1\.1 408/);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(outcome.closedAfterMs).toBeLessThan(5_000);
  });
});
