import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../access.types';

export class SignInDto {
  @ApiProperty({ maxLength: 320, example: 'learner1@demo.local' })
  @IsString()
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ format: 'password', minLength: 1, maxLength: 1024 })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

export class SessionUserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty({ description: 'Display name' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles: Role[];
}

export class SessionDto {
  @ApiProperty({ type: SessionUserDto })
  user: SessionUserDto;

  @ApiProperty({
    description:
      'Send it back as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE made with the session cookie',
  })
  csrfToken: string;

  @ApiProperty({ format: 'date-time', description: 'When the session ends at the latest (sooner if left unused)' })
  expiresAt: string;
}
