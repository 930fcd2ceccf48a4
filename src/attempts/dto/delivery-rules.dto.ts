import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { IsDateTime } from '../../common/http/date-time';
import { MaxDecimalPlaces } from '../../common/http/decimal-places';
import { Optional } from '../../common/http/optional';

const REASON = {
  minLength: 1,
  maxLength: 2000,
  description: 'Why: kept in the audit trail, never shown to the learner',
};

/** A bound that may be set, or null for the quiz's own. */
function bound(description: string) {
  return ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description });
}

export class PutQuizScheduleDto {
  @bound('No start before it; null or absent: the quiz’s')
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  opensAt?: string | null;

  @bound('Attempts finished after it are late; null or absent: the quiz’s')
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  dueAt?: string | null;

  @bound('Nothing is accepted from it on; null or absent: the quiz’s')
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  closesAt?: string | null;
}

export class QuizScheduleDto {
  @ApiProperty({ format: 'uuid' }) cohortId: string;
  @ApiProperty({ format: 'uuid' }) quizId: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Set for the cohort; null: the quiz’s',
  })
  opensAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) closesAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'The quiz’s own, for comparison' })
  quizOpensAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) quizDueAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) quizClosesAt: string | null;
}

export class PutAccommodationDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: 0, description: 'Attempts beyond the quiz’s limit' })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(100)
  extraAttempts?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 1, description: 'Time limit × this (1.5: half again)' })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(2)
  @Min(1)
  @Max(10)
  timeMultiplier?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10080, default: 0, description: 'Minutes added to the time limit' })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(10_080)
  extraMinutes?: number;

  @bound('The learner’s due date, where later than their cohort’s or the quiz’s')
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  dueAt?: string | null;

  @bound('The learner’s closing, where later than their cohort’s or the quiz’s')
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsDateTime()
  closesAt?: string | null;

  @ApiProperty(REASON)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class AccommodationDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) quizId: string;
  @ApiProperty() extraAttempts: number;
  @ApiProperty() timeMultiplier: number;
  @ApiProperty() extraMinutes: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) closesAt: string | null;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ExtendAttemptDto {
  @ApiProperty({ minimum: 1, maximum: 10080, description: 'Minutes added to the attempt’s deadline' })
  @IsInt()
  @Min(1)
  @Max(10_080)
  minutes: number;

  @ApiProperty(REASON)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class RemoveAccommodationDto {
  @ApiProperty(REASON)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}
