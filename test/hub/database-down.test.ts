/**
 * The hub's database not answering (PostgreSQL restarting, the network to it cut) is not the
 * hub's fault and passes: every route answers 503 database_unavailable, as the health check
 * does, and the stations retry; a real fault of the hub stays 500 internal.
 */
import { describe, expect, it } from 'vitest';
import { API_PREFIX, PROTOCOL_VERSION } from '../../src-common/protocol/v1';
import type { Database } from '../../src-hub/db/database';
import { isDatabaseUnavailable } from '../../src-hub/http/error-handler';
import { buildHubApp } from '../../src-hub/http/app';

function failingDb(error: Error & { code?: string }): Database {
  const fail = async () => {
    throw error;
  };
  return { kind: 'postgres', query: fail, exec: fail, transaction: fail, close: async () => undefined } as unknown as Database;
}

describe('the database not answering', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the server shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a connection cut', new Error('Connection terminated unexpectedly')],
  ])('%s: pull and push answer 503 database_unavailable', async (_, error) => {
    const app = buildHubApp({ db: failingDb(error) });
    try {
      const pull = await app.inject({ method: 'GET', url: `${API_PREFIX}/events?after=0`, headers: { authorization: 'Bearer some-token' } });
      expect(pull.statusCode).toBe(503);
      expect(pull.json()).toMatchObject({ error: { code: 'database_unavailable' } });
      const pushed = await app.inject({
        method: 'POST',
        url: `${API_PREFIX}/events`,
        headers: { authorization: 'Bearer some-token', 'content-type': 'application/json' },
        payload: { protocol: PROTOCOL_VERSION, events: [{}] },
      });
      expect(pushed.statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });

  it('a fault of the hub itself stays 500 internal', async () => {
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    const app = buildHubApp({ db: failingDb(new TypeError('a bug')) });
    try {
      const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/events?after=0`, headers: { authorization: 'Bearer t' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({ error: { code: 'internal' } });
    } finally {
      await app.close();
    }
  });
});
