import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { ApiProblem, ApiProblems } from '../common/errors/api-problems.decorator';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.constants';
import type { FastifyRequest } from 'fastify';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint. Open when METRICS_TOKEN is unset (keep it on a
 * private network then); otherwise it wants that token as a bearer token.
 */
@ApiTags('metrics')
@ApiProblems()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format 0.0.4)' })
  // Open, or with METRICS_TOKEN set, that token as a bearer token.
  @ApiSecurity({})
  @ApiSecurity('metricsToken')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Request counts and durations by route template and status, and the process metrics',
    content: {
      'text/plain': {
        schema: {
          type: 'string',
          example: 'http_requests_total{method="GET",route="/health/live",status_code="200"} 3',
        },
      },
    },
  })
  @ApiProblem(401, 'METRICS_TOKEN is set and the request does not carry it')
  // The token is read from the request, not a @Headers parameter: the security scheme documents it (OpenAPI 3
  // ignores an Authorization header parameter).
  async scrape(@Req() request: FastifyRequest): Promise<string> {
    const token = this.config.metrics.token;
    if (token && !sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)) {
      throw new UnauthorizedException('A valid metrics token is required');
    }
    return this.metrics.registry.metrics();
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
