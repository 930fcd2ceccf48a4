import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './common/logging/logger';
import { resolveDatabase } from './database/resolve-database';

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

  const resolved = await resolveDatabase(config);
  const embedded = resolved.embedded;
  config = resolved.config;
  if (embedded) {
    logger.info(
      { dataDir: config.database.dataDir, url: embedded.url },
      'embedded PostgreSQL started (no DATABASE_URL set)',
    );
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
