/**
 * Opening the hub's database from its configuration: PostgreSQL when a connection string is
 * given, else embedded PGlite on a data folder; migrated to the latest schema either way.
 */
import type { Database } from './database';
import { migrate } from './migrations';
import { openPglite } from './pglite-driver';
import { openPostgres } from './pg-driver';
import { randomPageCostFromEnv, type RandomPageCost } from './planner-costs';

export interface DatabaseConfig {
  /** PostgreSQL connection string (DATABASE_URL); when absent, PGlite is used */
  databaseUrl?: string;
  /** optional schema for every PostgreSQL connection (HUB_DB_SCHEMA) */
  schema?: string;
  /** PGlite data folder (HUB_DATA_DIR) */
  dataDir: string;
  /** the planner's random page cost on the hub's sessions (HUB_DB_RANDOM_PAGE_COST; planner-costs.ts) */
  randomPageCost?: RandomPageCost;
}

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return {
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.HUB_DB_SCHEMA ? { schema: env.HUB_DB_SCHEMA } : {}),
    dataDir: env.HUB_DATA_DIR || '.hub-data',
    randomPageCost: randomPageCostFromEnv(env.HUB_DB_RANDOM_PAGE_COST),
  };
}

export async function openHubDatabase(config: DatabaseConfig): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres({
        connectionString: config.databaseUrl,
        ...(config.schema ? { schema: config.schema } : {}),
        ...(config.randomPageCost !== undefined ? { randomPageCost: config.randomPageCost } : {}),
      })
    : await openPglite(config.dataDir, config.randomPageCost !== undefined ? { randomPageCost: config.randomPageCost } : {});
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/** Where the data lives, for logs (no password). */
export function describeDatabase(config: DatabaseConfig): string {
  if (!config.databaseUrl) return `PGlite at ${config.dataDir}`;
  try {
    const u = new URL(config.databaseUrl);
    return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}${config.schema ? ` (schema ${config.schema})` : ''}`;
  } catch {
    return 'PostgreSQL';
  }
}
