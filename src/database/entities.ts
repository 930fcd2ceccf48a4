import { Attempt } from '../attempts/entities/attempt.entity';
import { AttemptResponse } from '../attempts/entities/attempt-response.entity';
import { Accommodation } from '../attempts/entities/accommodation.entity';
import { QuizSchedule } from '../attempts/entities/quiz-schedule.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { LoginFailure } from '../auth/login-failure.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { WebSession } from '../auth/web-session.entity';
import { MachineClient } from '../clients/machine-client.entity';
import { CohortMember } from '../cohorts/entities/cohort-member.entity';
import { Cohort } from '../cohorts/entities/cohort.entity';
import { ItemAnalysisCache } from '../cohorts/entities/item-analysis-cache.entity';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity';
import { Activity } from '../content/entities/activity.entity';
import { OutboxEvent } from '../events/outbox-event.entity';
import { ProgressUpdate } from '../events/progress-update.entity';
import { WebhookDelivery } from '../events/webhook-delivery.entity';
import { WebhookEndpoint } from '../events/webhook-endpoint.entity';
import { ActivityStep } from '../content/entities/activity-step.entity';
import { ChecklistItem } from '../content/entities/checklist-item.entity';
import { CourseModule } from '../content/entities/course-module.entity';
import { Question } from '../content/entities/question.entity';
import { QuestionVersion } from '../content/entities/question-version.entity';
import { Quiz } from '../content/entities/quiz.entity';
import { ChecklistMark } from '../progress/entities/checklist-mark.entity';
import { ModuleProgress } from '../progress/entities/module-progress.entity';
import { StepMark } from '../progress/entities/step-mark.entity';
import { LtiContext } from '../lti/entities/lti-context.entity';
import { LtiDeepLink } from '../lti/entities/lti-deep-link.entity';
import { LtiIdentity } from '../lti/entities/lti-identity.entity';
import { LtiKey } from '../lti/entities/lti-key.entity';
import { LtiLogin } from '../lti/entities/lti-login.entity';
import { LtiPassback } from '../lti/entities/lti-passback.entity';
import { LtiPlatform } from '../lti/entities/lti-platform.entity';
import { LtiResourceLink } from '../lti/entities/lti-resource-link.entity';
import { User } from '../users/user.entity';

/**
 * Every entity the data source knows. Listed by hand (not globbed) so the same
 * list works from TypeScript sources under jest and from compiled output.
 */
export const entities: Function[] = [
  User,
  MachineClient,
  RefreshToken,
  WebSession,
  LoginFailure,
  AuditEvent,
  OutboxEvent,
  WebhookEndpoint,
  WebhookDelivery,
  ProgressUpdate,
  CourseModule,
  Activity,
  ActivityStep,
  ChecklistItem,
  Quiz,
  Question,
  QuestionVersion,
  Attempt,
  AttemptResponse,
  QuizSchedule,
  Accommodation,
  IdempotencyKey,
  StepMark,
  ChecklistMark,
  ModuleProgress,
  Cohort,
  CohortMember,
  ItemAnalysisCache,
  LtiPlatform,
  LtiKey,
  LtiLogin,
  LtiIdentity,
  LtiContext,
  LtiResourceLink,
  LtiDeepLink,
  LtiPassback,
];
