import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtVerifier } from './jwt-verifier';
import { CohortInstructorRoster } from '../cohorts/cohort-roster';
import { INSTRUCTOR_ROSTER, LearnerAccessService } from './learner-access.service';
import { LoginThrottleService } from './login-throttle.service';
import { PrincipalService } from './principal.service';
import { TokenService } from './token.service';
import { SessionController } from './session.controller';
import { WebSessionService } from './web-session.service';

@Module({
  controllers: [AuthController, SessionController],
  providers: [
    AuthService,
    TokenService,
    WebSessionService,
    LoginThrottleService,
    PrincipalService,
    JwtVerifier,
    LearnerAccessService,
    // Instructors reach the learners of the cohorts they teach.
    { provide: INSTRUCTOR_ROSTER, useClass: CohortInstructorRoster },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [TokenService, PrincipalService, LearnerAccessService, WebSessionService],
})
export class AuthModule {}
