/**
 * The hub's working-day calendar from the command line (`npm run hub:calendar -- <command>`):
 * load a year's published holiday schedule once for every station, and list what was loaded.
 * Talks to a running hub's admin API when HUB_URL and HUB_ADMIN_TOKEN are set; else opens the
 * hub's database directly (DATABASE_URL, or the PGlite folder HUB_DATA_DIR, which only works
 * while the hub is stopped). A running hub on PostgreSQL judges by a directly loaded year
 * within CALENDAR_REFRESH_MS; the stations fetch it at their next sync round.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { calendarLoads, loadCalendarYear, type CalendarLoad, type LoadResult } from '../calendar/calendar-years';
import { databaseConfigFromEnv, describeDatabase, openHubDatabase } from '../db/open-database';
import { HubError } from '../errors';
import { adminApi } from './admin-api';
import type { CliIo } from './station-commands';

export const CALENDAR_USAGE = `用法 / usage:
  npm run hub:calendar -- load <日历文件.json> --by <经办人>
  npm run hub:calendar -- list
  (any command: --json for machine-readable output)

日历文件的格式与 resources/calendar/cn-2026.json 相同（国务院办公厅节假日安排通知）。
Where: HUB_URL + HUB_ADMIN_TOKEN -> the running hub's admin API;
       else DATABASE_URL (PostgreSQL) or HUB_DATA_DIR (PGlite, default .hub-data; hub must be stopped).`;

interface Backend {
  load(json: unknown, by: string): Promise<LoadResult>;
  list(): Promise<CalendarLoad[]>;
  close(): Promise<void>;
  where: string;
}

function httpBackend(hubUrl: string, adminToken: string): Backend {
  const { url: base, call } = adminApi(hubUrl, adminToken, 'calendar');
  return {
    where: `hub ${hubUrl}`,
    load: (json, by) => call('POST', `${base}?by=${encodeURIComponent(by)}`, json),
    list: async () => (await call<{ loads: CalendarLoad[] }>('GET', base)).loads,
    close: async () => undefined,
  };
}

async function dbBackend(env: NodeJS.ProcessEnv): Promise<Backend> {
  const config = databaseConfigFromEnv(env);
  const db = await openHubDatabase(config);
  return {
    where: describeDatabase(config),
    load: (json, by) => loadCalendarYear(db, json, by),
    list: () => calendarLoads(db),
    close: () => db.close(),
  };
}

function readYearFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`读不到日历文件 ${path}：${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`日历文件 ${path} 不是有效的 JSON：${(e as Error).message}`);
  }
}

/** Runs one command; returns the process exit code. */
export async function runCalendarCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        by: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.err((e as Error).message);
    io.err(CALENDAR_USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  const arity = command === 'load' ? 2 : 1;
  if (values.help || !command || !['load', 'list'].includes(command) || positionals.length !== arity) {
    (values.help ? io.out : io.err)(CALENDAR_USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'load' && !values.by?.trim()) {
    io.err('load: 需要 --by <经办人>（谁载入的，记入日历的历史）');
    return 2;
  }
  const useHttp = Boolean(env.HUB_URL);
  if (useHttp && !env.HUB_ADMIN_TOKEN) {
    io.err('设置了 HUB_URL 但没有 HUB_ADMIN_TOKEN：通过 HTTP 载入日历需要管理令牌');
    return 2;
  }
  let backend: Backend | undefined;
  try {
    // the file is read and parsed before anything is opened: a bad file touches nothing
    const year = command === 'load' ? readYearFile(positionals[1]!) : undefined;
    backend = useHttp ? httpBackend(env.HUB_URL!, env.HUB_ADMIN_TOKEN!) : await dbBackend(env);
    if (command === 'load') {
      const result = await backend.load(year, values.by!);
      if (values.json) io.out(JSON.stringify(result, null, 2));
      else if (result.unchanged) io.out(`${result.year} 年的日历与中心现行的完全相同，未作改动（版本 ${result.revision}）@ ${backend.where}`);
      else io.out(`已载入 ${result.year} 年的工作日历（版本 ${result.revision}）@ ${backend.where}；各站点下次同步时取用。`);
    } else {
      const loads = await backend.list();
      if (values.json) io.out(JSON.stringify({ loads }, null, 2));
      else if (loads.length === 0) io.out(`（中心尚未载入日历：各站点使用随软件发布的年份）@ ${backend.where}`);
      else {
        for (const l of loads) {
          io.out(`${l.revision}\t${l.year}\t${l.official ? '正式' : '草案'}\t${l.inForce ? '现行' : '已被取代'}\t${l.loadedAt}\t${l.loadedBy}\t${l.source}`);
        }
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
