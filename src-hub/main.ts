/**
 * The city hub: `npm run hub`. Fastify on HOST:PORT (127.0.0.1:4710), on embedded PGlite in
 * HUB_DATA_DIR (.hub-data/) or on PostgreSQL when DATABASE_URL is set. Stops cleanly on
 * SIGTERM / SIGINT (in-flight requests finish, then the database closes); a kill in the
 * middle of a push leaves nothing of it (one transaction).
 */
import { buildHubApp } from './http/app';
import { configFromEnv } from './config';
import { describeDatabase, openHubDatabase } from './db/open-database';

async function main(): Promise<void> {
  const config = configFromEnv();
  const db = await openHubDatabase(config.database);
  const app = buildHubApp({ db, adminToken: config.adminToken, logger: { level: config.logLevel }, validationWorkers: config.validationWorkers });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      app.log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    try {
      await app.close();
      await db.close();
      app.log.info('hub stopped');
      process.exit(0);
    } catch (e) {
      app.log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    app.log.error({ err: e }, 'cannot listen');
    await db.close();
    process.exit(1);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info(
    { port, database: db.kind, admin: config.adminToken !== undefined },
    `relay hub ready on http://${config.host}:${port} (${describeDatabase(config.database)})`,
  );
  for (const warning of db.durabilityWarnings ?? []) app.log.warn({ database: db.kind }, warning);
}

main().catch((e: unknown) => {
  console.error('relay hub failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
