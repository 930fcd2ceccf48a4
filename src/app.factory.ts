import 'reflect-metadata';
import cookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { ServiceUnavailable, ValidationFailed } from './common/errors/domain-error';
import { problemClientErrorHandler, problemFrameworkErrors } from './common/errors/framework-errors';
import { findInputFault } from './common/http/input-limits';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id';
import { createValidationPipe } from './common/http/validation';
import { createLogger, PinoLoggerService } from './common/logging/logger';
import { MetricsService } from './metrics/metrics.service';
import { buildOpenApiDocument } from './openapi';
import { webRoots } from './pages/web-files';

export interface CreatedApp {
  app: NestFastifyApplication;
  logger: Logger;
}

/**
 * Builds the whole HTTP application, the same way for `npm start` and for the
 * e2e tests. `config.database.url` must already point at a database.
 */
export async function createApp(config: AppConfig, logger = createLogger(config.log.level)): Promise<CreatedApp> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimitBytes,
    // Trust exactly the configured number of proxy hops for the client address.
    trustProxy: (_address: string, hop: number) => hop < config.http.trustProxyHops,
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Requests in flight finish on shutdown; idle keep-alive sockets close at once.
    forceCloseConnections: 'idle',
    // Requests that arrive while closing get our own 503 problem (below), not Fastify's JSON.
    return503OnClosing: false,
    clientErrorHandler: problemClientErrorHandler,
    frameworkErrors: problemFrameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoLoggerService(logger),
    bufferLogs: true,
  });

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    if (closing) {
      void reply.header('connection', 'close');
      throw new ServiceUnavailable('The server is shutting down; try again (another instance may answer)');
    }
  });
  // Before any validation or handler: no NUL characters, no hostile nesting (see input-limits.ts).
  fastify.addHook('preValidation', (request, _reply, done) => {
    const fault = findInputFault(request.params) ?? findInputFault(request.query) ?? findInputFault(request.body);
    done(fault ? new ValidationFailed([fault]) : undefined);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  // Parses the pages' session cookie (request.cookies) and sets it (reply.setCookie).
  await app.register(cookie);
  // helmet's headers, from a middleware made once: @fastify/helmet builds it again on every request
  // (its onRequest hook calls helmet(options); 1.6–2 % of the submit path's CPU, BENCHMARKS.md).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins,
      // X-Data-Age: how old a report read from the replica may be (src/database/replica).
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'x-data-age'],
      maxAge: 600,
    });
  }

  // The pages' scripts and styles (src/pages): the compiled client and the static files, from this origin only.
  const roots = webRoots();
  if (roots.length > 0) {
    app.useStaticAssets({ root: roots, prefix: '/assets/', decorateReply: false, index: false, maxAge: '5m' });
  }

  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Assessment API',
  });

  return { app, logger };
}
