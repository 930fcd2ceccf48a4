import { Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import { buildDataSourceOptions } from './data-source';
import { runMigrations } from './migrate';

/** Brings the schema up to date before any other module starts work. */
@Injectable()
class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit() {
    const applied = await runMigrations(this.dataSource);
    if (applied.length > 0) this.logger.log({ applied: applied.map((m) => m.name) }, 'migrations applied');
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.database.url) throw new Error('The database URL must be resolved before the app starts');
        return {
          ...buildDataSourceOptions({
            url: config.database.url,
            poolSize: config.database.poolSize,
            acquireTimeoutMs: config.database.acquireTimeoutMs,
            poolIdleMs: config.database.poolIdleMs,
            statementTimeoutMs: config.database.statementTimeoutMs,
            namedStatements: config.database.namedStatements,
          }),
          retryAttempts: 3,
          retryDelay: 1_000,
        };
      },
    }),
  ],
  providers: [MigrationRunner],
})
export class DatabaseModule {}
