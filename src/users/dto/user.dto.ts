import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES, type Role } from '../../auth/access.types';
import { PageQueryDto } from '../../common/http/pagination';
import { IsEmailAddress } from '../../common/http/text-validators';
import type { User } from '../user.entity';
import { Optional } from '../../common/http/optional';

/** 1-255 printable ASCII characters, no spaces. */
export const EXTERNAL_ID = /^[\x21-\x7e]{1,255}$/;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lowerCased = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateUserDto {
  @ApiProperty({ format: 'email', example: 'ada@example.com', maxLength: 320 })
  @Transform(lowerCased)
  @IsEmailAddress()
  @MaxLength(320)
  email: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 200 })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({
    enum: ROLES,
    isArray: true,
    minItems: 1,
    maxItems: ROLES.length,
    uniqueItems: true,
    example: ['learner'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Role[];

  @ApiPropertyOptional({ description: 'The LMS’s id for this person', pattern: EXTERNAL_ID.source, maxLength: 255 })
  @Optional()
  @IsString()
  @Matches(EXTERNAL_ID, { message: 'externalId must be 1-255 printable ASCII characters without spaces' })
  externalId?: string;

  @ApiPropertyOptional({ minLength: 10, maxLength: 256, format: 'password', description: 'Omit for LMS-only users' })
  @Optional()
  @IsString()
  @MinLength(10)
  @MaxLength(256)
  password?: string;
}

export class UpdateUserDto extends PartialType(CreateUserDto, { skipNullProperties: false }) {}

/** What a person may change about themselves: never roles, ids or email. */
export class UpdateMeDto extends PartialType(PickType(CreateUserDto, ['displayName', 'password'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ format: 'password', maxLength: 256, description: 'Required to change the password' })
  @Optional()
  @IsString()
  @MaxLength(256)
  currentPassword?: string;
}

/** Roster sync from an LMS: the external id is in the path. */
export class UpsertUserByExternalIdDto extends OmitType(CreateUserDto, ['externalId', 'password', 'roles'] as const) {
  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    minItems: 1,
    maxItems: ROLES.length,
    uniqueItems: true,
    description: 'Defaults to [learner] for a new user',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: Role[];
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @Optional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'Exact email', maxLength: 320 })
  @Optional()
  @Transform(lowerCased)
  @IsString()
  @MaxLength(320)
  email?: string;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ nullable: true, type: String })
  externalId: string | null;

  @ApiProperty()
  email: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles: Role[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class UpsertUserResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;

  @ApiProperty({ description: 'True when the user was created by this call' })
  created: boolean;
}

export function toUserResponse(user: User): UserResponseDto {
  return {
    id: user.id,
    externalId: user.externalId,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
