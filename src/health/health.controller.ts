import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import { HealthIndicatorDto, LivenessDto, NotReadyProblemDto, ReadinessDto } from './dto/health.dto';

@ApiTags('health')
@ApiProblems()
@ApiExtraModels(HealthIndicatorDto)
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** The process is up and serving; says nothing about its dependencies. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'The process answers', type: LivenessDto })
  live() {
    return { status: 'ok' };
  }

  /** Ready for traffic: the database answers within a second. */
  @Get('ready')
  // Terminus documents its 503 as its own JSON; the problem filter sends it as problem details.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: the database answers' })
  @ApiOkResponse({ description: 'Every dependency is up', type: ReadinessDto })
  @ApiProblem(503, 'A dependency is down, or the service is starting or shutting down', NotReadyProblemDto)
  ready() {
    return this.health.check([() => this.database.pingCheck('database').withTimeout(1_000)]);
  }
}
