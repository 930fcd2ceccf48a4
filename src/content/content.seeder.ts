import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SYSTEM_CALLER } from '../auth/access.types';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { CourseModule } from './entities/course-module.entity';
import { ModuleImportRejected } from './import/import-problem';
import { findModuleFiles, readImportSource, seedModulesDir } from './import/module-files';
import { ModuleImportService } from './import/module-import.service';

/**
 * On the first start of the embedded database (the same condition as the
 * demo users: never in production), imports every module in seeds/modules,
 * so a newcomer finds Module 5 at once. A module that fails is logged and
 * skipped: the service still starts.
 */
@Injectable()
export class ContentSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('ContentSeeder');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly importer: ModuleImportService,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.demoUsers || this.config.env === 'production') return;
    if ((await this.dataSource.getRepository(CourseModule).count()) > 0) return;
    for (const files of findModuleFiles(seedModulesDir())) {
      try {
        const report = await this.importer.importModule(SYSTEM_CALLER, readImportSource(files));
        const { slug } = report.module;
        this.logger.log({ slug, status: report.status, ungraded: report.ungradedKnowledgeCheck }, 'module imported');
      } catch (error) {
        const problems = error instanceof ModuleImportRejected ? error.problems : undefined;
        this.logger.error(
          { file: files.markdownPath, problems, err: problems ? undefined : error },
          'module not imported',
        );
      }
    }
  }
}
