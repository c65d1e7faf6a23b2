/**
 * Backing up and restoring the embedded hub database (`npm run hub:backup -- <command>`).
 * `save` asks a running hub's admin API when HUB_URL and HUB_ADMIN_TOKEN are set, else opens
 * the PGlite folder HUB_DATA_DIR directly (only while the hub is stopped). `restore` writes
 * into an empty folder only. A hub on PostgreSQL (DATABASE_URL) is backed up with pg_dump.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { API_PREFIX } from '../../src-common/protocol/v1';
import { writeFileDurably } from '../../src-common/node/durable-write';
import { databaseConfigFromEnv } from '../db/open-database';
import { openPglite } from '../db/pglite-driver';
import { restorePgliteBackup } from '../db/pglite-backup';
import type { CliIo } from './station-commands';

export const BACKUP_USAGE = `用法 / usage:
  npm run hub:backup -- save --out <文件.tar.gz>
  npm run hub:backup -- restore --from <文件.tar.gz> --data-dir <空目录>

save:    HUB_URL + HUB_ADMIN_TOKEN -> the running hub's admin API (pushes wait while it is taken);
         else HUB_DATA_DIR (default .hub-data; the hub must be stopped).
restore: only into an empty or new folder; then start the hub with HUB_DATA_DIR=<that folder>.
A hub on PostgreSQL (DATABASE_URL): use pg_dump.`;

async function fetchBackup(hubUrl: string, adminToken: string): Promise<Uint8Array> {
  const url = new URL(`${API_PREFIX}/admin/backup`, hubUrl.endsWith('/') ? hubUrl : `${hubUrl}/`).href;
  const res = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!res.ok) {
    const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new Error(`${json?.error?.message ?? res.statusText}（HTTP ${res.status}${json?.error?.code ? `，${json.error.code}` : ''}）`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

async function backupFromFolder(dataDir: string): Promise<Uint8Array> {
  const db = await openPglite(dataDir);
  try {
    return await db.backup!();
  } finally {
    await db.close();
  }
}

function megabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Runs one command; returns the process exit code. */
export async function runBackupCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        from: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.err((e as Error).message);
    io.err(BACKUP_USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command || !['save', 'restore'].includes(command) || positionals.length > 1) {
    (values.help ? io.out : io.err)(BACKUP_USAGE);
    return values.help ? 0 : 2;
  }
  try {
    if (command === 'save') {
      if (!values.out) {
        io.err('save: 需要 --out <文件.tar.gz>');
        return 2;
      }
      let bytes: Uint8Array;
      let where: string;
      if (env.HUB_URL) {
        if (!env.HUB_ADMIN_TOKEN) {
          io.err('设置了 HUB_URL 但没有 HUB_ADMIN_TOKEN：通过 HTTP 备份需要管理令牌');
          return 2;
        }
        where = `hub ${env.HUB_URL}`;
        bytes = await fetchBackup(env.HUB_URL, env.HUB_ADMIN_TOKEN);
      } else {
        const config = databaseConfigFromEnv(env);
        if (config.databaseUrl) {
          io.err('DATABASE_URL 指向 PostgreSQL：请用 pg_dump 备份（此命令只备份嵌入式数据库）');
          return 2;
        }
        where = `PGlite at ${config.dataDir}`;
        bytes = await backupFromFolder(config.dataDir);
      }
      // the whole database: readable by the hub's account only
      await writeFileDurably(values.out, bytes, { mode: 0o600 });
      io.out(`已备份 ${where} → ${values.out}（${megabytes(bytes.length)}）`);
      return 0;
    }
    if (!values.from || !values['data-dir']) {
      io.err('restore: 需要 --from <文件.tar.gz> 与 --data-dir <空目录>');
      return 2;
    }
    const bytes = new Uint8Array(await readFile(values.from));
    const restored = await restorePgliteBackup(values['data-dir'], bytes);
    io.out(
      `已恢复到 ${values['data-dir']}：${restored.stations} 个站点，${restored.events} 条事件（数据库结构版本 ${restored.schemaVersion}）。` +
        `用 HUB_DATA_DIR=${values['data-dir']} npm run hub 启动集线器。`,
    );
    return 0;
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return 1;
  }
}
