import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';

@ApiTags('health')
@ApiProblems()
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
  @ApiOkResponse({ description: 'The process answers', schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  /** Ready for traffic: the database answers within a second. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers' })
  @ApiProblem(503, 'A dependency is down; `checks` says which')
  ready() {
    return this.health.check([() => this.database.pingCheck('database').withTimeout(1_000)]);
  }
}
