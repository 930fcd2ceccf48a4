import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../auth/access.types';
import { Authenticated } from '../../auth/authenticated.decorator';
import { CurrentCaller } from '../../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../../common/errors/api-problems.decorator';
import { PageQueryDto } from '../../common/http/pagination';
import { XapiStatementListDto } from './xapi-statement.dto';
import { XapiStatementsService } from './xapi-statements.service';

@ApiTags('xapi')
@ApiProblems()
@Controller('v1/users/:userId')
export class XapiStatementsController {
  constructor(private readonly statements: XapiStatementsService) {}

  @Get('xapi-statements')
  @Authenticated({ scopes: ['progress:read', 'attempts:write'] })
  @ApiParam({ name: 'userId', description: 'User id, or `me`' })
  @ApiOperation({
    summary: 'A learner’s xAPI 1.0.3 statements, for an LRS that pulls',
    description:
      'The statements of the learner’s events still kept (EVENT_RETENTION_DAYS), oldest first: the same ' +
      'statements, with the same ids, as those sent to XAPI_LRS_URL. The learner themself, their ' +
      'instructors, admins, and clients with progress:read or attempts:write; a learner reading their own ' +
      'gets no correctResponsesPattern.',
  })
  @ApiOkResponse({ type: XapiStatementListDto })
  @ApiProblem(404, 'No such user, or not visible to the caller')
  list(@CurrentCaller() caller: Caller, @Param('userId') userId: string, @Query() query: PageQueryDto) {
    return this.statements.list(caller, userId, query);
  }
}
