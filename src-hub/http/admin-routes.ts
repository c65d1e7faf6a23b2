/**
 * Hub administration over HTTP (not part of the station protocol), enabled by
 * HUB_ADMIN_TOKEN: registering stations while the hub runs (PGlite allows one process).
 *
 * - POST /api/v1/admin/stations                    {stationId, name, role, district, department?} -> {station, token}
 * - GET  /api/v1/admin/stations                    -> {stations}
 * - POST /api/v1/admin/stations/:stationId/revoke  -> {station}
 * - POST /api/v1/admin/stations/:stationId/rotate  -> {station, token}
 */
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../../src-common/protocol/v1';
import type { Database } from '../db/database';
import { addStation, listStations, revokeStation, rotateStationToken } from '../stations/registry';

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
}
