/**
 * The hub's HTTP server (Fastify): the station protocol, hub administration, JSON errors.
 * Built around an open Database so tests run the real app on a fresh database.
 */
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Database } from '../db/database';
import { errorBody } from '../errors';
import { adminRoutes } from './admin-routes';
import { authHook } from './auth';
import { allowStationOrigins } from './cors';
import { errorHandler } from './error-handler';
import { syncRoutes } from './sync-routes';
import { statisticsUpkeep } from '../db/statistics-upkeep';
import { inlineValidator, workerValidator } from '../sync/validator';

export interface HubAppOptions {
  db: Database;
  /** enables the admin endpoints (HUB_ADMIN_TOKEN) */
  adminToken?: string;
  logger?: FastifyServerOptions['logger'];
  /** worker threads validating pushed events (default 0: on the hub's own thread) */
  validationWorkers?: number;
  /** how long a request may take to arrive (default REQUEST_TIMEOUT_MS) */
  requestTimeoutMs?: number;
}

/** How long a request may take to arrive, headers and body. */
export const REQUEST_TIMEOUT_MS = 120_000;

/** Body limit of every route but the push (which has MAX_PUSH_BYTES). */
const SMALL_BODY_LIMIT = 64 * 1024;

export function buildHubApp(options: HubAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: SMALL_BODY_LIMIT,
    // a request must arrive whole within this (Fastify's default is none: a client trickling a
    // body a byte a second held its connection for ever); long enough for a 1 MB push over a
    // slow district link. Node checks the limit every connectionsCheckingInterval (30 s by
    // default): checked more often here, so a slow client goes close to the limit.
    serverFactory: (handler) => {
      const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
      return createServer({ requestTimeout, connectionsCheckingInterval: Math.min(5_000, Math.max(250, Math.floor(requestTimeout / 4))) }, handler);
    },
  });
  app.decorateRequest('station', null);
  // bodies are JSON only: anything else is 415, not a string for the routes to puzzle over
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('not_found', `没有这个接口：${request.method} ${request.url.split('?')[0]}`));
  });
  allowStationOrigins(app);
  app.addHook('onRequest', authHook(options.db, options.adminToken || undefined));
  const workers = options.validationWorkers ?? 0;
  const validator =
    workers > 0 ? workerValidator(workers, (e) => app.log.error({ err: e }, 'a validation worker failed: validating on the main thread')) : inlineValidator;
  const upkeep = statisticsUpkeep(options.db, (e) => app.log.warn({ err: e }, 'ANALYZE failed; trying again as the log grows'));
  app.addHook('onClose', async () => {
    await validator.close();
    await upkeep.idle();
  });
  syncRoutes(app, options.db, validator, upkeep);
  adminRoutes(app, options.db);
  return app;
}
