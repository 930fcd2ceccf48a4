import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ProblemDetails } from '../../common/errors/problem';
import { Optional } from '../../common/http/optional';
import { OAUTH_ERROR_CODES, type OAuthErrorCode } from '../oauth-error';

export const GRANT_TYPES = ['password', 'client_credentials', 'refresh_token'] as const;

/** RFC 6749 token request; field names as the RFC spells them. Form or JSON body. */
export class TokenRequestDto {
  @ApiProperty({ enum: GRANT_TYPES })
  @IsIn(GRANT_TYPES)
  grant_type: (typeof GRANT_TYPES)[number];

  @ApiPropertyOptional({ description: 'Email (password grant)', maxLength: 320, example: 'learner@example.com' })
  @Optional()
  @IsString()
  @MaxLength(320)
  username?: string;

  @ApiPropertyOptional({ description: 'Password (password grant)', format: 'password', maxLength: 1024 })
  @Optional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ description: 'Client id (client_credentials), unless sent with HTTP Basic', maxLength: 64 })
  @Optional()
  @IsString()
  @MaxLength(64)
  client_id?: string;

  @ApiPropertyOptional({
    description: 'Client secret (client_credentials), unless sent with HTTP Basic',
    format: 'password',
    maxLength: 256,
  })
  @Optional()
  @IsString()
  @MaxLength(256)
  client_secret?: string;

  @ApiPropertyOptional({ description: 'Refresh token (refresh_token grant)', minLength: 1, maxLength: 256 })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  refresh_token?: string;

  @ApiPropertyOptional({
    description: 'Space-separated scopes to narrow a client token to',
    maxLength: 1000,
    example: 'progress:read',
  })
  @Optional()
  @IsString()
  @MaxLength(1000)
  scope?: string;
}

/** A refused token request: problem details carrying RFC 6749 §5.2's members too. */
export class TokenProblemDto extends ProblemDetails {
  @ApiPropertyOptional({
    enum: OAUTH_ERROR_CODES,
    description:
      'RFC 6749 §5.2 error code; absent when the body was refused before the OAuth rules (malformed, or fields ' +
      'at fault: see `errors`)',
  })
  error?: OAuthErrorCode;

  @ApiPropertyOptional({ description: 'RFC 6749 §5.2: the same text as `detail`' })
  error_description?: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'JWT (typ at+jwt), valid for expires_in seconds' })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ example: 900 })
  expires_in: number;

  @ApiPropertyOptional({ description: 'Opaque; rotates on every use. Not issued to machine clients.' })
  refresh_token?: string;

  @ApiPropertyOptional({ description: 'Granted scopes (machine clients)' })
  scope?: string;
}
