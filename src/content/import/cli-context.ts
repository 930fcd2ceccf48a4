import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadConfig } from '../../config/config';
import { DataFolderInUse } from '../../database/data-folder-lock';
import { folderInUseMessage, openRuntime } from '../../runtime';
import { ModuleImportService } from './module-import.service';

/**
 * Runs `work` with the importer of an application context (no HTTP server) on
 * DATABASE_URL, or on the embedded database in DATA_DIR (one process per
 * folder: refused while the API runs on it). Migrates first, as the app does.
 */
export async function withImporter<T>(
  command: string,
  work: (importer: ModuleImportService) => Promise<T>,
): Promise<T> {
  // Demo users and the first-start seeding belong to `npm start`, not to these scripts.
  // No delivery thread for a command's few seconds either: the instances deliver what it emits.
  const config = loadConfig();
  const runtime = await openRuntime(
    { ...config, demoUsers: false, events: { ...config.events, delivery: 'inline' } },
    command,
  );
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime.config), { logger: ['error'] });
    try {
      return await work(app.get(ModuleImportService));
    } finally {
      await app.close();
    }
  } finally {
    await runtime.close();
  }
}

/** The message and exit status of an import script whose data folder is taken, or undefined. */
export function folderInUseExit(error: unknown): number | undefined {
  if (!(error instanceof DataFolderInUse)) return undefined;
  console.error(
    folderInUseMessage(error, 'POST /v1/modules/import with an admin token (see README, "Modules and answer keys").'),
  );
  return 75; // EX_TEMPFAIL
}
