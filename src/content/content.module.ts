import { Module } from '@nestjs/common';
import { ProgressModule } from '../progress/progress.module';
import { ContentSeeder } from './content.seeder';
import { ModuleImportService } from './import/module-import.service';
import { ModulesController } from './modules.controller';
import { ModulesService } from './modules.service';

@Module({
  imports: [ProgressModule],
  controllers: [ModulesController],
  providers: [ModulesService, ModuleImportService, ContentSeeder],
  exports: [ModulesService, ModuleImportService],
})
export class ContentModule {}
