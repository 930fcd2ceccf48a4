import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ProblemDetails } from '../../common/errors/problem';
import { IsDateTime } from '../../common/http/date-time';
import { PageQueryDto } from '../../common/http/pagination';
import { IsEmailAddress } from '../../common/http/text-validators';
import { EXTERNAL_ID } from '../../users/dto/user.dto';
import { MEMBER_ROLES, MEMBER_STATUSES, type MemberRole, type MemberStatus } from '../entities/cohort-member.entity';
import type { Cohort } from '../entities/cohort.entity';
import { Optional } from '../../common/http/optional';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateCohortDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'AWS Security — spring cohort' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 200,
    uniqueItems: true,
    description: 'Modules covered; empty or omitted: the whole course',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  moduleIds?: string[];

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  startsAt?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  endsAt?: string | null;
}

export class UpdateCohortDto extends PartialType(CreateCohortDto, { skipNullProperties: false }) {
  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  archived?: boolean;
}

export class ListCohortsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['instructor'], description: 'Only the cohorts the caller teaches' })
  @Optional()
  @IsIn(['instructor'])
  role?: 'instructor';

  @ApiPropertyOptional({ description: 'Include archived cohorts', default: false })
  @Optional()
  @Transform(({ value }: { value: unknown }) => value === true || value === 'true')
  @IsBoolean()
  archived?: boolean;
}

export class RosterEntryDto {
  @ApiProperty({ description: 'The LMS’s id for the person', pattern: EXTERNAL_ID.source, example: 'lms-user-42' })
  @IsString()
  @Matches(EXTERNAL_ID, { message: 'externalId must be 1-255 printable ASCII characters without spaces' })
  externalId: string;

  @ApiPropertyOptional({ enum: MEMBER_ROLES, default: 'learner' })
  @Optional()
  @IsIn(MEMBER_ROLES)
  role?: MemberRole;

  @ApiPropertyOptional({
    format: 'email',
    maxLength: 320,
    description: 'With displayName: creates the user if unknown (callers with users:write)',
  })
  @Optional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmailAddress()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Optional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;
}

/** The 422 of a roster sync: the members that could not be matched or created, by external id. */
export class UnknownRosterMembersProblemDto extends ProblemDetails {
  @ApiPropertyOptional({
    type: [String],
    maxItems: 1000,
    example: ['lms-user-42'],
    description: 'Unknown, and not creatable by this caller or without email and displayName (the first thousand)',
  })
  unknownExternalIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: 1000,
    example: ['lms-user-43'],
    description: 'New members whose email another user has, or that the roster lists twice (the first thousand)',
  })
  emailInUseExternalIds?: string[];
}

export class RosterDto {
  @ApiProperty({
    type: [RosterEntryDto],
    maxItems: 50_000,
    description: 'The whole roster: members not listed become inactive',
  })
  @IsArray()
  @ArrayMaxSize(50_000)
  @ValidateNested({ each: true })
  @Type(() => RosterEntryDto)
  members: RosterEntryDto[];
}

export class AddMemberDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The user, by id…' })
  @ValidateIf((object: AddMemberDto) => object.externalId === undefined)
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ description: '…or by external id', pattern: EXTERNAL_ID.source })
  @Optional()
  @IsString()
  @Matches(EXTERNAL_ID)
  externalId?: string;

  @ApiPropertyOptional({ enum: MEMBER_ROLES, default: 'learner' })
  @Optional()
  @IsIn(MEMBER_ROLES)
  role?: MemberRole;
}

export class ListMembersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MEMBER_ROLES })
  @Optional()
  @IsIn(MEMBER_ROLES)
  role?: MemberRole;

  @ApiPropertyOptional({ enum: MEMBER_STATUSES })
  @Optional()
  @IsIn(MEMBER_STATUSES)
  status?: MemberStatus;
}

export class CohortDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Empty: the whole course' }) moduleIds: string[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startsAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endsAt: string | null;
  @ApiProperty() archived: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ModuleSummaryRowDto {
  @ApiProperty({ format: 'uuid' }) moduleId: string;
  @ApiProperty() slug: string;
  @ApiProperty() completed: number;
  @ApiProperty({ description: 'completed / active learners' }) completionRate: number;
  @ApiProperty({ description: 'passed / active learners' }) passRate: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Mean counted score, 0 to 1' }) meanScore: number | null;
}

export class CohortOverviewDto extends CohortDto {
  @ApiProperty({ description: 'Active learners' }) learners: number;
  @ApiProperty({ type: [ModuleSummaryRowDto] }) modules: ModuleSummaryRowDto[];
}

export class CohortPageDto {
  @ApiProperty({ type: [CohortOverviewDto] }) items: CohortOverviewDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class MemberDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty() displayName: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: MEMBER_ROLES }) role: MemberRole;
  @ApiProperty({ enum: MEMBER_STATUSES }) status: MemberStatus;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberDto] }) items: MemberDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class RosterReportDto {
  @ApiProperty({ type: [String], description: 'External ids added to the cohort' }) added: string[];
  @ApiProperty({ type: [String], description: 'Inactive members made active again' }) reactivated: string[];
  @ApiProperty({ type: [String], description: 'Members not on the roster, made inactive (external id, or user id)' })
  deactivated: string[];
  @ApiProperty({ type: [String], description: 'Members whose role changed' }) roleChanged: string[];
  @ApiProperty({ description: 'Members already as the roster says' }) unchanged: number;
  @ApiProperty({ type: [String], description: 'Users created from the roster’s names and emails' })
  createdUsers: string[];
}

export function toCohortDto(cohort: Cohort): CohortDto {
  return {
    id: cohort.id,
    name: cohort.name,
    moduleIds: cohort.moduleIds,
    startsAt: cohort.startsAt?.toISOString() ?? null,
    endsAt: cohort.endsAt?.toISOString() ?? null,
    archived: cohort.archived,
    createdAt: cohort.createdAt.toISOString(),
    updatedAt: cohort.updatedAt.toISOString(),
  };
}
