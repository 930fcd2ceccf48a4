import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetails } from '../../common/errors/problem';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

/** One dependency as a health indicator (@nestjs/terminus) reports it. */
export class HealthIndicatorDto {
  @ApiProperty({ enum: ['up', 'degraded', 'down'] })
  status: 'up' | 'degraded' | 'down';

  @ApiPropertyOptional({ description: 'Time the check took, in ms' })
  responseTime?: number;

  @ApiPropertyOptional({ description: 'Why the check failed', example: 'timeout of 1000ms exceeded' })
  message?: string;
}

const byDependency = (description: string, example: Record<string, HealthIndicatorDto>) => ({
  type: 'object' as const,
  description,
  additionalProperties: { $ref: getSchemaPath(HealthIndicatorDto) },
  example,
});

export class ReadinessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty(byDependency('Dependencies that are up', { database: { status: 'up' } }))
  info: Record<string, HealthIndicatorDto>;

  @ApiProperty(byDependency('Dependencies that are down (none while ready)', {}))
  error: Record<string, HealthIndicatorDto>;

  @ApiProperty(byDependency('Every dependency', { database: { status: 'up' } }))
  details: Record<string, HealthIndicatorDto>;
}

/** The 503 of /health/ready: problem details naming each dependency's state. */
export class NotReadyProblemDto extends ProblemDetails {
  @ApiPropertyOptional(
    byDependency('Every dependency, with why it is down (absent while the instance shuts down)', {
      database: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
    }),
  )
  checks?: Record<string, HealthIndicatorDto>;
}
