/** The station protocol's routes (src-common/protocol/v1.ts). */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX, MAX_PUSH_BYTES, PROTOCOL_VERSION, type CalendarResponse, type Health, type PushResponse, type StationInfo } from '../../src-common/protocol/v1';
import { calendarAfter, parseRevisionQuery } from '../calendar/calendar-years';
import type { Database } from '../db/database';
import { HubError } from '../errors';
import { pullEvents, pullResponseJson } from '../sync/pull';
import { pushItems } from '../sync/push';
import { inlineValidator, type Validator } from '../sync/validator';
import type { StatisticsUpkeep } from '../db/statistics-upkeep';
import { stationOf } from './auth';
import { checkPullQuery } from './request-shape';

export function syncRoutes(
  app: FastifyInstance,
  db: Database,
  validator: Validator = inlineValidator,
  upkeep: StatisticsUpkeep = { grew: () => {}, idle: async () => {} },
): void {
  app.get(`${API_PREFIX}/health`, { config: { auth: 'none' } }, async (): Promise<Health> => {
    try {
      await db.query('SELECT 1');
    } catch (e) {
      app.log.error({ err: e }, 'health: database not answering');
      throw new HubError(503, 'database_unavailable', '集线器数据库暂不可用');
    }
    return { ok: true, service: 'relay-hub', protocol: PROTOCOL_VERSION, time: new Date().toISOString(), database: db.kind };
  });

  app.get(`${API_PREFIX}/stations/me`, { config: { auth: 'station' } }, async (request): Promise<StationInfo> => stationOf(request));

  // The push reads its own body: the bytes go to a validation worker as they came
  // (validator.ts, push-body.ts), so its own JSON parser takes over from Fastify's here
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_PUSH_BYTES }, (_request, body, done) => done(null, body));
    scope.post(`${API_PREFIX}/events`, { config: { auth: 'station' }, bodyLimit: MAX_PUSH_BYTES }, async (request): Promise<PushResponse> => {
      const me = stationOf(request);
      const push = await validator.readPush(request.body as Buffer);
      const firstEventId = push.firstEventId ?? undefined;
      request.log.debug({ station: me.stationId, events: push.items.length, firstEventId }, 'push: received');
      try {
        const outcome = await pushItems(db, me, push.items, push.basis);
        upkeep.grew(outcome.accepted);
        for (const r of outcome.refused) {
          const level = r.code === 'conflicting_content' ? 'warn' : 'info';
          request.log[level]({ station: me.stationId, eventId: r.id, code: r.code }, `push: event refused: ${r.reason}`);
        }
        request.log.info(
          {
            station: me.stationId,
            firstEventId,
            accepted: outcome.accepted,
            duplicate: outcome.duplicates,
            rejected: outcome.refused.length,
            gaps: outcome.response.gaps.length,
          },
          'push',
        );
        return outcome.response;
      } catch (e) {
        if (e instanceof HubError && e.statusCode === 403) {
          request.log.warn({ station: me.stationId, code: e.code, eventIds: e.eventIds }, `push refused: ${e.message}`);
        }
        throw e;
      }
    });
  });

  app.get(`${API_PREFIX}/events`, { config: { auth: 'station' } }, async (request, reply): Promise<string> => {
    const me = stationOf(request);
    const { after, limit } = checkPullQuery(request.query);
    // a PullResponse, written with the stored event texts spliced in (pull.ts)
    reply.type('application/json; charset=utf-8');
    return pullResponseJson(await pullEvents(db, me, after, limit));
  });

  // the holiday schedules loaded at the hub (calendar/calendar-years.ts), for every station
  app.get(`${API_PREFIX}/calendar`, { config: { auth: 'station' } }, async (request): Promise<CalendarResponse> => {
    stationOf(request);
    return calendarAfter(db, parseRevisionQuery(request.query));
  });
}
