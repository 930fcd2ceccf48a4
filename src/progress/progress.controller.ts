import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { CourseProgressDto, MarkDto, ModuleProgressDto, VerifyDto } from './dto/progress.dto';
import { ProgressService } from './progress.service';

const userParam = ApiParam({ name: 'userId', description: 'User id, or `me`' });

@ApiTags('progress')
@ApiProblems()
@Controller('v1/users/:userId')
export class ProgressController {
  constructor(private readonly progress: ProgressService) {}

  @Put('steps/:stepId')
  @Authenticated({ scopes: ['attempts:write'] })
  @userParam
  @ApiOperation({ summary: 'Mark an activity step done or not done' })
  @ApiOkResponse({ type: ModuleProgressDto, description: 'The module’s progress after the change' })
  @ApiProblem(404, 'No such user or step, or not visible to the caller')
  markStep(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Param('stepId') stepId: string,
    @Body() dto: MarkDto,
  ) {
    return this.progress.markStep(caller, userId, stepId, dto);
  }

  @Put('checklist/:itemId')
  @Authenticated({ scopes: ['attempts:write'] })
  @userParam
  @ApiOperation({ summary: 'Tick or untick a checklist item (items linked to an activity follow its steps)' })
  @ApiOkResponse({ type: ModuleProgressDto })
  @ApiProblem(404, 'No such user or checklist item, or not visible to the caller')
  @ApiProblem(409, 'The item follows its activity’s steps and cannot be ticked directly')
  markChecklistItem(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Param('itemId') itemId: string,
    @Body() dto: MarkDto,
  ) {
    return this.progress.markChecklistItem(caller, userId, itemId, dto);
  }

  @Put('checklist/:itemId/verification')
  @Authenticated({ roles: ['instructor', 'admin'] })
  @userParam
  @ApiOperation({ summary: 'Verify a learner’s ticked item (instructors of the learner, admins)' })
  @ApiOkResponse({ type: ModuleProgressDto })
  @ApiProblem(404, 'No such learner of the caller’s, or no such checklist item')
  @ApiProblem(409, 'The learner has not ticked the item, or it follows an activity')
  verify(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Param('itemId') itemId: string,
    @Body() dto: VerifyDto,
  ) {
    return this.progress.verifyChecklistItem(caller, userId, itemId, dto.verified);
  }

  @Get('modules/:module/progress')
  @Authenticated({ scopes: ['progress:read', 'attempts:write'] })
  @userParam
  @ApiParam({ name: 'module', description: 'Module slug or id' })
  @ApiOperation({ summary: 'A learner’s progress in a module: status, what is done, and what is still unmet' })
  @ApiOkResponse({ type: ModuleProgressDto })
  @ApiProblem(404, 'No such user or module, or not visible to the caller')
  moduleProgress(@CurrentCaller() caller: Caller, @Param('userId') userId: string, @Param('module') module: string) {
    return this.progress.moduleProgress(caller, userId, module);
  }

  @Get('progress')
  @Authenticated({ scopes: ['progress:read', 'attempts:write'] })
  @userParam
  @ApiOperation({ summary: 'A learner’s progress in every module of the course' })
  @ApiOkResponse({ type: CourseProgressDto })
  @ApiProblem(404, 'No such user, or not visible to the caller')
  courseProgress(@CurrentCaller() caller: Caller, @Param('userId') userId: string) {
    return this.progress.courseProgress(caller, userId);
  }
}
