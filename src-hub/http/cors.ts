/**
 * Cross-origin access for stations: the desktop app's page (file:// or app origin, "null")
 * and the browser edition (served from another port or host) call the hub directly. Bearer
 * tokens, not cookies, carry the authority, so any origin may ask; credentials are never
 * allowed. Preflight requests are answered here, before authentication.
 */
import type { FastifyInstance } from 'fastify';

export function allowStationOrigins(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin) {
      void reply.header('access-control-allow-origin', origin === 'null' ? 'null' : origin);
      void reply.header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, accept')
        .header('access-control-max-age', '600')
        .send();
    }
  });
}
