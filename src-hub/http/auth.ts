/**
 * Who is asking. Each route says which credentials it needs (route config `auth`):
 * 'none' (health), 'station' (a station's bearer token), or 'admin' (HUB_ADMIN_TOKEN).
 * Checked on request, before the body is read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StationInfo } from '../../src-common/protocol/v1';
import type { Database } from '../db/database';
import { HubError } from '../errors';
import { stationForToken } from '../stations/registry';
import { bearerToken, sameSecret } from '../stations/tokens';

export type AuthKind = 'none' | 'station' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthKind;
  }
  interface FastifyRequest {
    station: StationInfo | null;
  }
}

export function authHook(db: Database, adminToken: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const kind = request.routeOptions.config.auth;
    if (kind === undefined || kind === 'none') return;
    const token = bearerToken(request.headers.authorization);
    if (kind === 'admin') {
      if (!adminToken) {
        throw new HubError(403, 'admin_disabled', '管理接口未启用：启动集线器时设置 HUB_ADMIN_TOKEN 才能通过 HTTP 登记站点');
      }
      if (token === null || !sameSecret(token, adminToken)) {
        void reply.header('www-authenticate', 'Bearer');
        throw new HubError(401, 'unauthorized', '管理令牌缺失或不正确');
      }
      return;
    }
    if (token === null) {
      void reply.header('www-authenticate', 'Bearer');
      throw new HubError(401, 'unauthorized', '缺少站点令牌：请求头需要 Authorization: Bearer <令牌>');
    }
    const station = await stationForToken(db, token);
    if (!station) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new HubError(401, 'unauthorized', '站点令牌无效或已停用：请向集线器管理员重新登记或更换令牌');
    }
    request.station = station;
  };
}

/** The authenticated station of a 'station' route. */
export function stationOf(request: FastifyRequest): StationInfo {
  if (!request.station) throw new HubError(401, 'unauthorized', '未认证');
  return request.station;
}
