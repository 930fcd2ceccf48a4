import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { DATA_AGE_HEADER, ReadsReplica } from '../database/replica/data-age';
import { CohortReportsService } from './cohort-reports.service';
import { CohortsService } from './cohorts.service';
import {
  AddMemberDto,
  CohortDto,
  CohortPageDto,
  CreateCohortDto,
  ListCohortsQueryDto,
  ListMembersQueryDto,
  MemberDto,
  MemberPageDto,
  RosterDto,
  RosterReportDto,
  UnknownRosterMembersProblemDto,
  UpdateCohortDto,
} from './dto/cohort.dto';
import { GradingQueueDto, GradingQueueQueryDto } from './dto/grading-queue.dto';
import { CohortProgressDto, CohortProgressQueryDto, ItemAnalysisDto } from './dto/report.dto';
import { GradingQueueService } from './grading-queue.service';

const READ = { roles: ['instructor', 'admin'], scopes: ['cohorts:read', 'cohorts:write'] } as const;
// Membership decides whom an instructor may see, so only admins and cohort-writing clients change it.
const MANAGE = { roles: ['admin'], scopes: ['cohorts:write'] } as const;

const csvFile = (stream: Readable, name: string) =>
  new StreamableFile(stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${name}"` });

@ApiTags('cohorts')
@ApiProblems()
@Controller('v1/cohorts')
export class CohortsController {
  constructor(
    private readonly cohorts: CohortsService,
    private readonly reports: CohortReportsService,
    private readonly gradingQueue: GradingQueueService,
  ) {}

  @Post()
  @Authenticated({ roles: [...MANAGE.roles], scopes: [...MANAGE.scopes] })
  @ApiOperation({ summary: 'Create a cohort' })
  @ApiCreatedResponse({ type: CohortDto })
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateCohortDto) {
    return this.cohorts.create(caller, dto);
  }

  @Get()
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({
    summary: 'Cohorts the caller may see (instructors: those they teach), with summary numbers per module',
  })
  @ApiOkResponse({ type: CohortPageDto })
  list(@CurrentCaller() caller: Caller, @Query() query: ListCohortsQueryDto) {
    return this.cohorts.list(caller, query);
  }

  @Get(':id')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({ summary: 'A cohort' })
  @ApiOkResponse({ type: CohortDto })
  @ApiProblem(404, 'No such cohort, or not one the caller teaches')
  get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.cohorts.get(caller, id);
  }

  @Patch(':id')
  @Authenticated({ roles: [...MANAGE.roles], scopes: [...MANAGE.scopes] })
  @ApiOperation({ summary: 'Rename, change modules or dates, archive' })
  @ApiOkResponse({ type: CohortDto })
  @ApiProblem(404, 'No such cohort')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdateCohortDto) {
    return this.cohorts.update(caller, id, dto);
  }

  @Put(':id/members')
  @Authenticated({ roles: [...MANAGE.roles], scopes: [...MANAGE.scopes] })
  @ApiOperation({ summary: 'Replace the roster by external ids (LMS sync); reports what changed' })
  @ApiOkResponse({ type: RosterReportDto })
  @ApiProblem(404, 'No such cohort')
  @ApiProblem(422, 'Unknown external ids that cannot be created', UnknownRosterMembersProblemDto)
  syncRoster(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: RosterDto) {
    return this.cohorts.syncRoster(caller, id, dto);
  }

  @Post(':id/members')
  @Authenticated({ roles: [...MANAGE.roles], scopes: [...MANAGE.scopes] })
  @ApiOperation({ summary: 'Add one member (or reactivate them)' })
  @ApiCreatedResponse({ type: MemberDto })
  @ApiProblem(404, 'No such cohort or user')
  addMember(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: AddMemberDto) {
    return this.cohorts.addMember(caller, id, dto);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @Authenticated({ roles: [...MANAGE.roles], scopes: [...MANAGE.scopes] })
  @ApiOperation({ summary: 'Remove one member (kept as inactive)' })
  @ApiNoContentResponse({ description: 'Now inactive' })
  @ApiProblem(404, 'No such cohort or active member')
  removeMember(@CurrentCaller() caller: Caller, @Param('id') id: string, @Param('userId') userId: string) {
    return this.cohorts.removeMember(caller, id, userId);
  }

  @Get(':id/members')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({ summary: 'Members, by name' })
  @ApiOkResponse({ type: MemberPageDto })
  @ApiProblem(404, 'No such cohort, or not one the caller teaches')
  members(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query() query: ListMembersQueryDto) {
    return this.cohorts.members(caller, id, query);
  }

  @Get(':id/progress')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({
    summary: 'One row per learner in a module, with the cohort’s summary (Accept: text/csv for the whole table)',
  })
  @ApiExtraModels(CohortProgressDto)
  @ReadsReplica()
  @ApiOkResponse({
    description: 'The page of rows and the summary, or with `Accept: text/csv` the whole table',
    headers: DATA_AGE_HEADER,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(CohortProgressDto) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiProblem(404, 'No such cohort or module, or not a cohort the caller teaches')
  async progress(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Query() query: CohortProgressQueryDto,
    // Read from the request, not a @Headers parameter: OpenAPI 3 ignores an Accept header parameter; the two
    // media types of the 200 document the choice.
    @Req() request: FastifyRequest,
  ) {
    if (request.headers.accept?.includes('text/csv'))
      return csvFile(await this.reports.progressCsv(caller, id, query), 'progress.csv');
    return this.reports.progress(caller, id, query);
  }

  @Get(':id/progress.csv')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({ summary: 'The whole progress table as CSV, streamed' })
  @ApiProduces('text/csv')
  @ReadsReplica()
  @ApiOkResponse({ description: 'CSV with a header row', headers: DATA_AGE_HEADER, schema: { type: 'string' } })
  @ApiProblem(404, 'No such cohort or module, or not a cohort the caller teaches')
  async progressCsv(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query() query: CohortProgressQueryDto) {
    return csvFile(await this.reports.progressCsv(caller, id, query), 'progress.csv');
  }

  @Get(':id/quizzes/:quizId/item-analysis')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({
    summary:
      'Per question: responses, facility, discrimination (27% groups), choice and blank shares; quiz mean, SD, alpha',
  })
  @ReadsReplica()
  @ApiOkResponse({ type: ItemAnalysisDto, headers: DATA_AGE_HEADER })
  @ApiProblem(404, 'No such cohort, or no such quiz in it, or not a cohort the caller teaches')
  itemAnalysis(@CurrentCaller() caller: Caller, @Param('id') id: string, @Param('quizId') quizId: string) {
    return this.reports.itemAnalysis(caller, id, quizId);
  }

  @Get(':id/grading-queue')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({
    summary: 'Answers of the cohort’s learners waiting for a person (essays), oldest submitted first',
    description:
      'Each with the prompt, the answer, the answer key’s rubric and the maximum score; grade one through ' +
      'POST /v1/attempts/{id}/grades, which takes it out of the queue.',
  })
  @ApiOkResponse({ type: GradingQueueDto })
  @ApiProblem(404, 'No such cohort, or no such quiz in it, or not a cohort the caller teaches')
  gradingQueueOf(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query() query: GradingQueueQueryDto) {
    return this.gradingQueue.queue(caller, id, query);
  }

  @Get(':id/responses.csv')
  @Authenticated({ roles: [...READ.roles], scopes: [...READ.scopes] })
  @ApiOperation({ summary: 'Every response of the cohort’s learners as CSV, streamed' })
  @ApiProduces('text/csv')
  @ReadsReplica()
  @ApiOkResponse({ description: 'CSV with a header row', headers: DATA_AGE_HEADER, schema: { type: 'string' } })
  @ApiProblem(404, 'No such cohort, or not one the caller teaches')
  async responsesCsv(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return csvFile(await this.reports.responsesCsv(caller, id), 'responses.csv');
  }
}
