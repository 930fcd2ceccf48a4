import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { SYSTEM_CALLER } from '../../src/auth/access.types';
import { loadConfig } from '../../src/config/config';
import { findModuleFiles, readImportSource } from '../../src/content/import/module-files';
import { ModuleImportService } from '../../src/content/import/module-import.service';
import type { RunningServer, SeedReport } from './protocol';

/** The API as `npm start` runs it (src/main.ts), on the database in DATABASE_URL. */
export async function startApi(): Promise<RunningServer> {
  const config = loadConfig(process.env);
  const { app } = await createApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  return {
    port: (app.getHttpServer().address() as AddressInfo).port,
    close: () => app.close(),
  };
}

/**
 * Migrates the database (the app does so at start) and imports Module 5 with
 * its answer key through the app's own import service, as `npm run seed` does.
 */
export async function seedModule5(root: string): Promise<SeedReport> {
  const config = loadConfig(process.env);
  const { app } = await createApp(config);
  try {
    await app.init();
    const files = findModuleFiles(join(root, 'seeds', 'modules')).find((found) =>
      /(^|[/\\])05_[^/\\]*\.md$/.test(found.markdownPath),
    );
    if (!files?.answerKey) throw new Error('seeds/modules/05_*.md and its answer key are missing');
    const report = await app.get(ModuleImportService).importModule(SYSTEM_CALLER, readImportSource(files));
    if (!report.module.id) throw new Error('Module 5 was not imported');
    return { status: report.status, moduleId: report.module.id, slug: report.module.slug };
  } finally {
    await app.close();
  }
}
