import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module';
import { ACCESS_POLICY } from '../src/auth/authenticated.decorator';
import { IS_PUBLIC } from '../src/auth/public.decorator';
import { loadConfig } from '../src/config/config';

/**
 * Closed by default: every route of every controller declares who may call it,
 * `@Public()` or `@Authenticated(...)`, on the method or its controller.
 */
describe('route inventory', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://preview@localhost/preview' });
    // Preview mode resolves modules and controllers without connecting to anything.
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
      preview: true,
      logger: false,
    });
  });
  afterAll(() => app.close());

  it('finds no route that declares nothing', () => {
    const reflector = app.get(Reflector);
    const routes: { route: string; declared: boolean }[] = [];
    const controllers = [...app.get(ModulesContainer).values()].flatMap((module) => [...module.controllers.values()]);
    for (const wrapper of controllers) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const targets = [handler as () => unknown, controller];
        const declared =
          reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true ||
          reflector.getAllAndOverride(ACCESS_POLICY, targets) !== undefined;
        routes.push({ route: `${method} ${controller.name}.${name}`, declared });
      }
    }
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !r.declared).map((r) => r.route)).toEqual([]);
  });
});
