import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { AttemptsService } from './attempts.service';
import { DeliveryRulesService } from './delivery-rules.service';
import { AttemptResponseDto } from './dto/attempt.dto';
import {
  AccommodationDto,
  ExtendAttemptDto,
  PutAccommodationDto,
  PutQuizScheduleDto,
  QuizScheduleDto,
  RemoveAccommodationDto,
} from './dto/delivery-rules.dto';

// A cohort's instructors (checked per cohort), admins, and clients that manage cohorts.
const SCHEDULE = { roles: ['instructor', 'admin'], scopes: ['cohorts:write'] } as const;
const SCHEDULE_READ = { roles: ['instructor', 'admin'], scopes: ['cohorts:read', 'cohorts:write'] } as const;
// A learner's instructors (checked per learner), admins, and clients that run attempts.
const ACCOMMODATE = { roles: ['instructor', 'admin'], scopes: ['attempts:write'] } as const;

@ApiTags('delivery rules')
@ApiProblems()
@Controller('v1')
export class DeliveryRulesController {
  constructor(
    private readonly rules: DeliveryRulesService,
    private readonly attempts: AttemptsService,
  ) {}

  @Get('cohorts/:id/quizzes/:quizId/schedule')
  @Authenticated({ roles: [...SCHEDULE_READ.roles], scopes: [...SCHEDULE_READ.scopes] })
  @ApiOperation({ summary: 'The cohort’s dates for a quiz, beside the quiz’s own' })
  @ApiOkResponse({ type: QuizScheduleDto })
  @ApiProblem(404, 'No such cohort or quiz in it, or not a cohort the caller teaches')
  schedule(@CurrentCaller() caller: Caller, @Param('id') id: string, @Param('quizId') quizId: string) {
    return this.rules.schedule(caller, id, quizId);
  }

  @Put('cohorts/:id/quizzes/:quizId/schedule')
  @Authenticated({ roles: [...SCHEDULE.roles], scopes: [...SCHEDULE.scopes] })
  @ApiOperation({
    summary: 'Set the cohort’s opensAt, dueAt and closesAt for a quiz (null: the quiz’s own; all null removes it)',
    description:
      'A learner in several cohorts gets the most generous of their cohorts’ dates, bound by bound (README, ' +
      '"Availability, accommodations"). Audited.',
  })
  @ApiOkResponse({ type: QuizScheduleDto })
  @ApiProblem(400, 'A date that is not RFC 3339, or dates out of order (with the quiz’s for those left unset)')
  @ApiProblem(404, 'No such cohort or quiz in it, or not a cohort the caller teaches')
  putSchedule(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('quizId') quizId: string,
    @Body() dto: PutQuizScheduleDto,
  ) {
    return this.rules.putSchedule(caller, id, quizId, dto);
  }

  @Get('users/:userId/quizzes/:quizId/accommodation')
  @Authenticated({ roles: [...ACCOMMODATE.roles], scopes: [...ACCOMMODATE.scopes] })
  @ApiParam({ name: 'userId', description: 'User id' })
  @ApiOperation({ summary: 'A learner’s standing accommodation on a quiz, with its reason (staff only)' })
  @ApiOkResponse({ type: AccommodationDto })
  @ApiProblem(404, 'No such learner visible to the caller, no such quiz, or no accommodation')
  accommodation(@CurrentCaller() caller: Caller, @Param('userId') userId: string, @Param('quizId') quizId: string) {
    return this.rules.accommodation(caller, userId, quizId);
  }

  @Put('users/:userId/quizzes/:quizId/accommodation')
  @Authenticated({ roles: [...ACCOMMODATE.roles], scopes: [...ACCOMMODATE.scopes] })
  @ApiParam({ name: 'userId', description: 'User id' })
  @ApiOperation({
    summary: 'Set a learner’s standing accommodation on a quiz (replaces any), with a reason',
    description:
      'Extra attempts, time limit × timeMultiplier + extraMinutes, and a later due date or closing; applies to ' +
      'attempts started from now on. The learner sees only the effect. Audited with the reason.',
  })
  @ApiOkResponse({ type: AccommodationDto })
  @ApiProblem(400, 'Out of limits, or closesAt before dueAt')
  @ApiProblem(404, 'No such learner visible to the caller (a learner cannot set their own), or no such quiz')
  putAccommodation(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Param('quizId') quizId: string,
    @Body() dto: PutAccommodationDto,
  ) {
    return this.rules.putAccommodation(caller, userId, quizId, dto);
  }

  @Delete('users/:userId/quizzes/:quizId/accommodation')
  @HttpCode(204)
  @Authenticated({ roles: [...ACCOMMODATE.roles], scopes: [...ACCOMMODATE.scopes] })
  @ApiParam({ name: 'userId', description: 'User id' })
  @ApiOperation({
    summary: 'End a learner’s standing accommodation on a quiz, with a reason (in the JSON body)',
    description:
      'Attempts started from now on follow the quiz’s and cohorts’ rule; an attempt already in progress keeps ' +
      'the deadline it started with (extend or not, as a person decides). Audited with the reason.',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblem(400, 'No reason given')
  @ApiProblem(404, 'No such learner visible to the caller, no such quiz, or no accommodation')
  async removeAccommodation(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Param('quizId') quizId: string,
    @Body() dto: RemoveAccommodationDto,
  ): Promise<void> {
    await this.rules.removeAccommodation(caller, userId, quizId, dto);
  }

  @Post('attempts/:id/extend')
  @HttpCode(200)
  @Authenticated({ roles: [...ACCOMMODATE.roles], scopes: [...ACCOMMODATE.scopes] })
  @ApiOperation({ summary: 'Give an attempt in progress more time, with a reason (audited)' })
  @ApiOkResponse({ type: AttemptResponseDto })
  @ApiProblem(404, 'No such attempt, or not one of the caller’s learners (a learner cannot extend their own)')
  @ApiProblem(409, 'The attempt is finished, its time is up, or it has no deadline')
  async extend(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: ExtendAttemptDto) {
    return this.attempts.get(caller, await this.rules.extend(caller, id, dto));
  }
}
