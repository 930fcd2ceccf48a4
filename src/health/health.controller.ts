import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { ProblemDetails } from '../common/errors/problem';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** The process is up and serving; says nothing about its dependencies. */
  @Get('live')
  @ApiOkResponse({ description: 'The process answers', schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  /** Ready for traffic: the database answers within a second. */
  @Get('ready')
  @HealthCheck()
  @ApiServiceUnavailableResponse({ type: ProblemDetails, description: 'A dependency is down' })
  ready() {
    return this.health.check([() => this.database.pingCheck('database').withTimeout(1_000)]);
  }
}
