import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ProgressModule } from '../progress/progress.module';
import { IdempotencyInterceptor } from '../common/idempotency/idempotency.interceptor';
import { AttemptSweeper } from './attempt-sweeper';
import { AttemptsController } from './attempts.controller';
import { AttemptsService } from './attempts.service';
import { GradingService } from './grading.service';
import { QuestionVersions } from './question-versions';

@Module({
  imports: [AuthModule, ProgressModule],
  controllers: [AttemptsController],
  providers: [AttemptsService, GradingService, AttemptSweeper, IdempotencyInterceptor, QuestionVersions],
  exports: [AttemptsService],
})
export class AttemptsModule {}
