/**
 * The hub commands' client of a running hub's admin API (HUB_URL + HUB_ADMIN_TOKEN): JSON in
 * and out, and an answer other than 2xx thrown as the HubError the hub sent (its code and
 * message), so a command says the same whether it ran against the API or the database.
 */
import { API_PREFIX } from '../../src-common/protocol/v1';
import { HubError } from '../errors';

export interface AdminApi {
  /** the absolute URL of the admin resource `path` (e.g. 'stations') */
  url: string;
  call<T>(method: string, url: string, body?: unknown): Promise<T>;
}

export function adminApi(hubUrl: string, adminToken: string, path: string): AdminApi {
  const url = new URL(`${API_PREFIX}/admin/${path}`, hubUrl.endsWith('/') ? hubUrl : `${hubUrl}/`).href;
  return {
    url,
    async call<T>(method: string, target: string, body?: unknown): Promise<T> {
      const res = await fetch(target, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
      if (!res.ok) throw new HubError(res.status, json?.error?.code ?? `http_${res.status}`, json?.error?.message ?? res.statusText);
      return json as T;
    },
  };
}
