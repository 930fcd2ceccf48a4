import { ApiProperty } from '@nestjs/swagger';
import { ProblemDetails } from '../../common/errors/problem';

/** What a roster sync from the LMS (NRPS) changed, in counts of members. */
export class LtiRosterSyncReportDto {
  @ApiProperty({ example: 3, description: 'Members the cohort did not have, now active (users made when new here)' })
  added: number;

  @ApiProperty({ example: 1, description: 'Inactive members made active again' })
  reactivated: number;

  @ApiProperty({
    example: 2,
    description: 'Members made inactive: Inactive or Deleted on the platform, or no longer in its list',
  })
  deactivated: number;

  @ApiProperty({ example: 0, description: 'Active members whose role (learner or instructor) changed' })
  roleChanged: number;

  @ApiProperty({ example: 24, description: 'Members already as the platform says' })
  unchanged: number;

  @ApiProperty({ example: 1, description: 'Users made here for platform members seen for the first time' })
  createdUsers: number;

  @ApiProperty({ example: 30, description: 'Members in the platform’s membership container, every page' })
  platformTotal: number;
}

/** The 502 of a roster sync: the platform could not be asked, or answered with an error; nothing changed. */
export class PlatformCallProblemDto extends ProblemDetails {
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 503,
    description: 'The status the platform answered, or null when it gave none',
  })
  platformStatus: number | null;

  @ApiProperty({ example: 'down for maintenance', description: 'The start of the platform’s answer, or why none' })
  platformAnswer: string;
}
