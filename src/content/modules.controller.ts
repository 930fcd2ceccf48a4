import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { type AccessPolicy, Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { PageQueryDto } from '../common/http/pagination';
import { ApiImportRejected, ImportModuleDto, ImportReportDto } from './dto/import-module.dto';
import { ModuleDetailDto, ModulePageDto } from './dto/module.dto';
import { QuizDto, QuizQueryDto } from './dto/quiz.dto';
import { ModulesService } from './modules.service';

/** Any signed-in person; machine clients that read progress, act for learners or write content. */
const READERS: AccessPolicy = { scopes: ['content:write', 'progress:read', 'attempts:write'] };
const moduleRef = ApiParam({
  name: 'ref',
  description: 'Module slug (`05-monitoring-logging-and-incident-response`) or id',
});

@ApiTags('modules')
@ApiProblems()
@Controller('v1/modules')
export class ModulesController {
  constructor(private readonly modules: ModulesService) {}

  @Post('import')
  @HttpCode(200)
  @Authenticated({ roles: ['admin'], scopes: ['content:write'] })
  @ApiOperation({
    summary: 'Import or re-import a module from its Markdown and answer key',
    description:
      'Idempotent: an unchanged file changes nothing (status `unchanged`). A changed question gets a new version; ' +
      'items no longer in the file are retired, not deleted. Answers 200 whatever the status; `dryRun` writes nothing.',
  })
  @ApiOkResponse({ type: ImportReportDto, description: 'What the import did (in a dry run, would do)' })
  @ApiImportRejected()
  import(@CurrentCaller() caller: Caller, @Body() dto: ImportModuleDto) {
    return this.modules.import(caller, dto);
  }

  @Get()
  @Authenticated(READERS)
  @ApiOperation({ summary: 'List modules by number' })
  @ApiOkResponse({ type: ModulePageDto })
  list(@Query() query: PageQueryDto) {
    return this.modules.list(query);
  }

  @Get(':ref')
  @Authenticated(READERS)
  @moduleRef
  @ApiOperation({ summary: 'A module: objectives, sections, activities and steps, checklist, knowledge-check summary' })
  @ApiOkResponse({ type: ModuleDetailDto })
  @ApiProblem(404, 'No such module')
  get(@Param('ref') ref: string) {
    return this.modules.get(ref);
  }

  @Get(':ref/quiz')
  @Authenticated(READERS)
  @moduleRef
  @ApiOperation({
    summary: 'A module’s knowledge check and its questions, as a learner sees them (or with the answers)',
  })
  @ApiOkResponse({ type: QuizDto })
  @ApiProblem(404, 'No such module')
  quiz(@CurrentCaller() caller: Caller, @Param('ref') ref: string, @Query() query: QuizQueryDto) {
    return this.modules.quiz(caller, ref, query);
  }
}
