import 'reflect-metadata';
import { join } from 'node:path';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './common/logging/logger';
import { EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';

async function bootstrap() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.log.level);

  let embedded: EmbeddedPostgres | undefined;
  if (!config.database.url) {
    const dataDir = join(config.database.dataDir, 'pgdata');
    embedded = await startEmbeddedPostgres({ dataDir });
    logger.info({ dataDir, url: embedded.url }, 'embedded PostgreSQL started (no DATABASE_URL set)');
    config = { ...config, database: { ...config.database, url: embedded.url } };
  }

  const { app } = await createApp(config, logger);
  await app.listen({ port: config.http.port, host: config.http.host });
  logger.info({ url: await app.getUrl(), docs: `${await app.getUrl()}/docs` }, 'listening');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: refusing new requests, finishing those in flight');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs).unref();
    // Closes the HTTP server (waiting for requests in flight), then the pool.
    await app.close();
    await embedded?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

bootstrap().catch((error: unknown) => {
  console.error('failed to start:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
