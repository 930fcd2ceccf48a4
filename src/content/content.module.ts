import { Module } from '@nestjs/common';
import { ContentSeeder } from './content.seeder';
import { ModuleImportService } from './import/module-import.service';
import { ModulesController } from './modules.controller';
import { ModulesService } from './modules.service';

@Module({
  controllers: [ModulesController],
  providers: [ModulesService, ModuleImportService, ContentSeeder],
  exports: [ModulesService, ModuleImportService],
})
export class ContentModule {}
