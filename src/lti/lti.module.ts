import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { CohortsModule } from '../cohorts/cohorts.module';
import { EventsModule } from '../events/events.module';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiKeysService } from './lti-keys.service';
import { LtiLaunchService } from './lti-launch.service';
import { LtiPlatformCalls } from './lti-platform-calls';
import { LtiPlatformsController } from './lti-platforms.controller';
import { LtiPlatformsService } from './lti-platforms.service';
import { LtiRosterController } from './lti-roster.controller';
import { LtiRosterService } from './lti-roster.service';
import { LtiController } from './lti.controller';

/** The LTI 1.3 tool: platforms, keys, login and launch, deep linking, rosters by NRPS. */
@Module({
  imports: [AuthModule, AuditModule, EventsModule, CohortsModule],
  controllers: [LtiPlatformsController, LtiController, LtiRosterController],
  providers: [
    LtiPlatformsService,
    LtiKeysService,
    LtiLaunchService,
    LtiDeepLinkingService,
    LtiPlatformCalls,
    LtiRosterService,
  ],
  exports: [LtiKeysService, LtiPlatformCalls],
})
export class LtiModule {}
