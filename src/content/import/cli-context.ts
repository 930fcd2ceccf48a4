import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadConfig } from '../../config/config';
import { resolveDatabase } from '../../database/resolve-database';
import { ModuleImportService } from './module-import.service';

/**
 * Runs `work` with the importer of an application context (no HTTP server) on
 * DATABASE_URL, or on the embedded database in DATA_DIR (stop the API first:
 * PGlite allows one process per folder). Migrates first, as the app does.
 */
export async function withImporter<T>(work: (importer: ModuleImportService) => Promise<T>): Promise<T> {
  // Demo users and the first-start seeding belong to `npm start`, not to these scripts.
  const { config, embedded } = await resolveDatabase({ ...loadConfig(), demoUsers: false });
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
