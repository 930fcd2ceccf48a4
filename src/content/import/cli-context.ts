import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadConfig } from '../../config/config';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../database/embedded-postgres';
import { ModuleImportService } from './module-import.service';

/**
 * Runs `work` with the importer of an application context (no HTTP server) on
 * DATABASE_URL, or on the embedded database in DATA_DIR (stop the API first:
 * PGlite allows one process per folder). Migrates first, as the app does.
 */
export async function withImporter<T>(work: (importer: ModuleImportService) => Promise<T>): Promise<T> {
  // Demo users and the first-start seeding belong to `npm start`, not to these scripts.
  let config = { ...loadConfig(), demoUsers: false };
  let embedded: EmbeddedPostgres | undefined;
  if (!config.database.url) {
    embedded = await startEmbeddedPostgres({ dataDir: join(config.database.dataDir, 'pgdata') });
    config = { ...config, database: { ...config.database, url: embedded.url } };
  }
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
    try {
      return await work(app.get(ModuleImportService));
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}
