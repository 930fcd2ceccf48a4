import { DynamicModule, Module } from '@nestjs/common';
import { AttemptsModule } from './attempts/attempts.module';
import { ClockModule } from './common/clock';
import { HousekeepingModule } from './common/housekeeping/housekeeping.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { AuditModule } from './audit/audit.module';
import { EventsModule } from './events/events.module';
import { ClientsModule } from './clients/clients.module';
import { CohortsModule } from './cohorts/cohorts.module';
import { ContentModule } from './content/content.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LtiModule } from './lti/lti.module';
import { MetricsModule } from './metrics/metrics.module';
import { PagesModule } from './pages/pages.module';
import { ProgressModule } from './progress/progress.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        DatabaseModule,
        HousekeepingModule,
        AuditModule,
        EventsModule,
        HealthModule,
        MetricsModule,
        UsersModule,
        ClientsModule,
        ContentModule,
        AttemptsModule,
        ProgressModule,
        CohortsModule,
        LtiModule,
        PagesModule,
      ],
    };
  }
}
