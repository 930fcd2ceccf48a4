import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ReplicaModule } from '../database/replica/replica.module';
import { CohortReportsService } from './cohort-reports.service';
import { CohortsController } from './cohorts.controller';
import { CohortsService } from './cohorts.service';
import { GradingQueueService } from './grading-queue.service';

@Module({
  imports: [AuthModule, ReplicaModule],
  controllers: [CohortsController],
  providers: [CohortsService, CohortReportsService, GradingQueueService],
  exports: [CohortsService],
})
export class CohortsModule {}
