import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Caller } from '../auth/access.types';
import { Authenticated, DefersCallerLookup } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { AttemptsService } from './attempts.service';
import {
  AttemptListDto,
  AttemptRefusedProblemDto,
  AttemptResponseDto,
  GradeAttemptDto,
  ListAttemptsQueryDto,
  RegradeDto,
  RegradeReportDto,
  SaveResponsesDto,
  StartAttemptDto,
} from './dto/attempt.dto';
import { GradingService } from './grading.service';

@ApiTags('attempts')
@ApiProblems()
@Controller('v1')
export class AttemptsController {
  constructor(
    private readonly attempts: AttemptsService,
    private readonly grading: GradingService,
  ) {}

  @Post('quizzes/:quizId/attempts')
  @Authenticated({ scopes: ['attempts:write'] })
  // A learner's first request is usually this one: their roles are read with the quiz (AttemptsService.start).
  @DefersCallerLookup()
  // Above @Idempotent(): of two responses for one status, swagger keeps the content of the decorator applied last.
  @ApiProblem(
    409,
    'No attempts left, too soon after the last one, not open yet or closed (for this learner)',
    AttemptRefusedProblemDto,
  )
  @Idempotent()
  @ApiOperation({
    summary: 'Start an attempt, or resume the one in progress',
    description:
      'Learners start their own; instructors (for their learners) and clients with attempts:write name `userId`.',
  })
  @ApiCreatedResponse({ type: AttemptResponseDto, description: 'A new attempt' })
  @ApiOkResponse({ type: AttemptResponseDto, description: 'The attempt already in progress' })
  @ApiProblem(404, 'No such quiz, or no such learner visible to the caller')
  async start(
    @CurrentCaller() caller: Caller,
    @Param('quizId') quizId: string,
    @Body() dto: StartAttemptDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttemptResponseDto> {
    const { attempt, resumed } = await this.attempts.start(caller, quizId, dto);
    void reply.status(resumed ? 200 : 201);
    return attempt;
  }

  @Get('attempts/:id')
  @Authenticated({ scopes: ['progress:read', 'attempts:write'] })
  @ApiOperation({ summary: 'An attempt, with what the review policy lets the reader see' })
  @ApiOkResponse({ type: AttemptResponseDto })
  @ApiProblem(404, 'No such attempt, or not visible to the caller')
  get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.attempts.get(caller, id);
  }

  @Put('attempts/:id/responses')
  @Authenticated({ scopes: ['attempts:write'] })
  @ApiOperation({ summary: 'Save answers (partial, repeatable) while the attempt is open' })
  @ApiOkResponse({ type: AttemptResponseDto })
  @ApiProblem(404, 'No such attempt, or not visible to the caller')
  @ApiProblem(409, 'The attempt is finished, or its deadline and grace period have passed')
  saveResponses(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: SaveResponsesDto) {
    return this.attempts.saveResponses(caller, id, dto);
  }

  @Post('attempts/:id/submit')
  @HttpCode(200)
  @Authenticated({ scopes: ['attempts:write'] })
  @Idempotent()
  @ApiOperation({ summary: 'Submit and score; a repeated submit returns the same result' })
  @ApiOkResponse({ type: AttemptResponseDto })
  @ApiProblem(404, 'No such attempt, or not visible to the caller')
  @ApiProblem(409, 'The deadline and grace period have passed')
  submit(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.attempts.submit(caller, id);
  }

  @Get('users/:userId/attempts')
  @Authenticated({ scopes: ['progress:read', 'attempts:write'] })
  @ApiParam({ name: 'userId', description: 'User id, or `me`' })
  @ApiOperation({ summary: 'A learner’s attempts, and the grade that counts per quiz' })
  @ApiOkResponse({ type: AttemptListDto })
  @ApiProblem(404, 'No such user, or not visible to the caller')
  list(@CurrentCaller() caller: Caller, @Param('userId') userId: string, @Query() query: ListAttemptsQueryDto) {
    return this.attempts.listForUser(caller, userId, query.quizId);
  }

  @Post('attempts/:id/grades')
  @HttpCode(200)
  @Authenticated({ roles: ['instructor', 'admin'] })
  @ApiOperation({ summary: 'Grade an essay, or override a question’s score, with a reason' })
  @ApiOkResponse({ type: AttemptResponseDto })
  @ApiProblem(404, 'No such attempt, or not one of the caller’s learners')
  @ApiProblem(409, 'The attempt is still in progress')
  grade(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: GradeAttemptDto) {
    return this.grading.grade(caller, id, dto);
  }

  @Post('quizzes/:quizId/regrade')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'], scopes: ['content:write'] })
  @ApiOperation({ summary: 'Score finished attempts again after an answer key was corrected (`dryRun` to preview)' })
  @ApiOkResponse({ type: RegradeReportDto })
  @ApiProblem(404, 'No such quiz')
  regrade(@CurrentCaller() caller: Caller, @Param('quizId') quizId: string, @Body() dto: RegradeDto) {
    return this.grading.regrade(caller, quizId, dto.dryRun ?? false);
  }
}
