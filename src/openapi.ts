import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI 3 document, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Assessment API')
    .setDescription(
      'Knowledge checks and activity checklists from course modules written in Markdown: ' +
        'attempts, scoring, progress and completion for learners, instructors and LMSs. ' +
        'Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .setLicense('UNLICENSED', 'https://choosealicense.com/no-permission/')
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addCookieAuth(
      'session',
      {
        type: 'apiKey',
        in: 'cookie',
        name: 'session',
        description: 'The pages’ session (POST /v1/auth/session); with it, changes need the X-CSRF-Token header',
      },
      'session',
    )
    .addSecurity('metricsToken', { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  markPublicOperations(document);
  return document;
}

/**
 * Every route is either @Authenticated (which documents bearer auth) or
 * @Public (the route inventory test enforces it), so an operation without a
 * security requirement is public; say so explicitly with `security: []`.
 */
function markPublicOperations(document: OpenAPIObject) {
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const operation = path[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
}
