import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './common/logging/logger';
import { DataFolderInUse } from './database/data-folder-lock';
import { DatabaseUnreachable, waitForDatabase } from './database/wait-for-database';
import { openStartupGate, type StartupGate } from './health/startup-gate';
import { folderInUseMessage, openRuntime, type Runtime } from './runtime';

async function bootstrap() {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(loaded.log.level);

  let runtime: Runtime;
  try {
    runtime = await openRuntime(loaded, 'the API', {
      onCompromised: (error) => {
        // Another process took the data folder over: writing on would lose data.
        logger.fatal({ err: error }, 'lost the lock on the data folder; exiting');
        process.exit(1);
      },
    });
  } catch (error) {
    if (error instanceof DataFolderInUse) {
      console.error(folderInUseMessage(error));
      process.exit(75); // EX_TEMPFAIL
    }
    throw error;
  }
  const { config, embedded } = runtime;
  if (embedded) {
    logger.info(
      { dataDir: config.database.dataDir, url: embedded.url },
      'embedded PostgreSQL started (no DATABASE_URL set)',
    );
  }

  // A server database may still be starting: hold the port (live, not ready) until it answers.
  let gate: StartupGate | undefined;
  if (!embedded && config.database.url) {
    gate = await openStartupGate(config.http.port, config.http.host);
    await waitForDatabase(config.database.url, {
      timeoutSeconds: config.database.connectTimeoutSeconds,
      logger,
      onFailure: ({ attempt, reason }) => gate?.setReason(`waiting for the database (try ${attempt}: ${reason})`),
    });
    gate.setReason('applying migrations');
  }

  const { app } = await createApp(config, logger);
  await app.init();
  await gate?.close();
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
    await runtime.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

bootstrap().catch((error: unknown) => {
  if (error instanceof DatabaseUnreachable) console.error(`failed to start: ${error.message}`);
  else console.error('failed to start:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
