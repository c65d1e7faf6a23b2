/**
 * Station registration from the command line (`npm run hub:station -- <command>`).
 * Talks to a running hub's admin API when HUB_URL and HUB_ADMIN_TOKEN are set; else opens
 * the hub's database directly (DATABASE_URL, or the PGlite folder HUB_DATA_DIR, which only
 * works while the hub is stopped: the embedded engine allows one process).
 */
import { parseArgs } from 'node:util';
import { ROLE_LABELS, ROLES } from '../../src-common/domain';
import type { StationInfo } from '../../src-common/protocol/v1';
import { databaseConfigFromEnv, describeDatabase, openHubDatabase } from '../db/open-database';
import { HubError } from '../errors';
import { adminApi } from './admin-api';
import { addStation, listStations, revokeStation, rotateStationToken, type StationListing } from '../stations/registry';

export const USAGE = `用法 / usage:
  npm run hub:station -- add --id <站点编号> --name <名称> --role <${ROLES.join('|')}> --district <区县|全市> [--department <部门编码>]
  npm run hub:station -- list
  npm run hub:station -- revoke --id <站点编号>
  npm run hub:station -- rotate --id <站点编号>
  (any command: --json for machine-readable output)

Where: HUB_URL + HUB_ADMIN_TOKEN -> the running hub's admin API;
       else DATABASE_URL (PostgreSQL) or HUB_DATA_DIR (PGlite, default .hub-data; hub must be stopped).`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface Backend {
  add(input: Record<string, unknown>): Promise<{ station: StationInfo; token: string }>;
  list(): Promise<StationListing[]>;
  revoke(id: string): Promise<StationInfo>;
  rotate(id: string): Promise<{ station: StationInfo; token: string }>;
  close(): Promise<void>;
  where: string;
}

function httpBackend(hubUrl: string, adminToken: string): Backend {
  const { url: base, call } = adminApi(hubUrl, adminToken, 'stations');
  return {
    where: `hub ${hubUrl}`,
    add: (input) => call('POST', base, input),
    list: async () => (await call<{ stations: StationListing[] }>('GET', base)).stations,
    revoke: async (id) => (await call<{ station: StationInfo }>('POST', `${base}/${encodeURIComponent(id)}/revoke`)).station,
    rotate: (id) => call('POST', `${base}/${encodeURIComponent(id)}/rotate`),
    close: async () => undefined,
  };
}

async function dbBackend(env: NodeJS.ProcessEnv): Promise<Backend> {
  const config = databaseConfigFromEnv(env);
  const db = await openHubDatabase(config);
  return {
    where: describeDatabase(config),
    add: (input) => addStation(db, input),
    list: () => listStations(db),
    revoke: (id) => revokeStation(db, id),
    rotate: (id) => rotateStationToken(db, id),
    close: () => db.close(),
  };
}

function describe(s: StationInfo): string {
  return `${s.stationId}（${s.name}，${ROLE_LABELS[s.role]}，${s.district}${s.department ? `，部门 ${s.department}` : ''}）`;
}

function printToken(io: CliIo, token: string): void {
  io.out('令牌（只显示这一次：请当面或经可靠渠道交给该站点；集线器只保存其散列）/ token, shown once:');
  io.out(token);
}

/** Runs one command; returns the process exit code. */
export async function runStationCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        id: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        district: { type: 'string' },
        department: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.err((e as Error).message);
    io.err(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command || !['add', 'list', 'revoke', 'rotate'].includes(command) || positionals.length > 1) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  if (command !== 'list' && !values.id) {
    io.err(`${command}: 需要 --id <站点编号>`);
    return 2;
  }
  if (command === 'add') {
    const missing = (['name', 'role', 'district'] as const).filter((k) => !values[k]);
    if (missing.length > 0) {
      io.err(`add: 缺少 ${missing.map((m) => `--${m}`).join(' ')}`);
      return 2;
    }
  }

  const useHttp = Boolean(env.HUB_URL);
  if (useHttp && !env.HUB_ADMIN_TOKEN) {
    io.err('设置了 HUB_URL 但没有 HUB_ADMIN_TOKEN：通过 HTTP 登记需要管理令牌');
    return 2;
  }
  let backend: Backend | undefined;
  try {
    backend = useHttp ? httpBackend(env.HUB_URL!, env.HUB_ADMIN_TOKEN!) : await dbBackend(env);
    const json = (v: unknown) => io.out(JSON.stringify(v, null, 2));
    switch (command) {
      case 'add': {
        const result = await backend.add({
          stationId: values.id,
          name: values.name,
          role: values.role,
          district: values.district,
          department: values.department ?? null,
        });
        if (values.json) json(result);
        else {
          io.out(`已登记站点 ${describe(result.station)} @ ${backend.where}`);
          printToken(io, result.token);
        }
        break;
      }
      case 'list': {
        const stations = await backend.list();
        if (values.json) json({ stations });
        else if (stations.length === 0) io.out(`（尚无站点）@ ${backend.where}`);
        else {
          for (const s of stations) {
            const state = s.revokedAt ? `已停用 ${s.revokedAt}` : `有效令牌 ${s.activeTokens}`;
            io.out(`${s.stationId}\t${s.role}\t${s.district}\t${s.department ?? '-'}\t${s.name}\t${state}`);
          }
        }
        break;
      }
      case 'revoke': {
        const station = await backend.revoke(values.id!);
        if (values.json) json({ station });
        else io.out(`已停用站点 ${describe(station)}：其令牌立即失效；其事件保留。`);
        break;
      }
      case 'rotate': {
        const result = await backend.rotate(values.id!);
        if (values.json) json(result);
        else {
          io.out(`已为站点 ${describe(result.station)} 更换令牌：旧令牌全部失效。`);
          printToken(io, result.token);
        }
        break;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof HubError) io.err(`${e.message}（${e.code}）`);
    else io.err(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    await backend?.close();
  }
}
