/** The hub's settings, from the environment. */
import { databaseConfigFromEnv, type DatabaseConfig } from './db/open-database';

export interface HubConfig {
  host: string;
  port: number;
  logLevel: string;
  adminToken: string | undefined;
  database: DatabaseConfig;
  /** worker threads validating pushed events (0: on the hub's own thread) */
  validationWorkers: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 4710 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (0–65535), got "${env.PORT}"`);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const adminToken = env.HUB_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) throw new Error('HUB_ADMIN_TOKEN must be at least 16 characters');
  const workers = env.HUB_VALIDATION_WORKERS === undefined || env.HUB_VALIDATION_WORKERS === '' ? 1 : Number(env.HUB_VALIDATION_WORKERS);
  if (!Number.isInteger(workers) || workers < 0 || workers > 16) {
    throw new Error(`HUB_VALIDATION_WORKERS must be a whole number from 0 to 16, got "${env.HUB_VALIDATION_WORKERS}"`);
  }
  return { host: env.HOST || '127.0.0.1', port, logLevel, adminToken, database: databaseConfigFromEnv(env), validationWorkers: workers };
}
