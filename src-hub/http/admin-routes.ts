/**
 * Hub administration over HTTP (not part of the station protocol), enabled by
 * HUB_ADMIN_TOKEN: registering stations while the hub runs (PGlite allows one process).
 *
 * - POST /api/v1/admin/stations                    {stationId, name, role, district, department?} -> {station, token}
 * - GET  /api/v1/admin/stations                    -> {stations}
 * - POST /api/v1/admin/stations/:stationId/revoke  -> {station}
 * - POST /api/v1/admin/stations/:stationId/rotate  -> {station, token}
 * - POST /api/v1/admin/calendar?by=NAME           a year's holiday schedule (calendar JSON) -> {year, revision, unchanged}
 * - GET  /api/v1/admin/calendar                    -> {loads}: every load, newest first
 * - GET  /api/v1/admin/backup                      -> the embedded database as one gzip'd tar
 *   (pglite-backup.ts; taken between transactions, pushes wait meanwhile); 409 on PostgreSQL
 */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../../src-common/protocol/v1';
import type { Database } from '../db/database';
import { HubError } from '../errors';
import { addStation, listStations, revokeStation, rotateStationToken } from '../stations/registry';
import { calendarLoads, loadCalendarYear } from '../calendar/calendar-years';

export function adminRoutes(app: FastifyInstance, db: Database): void {
  const base = `${API_PREFIX}/admin/stations`;
  const config = { auth: 'admin' as const };

  app.post(base, { config }, async (request, reply) => {
    const result = await addStation(db, request.body);
    request.log.info({ station: result.station.stationId, role: result.station.role }, 'admin: station registered');
    return reply.status(201).send(result);
  });

  app.get(base, { config }, async () => ({ stations: await listStations(db) }));

  app.post<{ Params: { stationId: string } }>(`${base}/:stationId/revoke`, { config }, async (request) => {
    const station = await revokeStation(db, request.params.stationId);
    request.log.warn({ station: station.stationId }, 'admin: station revoked');
    return { station };
  });

  app.post<{ Params: { stationId: string } }>(`${base}/:stationId/rotate`, { config }, async (request) => {
    const result = await rotateStationToken(db, request.params.stationId);
    request.log.info({ station: result.station.stationId }, 'admin: station token rotated');
    return result;
  });

  app.post<{ Querystring: { by?: unknown } }>(`${API_PREFIX}/admin/calendar`, { config }, async (request, reply) => {
    const by = typeof request.query.by === 'string' && request.query.by.trim() ? request.query.by : '管理接口';
    const result = await loadCalendarYear(db, request.body, by);
    request.log.info({ year: result.year, revision: result.revision, unchanged: result.unchanged, by }, 'admin: calendar year loaded');
    return reply.status(result.unchanged ? 200 : 201).send(result);
  });

  app.get(`${API_PREFIX}/admin/calendar`, { config }, async () => ({ loads: await calendarLoads(db) }));

  app.get(`${API_PREFIX}/admin/backup`, { config }, async (request, reply) => {
    if (!db.backup) {
      throw new HubError(409, 'backup_unavailable', '集线器运行在 PostgreSQL 上：请用 PostgreSQL 自己的备份（pg_dump、基础备份与归档），此接口只备份嵌入式数据库');
    }
    const t0 = performance.now();
    const bytes = await db.backup();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    request.log.info({ bytes: bytes.length, ms: Math.round(performance.now() - t0) }, 'admin: backup taken');
    return reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', `attachment; filename="relay-hub-${stamp}.tar.gz"`)
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
