import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { CohortInstructorRoster } from '../cohorts/cohort-roster';
import { INSTRUCTOR_ROSTER, LearnerAccessService } from './learner-access.service';
import { LoginThrottleService } from './login-throttle.service';
import { PrincipalService } from './principal.service';
import { TokenService } from './token.service';
import { SessionController } from './session.controller';
import { WebSessionService } from './web-session.service';

@Module({
  imports: [PassportModule],
  controllers: [AuthController, SessionController],
  providers: [
    AuthService,
    TokenService,
    WebSessionService,
    LoginThrottleService,
    PrincipalService,
    JwtStrategy,
    LearnerAccessService,
    // Instructors reach the learners of the cohorts they teach.
    { provide: INSTRUCTOR_ROSTER, useClass: CohortInstructorRoster },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [TokenService, PrincipalService, LearnerAccessService, WebSessionService],
})
export class AuthModule {}
