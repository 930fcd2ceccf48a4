import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/access.types';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentCaller } from '../auth/current-caller.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { LtiRosterSyncReportDto, PlatformCallProblemDto } from './dto/roster-sync.dto';
import { LtiRosterService } from './lti-roster.service';

/** A cohort's roster brought in step with its LMS course (NRPS), on demand. */
@ApiTags('lti')
@ApiProblems()
@Controller('v1/cohorts')
export class LtiRosterController {
  constructor(private readonly roster: LtiRosterService) {}

  @Post(':id/lti-roster-sync')
  @HttpCode(200)
  // The platform's list decides the roster here, not the caller: instructors of the cohort may ask for it.
  @Authenticated({ roles: ['instructor', 'admin'] })
  @ApiOperation({
    summary: 'Bring the roster in step with the LMS course (LTI Names and Role Provisioning Services)',
    description:
      'Reads every page of the course’s membership container and, in one transaction, adds or reactivates ' +
      'its Active members, makes Inactive and Deleted ones (and people of that LMS it no longer lists) ' +
      'inactive, and makes users for members seen for the first time. Members added by hand, who are not ' +
      'linked to that LMS, are left alone.',
  })
  @ApiOkResponse({ type: LtiRosterSyncReportDto })
  @ApiProblem(404, 'No such cohort, or not one the caller teaches')
  @ApiProblem(409, 'The cohort is not an LMS course, or the LMS offered no roster for it')
  @ApiProblem(502, 'The LMS could not be asked or answered with an error; nothing changed', PlatformCallProblemDto)
  sync(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.roster.syncCohort(caller, id);
  }
}
