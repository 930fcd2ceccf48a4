import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { EventsModule } from '../events/events.module';
import { DynamicRegistrationController } from './dynamic-registration.controller';
import { DynamicRegistrationService } from './dynamic-registration.service';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiKeysService } from './lti-keys.service';
import { LtiLaunchService } from './lti-launch.service';
import { LtiPlatformsController } from './lti-platforms.controller';
import { LtiPlatformsService } from './lti-platforms.service';
import { LtiController } from './lti.controller';

/** The LTI 1.3 tool: platforms, keys, login and launch, deep linking. */
@Module({
  imports: [AuthModule, AuditModule, EventsModule],
  controllers: [LtiPlatformsController, LtiController, DynamicRegistrationController],
  providers: [LtiPlatformsService, LtiKeysService, LtiLaunchService, LtiDeepLinkingService, DynamicRegistrationService],
  exports: [LtiKeysService],
})
export class LtiModule {}
