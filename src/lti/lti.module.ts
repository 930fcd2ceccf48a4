import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { CohortsModule } from '../cohorts/cohorts.module';
import { EventsModule } from '../events/events.module';
import { DynamicRegistrationController } from './dynamic-registration.controller';
import { DynamicRegistrationService } from './dynamic-registration.service';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiKeysService } from './lti-keys.service';
import { LtiLaunchService } from './lti-launch.service';
import { LtiPassbackService } from './lti-passback.service';
import { LtiPassbacksController } from './lti-passbacks.controller';
import { LtiPlatformCalls } from './lti-platform-calls';
import { LtiPlatformsController } from './lti-platforms.controller';
import { LtiPlatformsService } from './lti-platforms.service';
import { LtiRosterController } from './lti-roster.controller';
import { LtiRosterService } from './lti-roster.service';
import { LtiController } from './lti.controller';

/** The LTI 1.3 tool: platforms, keys, login and launch, deep linking, score passback, rosters by NRPS. */
@Module({
  imports: [AuthModule, AuditModule, EventsModule, CohortsModule],
  controllers: [
    LtiPlatformsController,
    LtiController,
    LtiPassbacksController,
    LtiRosterController,
    DynamicRegistrationController,
  ],
  providers: [
    LtiPlatformsService,
    LtiKeysService,
    LtiLaunchService,
    LtiDeepLinkingService,
    LtiPlatformCalls,
    LtiPassbackService,
    DynamicRegistrationService,
    LtiRosterService,
  ],
  exports: [LtiKeysService, LtiPlatformCalls],
})
export class LtiModule {}
