import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ProgressModule } from '../progress/progress.module';
import { IdempotencyInterceptor } from '../common/idempotency/idempotency.interceptor';
import { AttemptSweeper } from './attempt-sweeper';
import { AttemptsController } from './attempts.controller';
import { AttemptsService } from './attempts.service';
import { DeliveryRulesController } from './delivery-rules.controller';
import { DeliveryRulesService } from './delivery-rules.service';
import { CohortsModule } from '../cohorts/cohorts.module';
import { GradingService } from './grading.service';
import { QuestionVersions } from './question-versions';

@Module({
  imports: [AuthModule, ProgressModule, CohortsModule],
  controllers: [AttemptsController, DeliveryRulesController],
  providers: [
    AttemptsService,
    GradingService,
    AttemptSweeper,
    IdempotencyInterceptor,
    QuestionVersions,
    DeliveryRulesService,
  ],
  exports: [AttemptsService],
})
export class AttemptsModule {}
