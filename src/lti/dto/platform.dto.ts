import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { Optional } from '../../common/http/optional';
import type { LtiPlatform } from '../entities/lti-platform.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Printable ASCII without spaces: LTI ids are opaque strings; this refuses control characters and padding. */
const OPAQUE_ID = /^[\x21-\x7e]+$/;
const URL_DESCRIPTION =
  'https; in production its host must resolve to public addresses only. Outside production http is allowed to ' +
  'localhost only.';

export const MAX_DEPLOYMENTS = 50;
const REQUIRES_CLIENT_STORAGE =
  'Every login must go through the platform’s LTI client-side storage (`lti_storage_target`), which binds a ' +
  'launch to the browser that began it; a login without it is refused. Set by the first launch made that way; ' +
  'clear it if the platform stops offering the storage.';

class PlatformFields {
  @ApiProperty({ example: 'Moodle (production)', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'https://moodle.example.edu', maxLength: 255, description: 'The `iss` of its id_tokens' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(OPAQUE_ID, { message: 'issuer must be printable characters without spaces' })
  issuer: string;

  @ApiProperty({ example: 'x1hQ5d8Kp2', maxLength: 255, description: 'The client id the platform gave the tool' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @Matches(OPAQUE_ID, { message: 'clientId must be printable characters without spaces' })
  clientId: string;

  @ApiProperty({ example: ['1'], minItems: 1, maxItems: MAX_DEPLOYMENTS, uniqueItems: true, type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DEPLOYMENTS)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(255, { each: true })
  @Matches(OPAQUE_ID, { each: true, message: 'each deployment id must be printable characters without spaces' })
  deploymentIds: string[];

  @ApiProperty({
    example: 'https://moodle.example.edu/mod/lti/auth.php',
    maxLength: 2048,
    description: 'OIDC authorization endpoint. ' + URL_DESCRIPTION,
  })
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  authorizationUrl: string;

  @ApiProperty({
    example: 'https://moodle.example.edu/mod/lti/token.php',
    maxLength: 2048,
    description: 'OAuth 2 token endpoint. ' + URL_DESCRIPTION,
  })
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  tokenUrl: string;

  @ApiProperty({
    example: 'https://moodle.example.edu/mod/lti/certs.php',
    maxLength: 2048,
    description: 'The platform’s public keys. ' + URL_DESCRIPTION,
  })
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  jwksUrl: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2048,
    description: 'The `aud` the platform wants in client assertions, when not its token URL (Canvas, Brightspace)',
  })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  tokenAudience?: string | null;
}

export class CreatePlatformDto extends PlatformFields {}

export class UpdatePlatformDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Optional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ minItems: 1, maxItems: MAX_DEPLOYMENTS, uniqueItems: true, type: [String] })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DEPLOYMENTS)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(255, { each: true })
  @Matches(OPAQUE_ID, { each: true, message: 'each deployment id must be printable characters without spaces' })
  deploymentIds?: string[];

  @ApiPropertyOptional({ maxLength: 2048 })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  authorizationUrl?: string;

  @ApiPropertyOptional({ maxLength: 2048 })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  tokenUrl?: string;

  @ApiPropertyOptional({ maxLength: 2048 })
  @Optional()
  @Transform(trim)
  @IsString()
  @MaxLength(2048)
  jwksUrl?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2048 })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  tokenAudience?: string | null;

  @ApiPropertyOptional({ description: REQUIRES_CLIENT_STORAGE })
  @Optional()
  @IsBoolean()
  requiresClientStorage?: boolean;
}

export class PlatformDto extends PlatformFields {
  @ApiProperty({ description: REQUIRES_CLIENT_STORAGE }) requiresClientStorage: boolean;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true }) declare tokenAudience: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class PlatformListDto {
  @ApiProperty({ type: [PlatformDto] }) items: PlatformDto[];
}

/** What an administrator types into the LMS when registering the tool. */
export class ToolConfigurationDto {
  @ApiProperty({ example: 'https://quiz.example.edu/lti/login', description: 'OIDC login initiation URL' })
  loginUrl: string;

  @ApiProperty({
    example: 'https://quiz.example.edu/lti/launch',
    description: 'Redirect URI and target link URI: launches and deep linking requests both come here',
  })
  launchUrl: string;

  @ApiProperty({ example: 'https://quiz.example.edu/lti/jwks', description: 'The tool’s public keys (JWKS)' })
  jwksUrl: string;
}

export function toPlatformDto(platform: LtiPlatform): PlatformDto {
  return {
    id: platform.id,
    name: platform.name,
    issuer: platform.issuer,
    clientId: platform.clientId,
    deploymentIds: platform.deploymentIds,
    authorizationUrl: platform.authorizationUrl,
    tokenUrl: platform.tokenUrl,
    jwksUrl: platform.jwksUrl,
    tokenAudience: platform.tokenAudience,
    requiresClientStorage: platform.requiresClientStorage,
    createdAt: platform.createdAt.toISOString(),
    updatedAt: platform.updatedAt.toISOString(),
  };
}
