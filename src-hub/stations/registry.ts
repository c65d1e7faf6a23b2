/**
 * The station registry: who may sync with the hub, as what. A station is added once (its
 * token shown once), listed, revoked (its tokens stop working) or given a new token
 * (rotate: the old ones stop working; a revoked station is re-enabled). Stations are never
 * deleted: their events stay in the log under their id.
 */
import { z } from 'zod';
import { ROLES, StationIdSchema, StationSchema, toValidationError } from '../../src-common/domain';
import type { StationInfo } from '../../src-common/protocol/v1';
import { takeSyncLock, type Database, type Queryable } from '../db/database';
import { HubError } from '../errors';
import { grantHistory } from '../sync/audience';
import { hashToken, newToken } from './tokens';

export const NewStationSchema = z
  .object({
    stationId: StationIdSchema,
    name: StationSchema.shape.name,
    role: z.enum(ROLES, { error: `岗位必须是 ${ROLES.join(' / ')} 之一` }),
    district: StationSchema.shape.district,
    department: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, '部门编码只能由小写字母、数字和连字符组成（如 water、housing）')
      .nullable()
      .default(null),
  })
  .refine((s) => s.department === null || s.role === 'unit', {
    message: '只有部门/单位值班室（unit）需要部门编码',
    path: ['department'],
  });
export type NewStation = z.input<typeof NewStationSchema>;

export interface StationListing extends StationInfo {
  createdAt: string;
  revokedAt: string | null;
  activeTokens: number;
}

interface StationRow {
  station_id: string;
  name: string;
  role: StationInfo['role'];
  district: string;
  department: string | null;
}

function toInfo(row: StationRow): StationInfo {
  return { stationId: row.station_id, name: row.name, role: row.role, district: row.district, department: row.department };
}

export function parseNewStation(input: unknown): StationInfo {
  const result = NewStationSchema.safeParse(input);
  if (!result.success) throw new HubError(400, 'invalid_station', toValidationError(result.error).message);
  return result.data;
}

async function insertToken(tx: Queryable, stationId: string): Promise<string> {
  const token = newToken();
  await tx.query('INSERT INTO station_tokens (token_hash, station_id) VALUES ($1, $2)', [hashToken(token), stationId]);
  return token;
}

/** Register a station; returns its token, which the hub never shows again. */
export async function addStation(db: Database, input: unknown): Promise<{ station: StationInfo; token: string }> {
  const station = parseNewStation(input);
  return db.transaction(async (tx) => {
    // under the sync lock: no push may commit between the history grant and the insert
    await takeSyncLock(tx);
    const exists = await tx.query('SELECT 1 FROM stations WHERE station_id = $1', [station.stationId]);
    if (exists.length > 0) {
      throw new HubError(409, 'station_exists', `站点 ${station.stationId} 已登记；如需新令牌请用 rotate`);
    }
    await tx.query('INSERT INTO stations (station_id, name, role, district, department) VALUES ($1, $2, $3, $4, $5)', [
      station.stationId,
      station.name,
      station.role,
      station.district,
      station.department,
    ]);
    const token = await insertToken(tx, station.stationId);
    await grantHistory(tx, station);
    return { station, token };
  });
}

export async function listStations(db: Database): Promise<StationListing[]> {
  const rows = await db.query<StationRow & { created_at: Date; revoked_at: Date | null; active_tokens: number }>(
    `SELECT s.station_id, s.name, s.role, s.district, s.department, s.created_at, s.revoked_at,
            (SELECT count(*) FROM station_tokens t WHERE t.station_id = s.station_id AND t.revoked_at IS NULL)::int AS active_tokens
       FROM stations s ORDER BY s.station_id`,
  );
  return rows.map((r) => ({
    ...toInfo(r),
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    activeTokens: Number(r.active_tokens),
  }));
}

function checkId(stationId: unknown): string {
  const r = StationIdSchema.safeParse(stationId);
  if (!r.success) throw new HubError(400, 'invalid_station', toValidationError(r.error).message);
  return r.data;
}

async function requireStation(tx: Queryable, stationId: string): Promise<StationInfo> {
  const rows = await tx.query<StationRow>(
    'SELECT station_id, name, role, district, department FROM stations WHERE station_id = $1',
    [stationId],
  );
  if (!rows[0]) throw new HubError(404, 'station_not_found', `没有登记编号为 ${stationId} 的站点`);
  return toInfo(rows[0]);
}

/** Revoke a station: its tokens stop working at once. Its events stay. */
export async function revokeStation(db: Database, stationId: unknown): Promise<StationInfo> {
  const id = checkId(stationId);
  return db.transaction(async (tx) => {
    const station = await requireStation(tx, id);
    await tx.query('UPDATE stations SET revoked_at = coalesce(revoked_at, now()) WHERE station_id = $1', [id]);
    await tx.query('UPDATE station_tokens SET revoked_at = now() WHERE station_id = $1 AND revoked_at IS NULL', [id]);
    return station;
  });
}

/** A new token for a station; every older token is revoked. Re-enables a revoked station. */
export async function rotateStationToken(db: Database, stationId: unknown): Promise<{ station: StationInfo; token: string }> {
  const id = checkId(stationId);
  return db.transaction(async (tx) => {
    const station = await requireStation(tx, id);
    await tx.query('UPDATE station_tokens SET revoked_at = now() WHERE station_id = $1 AND revoked_at IS NULL', [id]);
    await tx.query('UPDATE stations SET revoked_at = NULL WHERE station_id = $1', [id]);
    const token = await insertToken(tx, id);
    return { station, token };
  });
}

/** The station a token belongs to, or null when the token is unknown or revoked. */
export async function stationForToken(db: Database, token: string): Promise<StationInfo | null> {
  const rows = await db.query<StationRow>(
    `SELECT s.station_id, s.name, s.role, s.district, s.department
       FROM station_tokens t JOIN stations s ON s.station_id = t.station_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND s.revoked_at IS NULL`,
    [hashToken(token)],
  );
  return rows[0] ? toInfo(rows[0]) : null;
}
